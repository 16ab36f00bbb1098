"""Booking pages and endpoints run a fixed number of queries, however many bookings there are."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Booking
from bookings.rules import HALL_TZ, holiday_name
from hall.models import Space
from tenants.models import Membership
from tests.factories import (
    AmenityFactory,
    BookingFactory,
    ClosureFactory,
    MembershipFactory,
    OrganizationFactory,
    SpaceFactory,
    enable_totp,
)

SMALL, LARGE = 2, 30


def _first_working_monday() -> datetime:
    """Midnight of a Monday at least a week ahead that is not a public holiday."""
    day = timezone.localdate() + timedelta(days=7)
    day += timedelta(days=(7 - day.weekday()) % 7)
    while holiday_name(day):
        day += timedelta(days=7)
    return datetime.combine(day, time(0, 0), tzinfo=HALL_TZ)


MONDAY = _first_working_monday()


@pytest.fixture
def grow(town, art_center, startup_member):
    """Add spaces, organizations and bookings until there are ``total`` bookings.

    Half the bookings are the member's organization's (made by the member or a colleague); the rest
    belong to three other organizations. A third of them wait for approval; every seventh is cancelled.
    Spaces are added too (one for every three bookings), three in four at the Innovation Town.
    """
    own = Membership.objects.get(user=startup_member).organization
    colleague = MembershipFactory(organization=own).user
    others = [MembershipFactory(organization=OrganizationFactory()).user for _ in range(3)]
    wifi = AmenityFactory(slug="wifi")
    ClosureFactory(facility=town, start=MONDAY + timedelta(days=4), end=MONDAY + timedelta(days=5))

    def grow(total):
        while Space.objects.count() < max(2, total // 3):
            number = Space.objects.count()
            SpaceFactory(
                facility=art_center if number % 4 == 3 else town, slug=f"qc-room-{number:02d}", amenities=[wifi]
            )
        spaces = list(Space.objects.order_by("pk"))
        for number in range(Booking.objects.count(), total):
            if number % 2 == 0:
                booker = startup_member if number % 4 == 0 else colleague
                organization = own
            else:
                booker = others[number % 3]
                organization = Membership.objects.get(user=booker).organization
            start = MONDAY + timedelta(days=number // 10, hours=9 + number % 10)
            status = (
                Booking.Status.CANCELLED
                if number % 7 == 6
                else Booking.Status.PENDING
                if number % 3 == 0
                else Booking.Status.APPROVED
            )
            BookingFactory(
                space=spaces[number % len(spaces)],
                requested_by=booker,
                organization=organization,
                start=start,
                end=start + timedelta(hours=1),
                status=status,
            )
        assert Booking.objects.count() == total

    return grow


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:1000]
    return len(queries)


def _counts_at_both_sizes(grow, client, url):
    grow(SMALL)
    client.get(url)  # warm up: the session, content types and the calendar feed row are loaded once
    small = _count(client, url)
    grow(LARGE)
    large = _count(client, url)
    return small, large


WEEK = MONDAY.date().isoformat()
WINDOW = (
    f"available_from={(MONDAY + timedelta(hours=9)).isoformat()}"
    f"&available_to={(MONDAY + timedelta(hours=10)).isoformat()}"
).replace("+", "%2B")


def test_the_window_and_the_data_exercise_the_pages(grow, client):
    grow(LARGE)

    assert Booking.objects.filter(start__gte=MONDAY, start__lt=MONDAY + timedelta(days=7)).count() == LARGE
    html = client.get(f"/spaces/?{WINDOW}").content.decode()
    api = client.get(f"/api/v1/spaces/?{WINDOW}").json()
    found = set(re.findall(r'href="/spaces/(qc-room-\d+)/[?"]', html))
    assert 0 < len(found) < Space.objects.count()
    assert found == {space["slug"] for space in api["results"]}


@pytest.mark.parametrize(("as_manager", "bound"), [(False, 4), (True, 4)])
def test_the_booking_api_list_uses_a_fixed_number_of_queries(
    grow, api_client, startup_member, manager, as_manager, bound
):
    api_client.force_login(manager if as_manager else startup_member)

    small, large = _counts_at_both_sizes(grow, api_client, "/api/v1/bookings/")

    assert small == large
    assert large <= bound


def test_my_bookings_page_uses_a_fixed_number_of_queries(grow, client, startup_member):
    client.force_login(startup_member)

    small, large = _counts_at_both_sizes(grow, client, "/bookings/")

    assert small == large
    assert large <= 8 + 1  # and the user's places on waiting lists


def test_the_approval_queue_uses_a_fixed_number_of_queries(grow, client, manager):
    enable_totp(manager)
    client.force_login(manager)

    small, large = _counts_at_both_sizes(grow, client, "/manage/approvals/")

    assert small == large
    assert large <= 9


def test_the_facility_week_calendar_uses_a_fixed_number_of_queries(grow, client, manager):
    enable_totp(manager)
    client.force_login(manager)

    small, large = _counts_at_both_sizes(grow, client, f"/manage/calendar/?view=week&date={WEEK}")

    assert small == large
    assert large <= 14


# Both read their page and the count in one statement; the API reads the amenities in it or in one more (SQLite).
@pytest.mark.parametrize(("url", "bound"), [(f"/spaces/?{WINDOW}", 5), (f"/api/v1/spaces/?{WINDOW}", 2)])
def test_the_free_space_search_uses_a_fixed_number_of_queries(grow, client, url, bound):
    small, large = _counts_at_both_sizes(grow, client, url)

    assert small == large
    assert large <= bound


def test_the_space_week_timeline_uses_a_fixed_number_of_queries(grow, client, startup_member):
    client.force_login(startup_member)

    small, large = _counts_at_both_sizes(grow, client, f"/spaces/qc-room-00/?view=week&date={WEEK}")

    assert small == large
    # The booking form's terms: the user's organization, whether it is a tenant, its quota this month.
    assert large <= 12 + 3


def _book_over_the_api(api_client, token, start):
    body = {
        "space": "qc-room-00",
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
        "title": "Query count",
        "attendees": 2,
    }
    with CaptureQueriesContext(connection) as queries:
        response = api_client.post("/api/v1/bookings/", body, format="json", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 201, response.content[:1000]
    return [query["sql"] for query in queries if "SAVEPOINT" not in query["sql"]]


def test_creating_a_booking_over_the_api_uses_a_fixed_number_of_queries(grow, api_client, startup_member):
    from accounts.services import create_personal_token

    _token, token = create_personal_token(user=startup_member, name="script")
    free = MONDAY + timedelta(days=21, hours=10)
    grow(SMALL)
    _book_over_the_api(api_client, token, free - timedelta(days=7))  # warm up: content types are cached
    small = _book_over_the_api(api_client, token, free)
    grow(LARGE)
    for number in range(5):
        create_personal_token(user=startup_member, name=f"other {number}")
    large = _book_over_the_api(api_client, token, free + timedelta(hours=2))

    assert len(small) == len(large)
    # Token; the space, read by its slug under its lock (PostgreSQL: with whether a closure overlaps and the
    # booker's organizations); the organization; tenancy; the manager check (the room needs approval); the
    # insert; the audit entry. SQLite reads the memberships and closures apart and checks the overlap itself;
    # PostgreSQL's exclusion constraint does at the insert.
    assert len(large) <= (7 if connection.vendor == "postgresql" else 10), large
