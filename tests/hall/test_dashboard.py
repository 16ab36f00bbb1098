"""The manager's start page (/manage/): what needs them today at the facilities they manage."""

import re
from datetime import timedelta

import pytest
import time_machine

from bookings.models import Booking
from tenants.models import RenewalRequest
from tests.factories import (
    FROZEN_NOW,
    BookingFactory,
    ClosureFactory,
    LeasableUnitFactory,
    MembershipFactory,
    SpaceFactory,
    seoul,
)
from tests.tenants.factories import LeaseContractFactory, RenewalRequestFactory

# FROZEN_NOW is Tuesday 2026-12-01, 09:00 in Seoul.


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture
def signed_in(client, manager):
    manager.language = "en"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    return manager


def _dashboard(client) -> str:
    response = client.get("/manage/")
    assert response.status_code == 200
    return response.content.decode()


def _section(body: str, heading_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', body, flags=re.S)
    assert match, heading_id
    return match.group(0)


def _stat(body: str, label: str) -> str:
    """The number on the at-a-glance card with this label."""
    match = re.search(r'class="dash-number">(\d+)</strong>\s*<span class="dash-label">' + re.escape(label), body)
    assert match, label
    return match.group(1)


def _pending(space, title, *, start, waited):
    booking = BookingFactory(space=space, title=title, status=Booking.Status.PENDING, start=start)
    Booking.objects.filter(pk=booking.pk).update(created=FROZEN_NOW - waited)
    return booking


def _unpaid(space, title, *, deadline, **fields):
    return BookingFactory(
        space=space,
        title=title,
        amount_due=20_000,
        payment_status=Booking.PaymentStatus.UNPAID,
        payment_deadline=deadline,
        **fields,
    )


def test_todays_bookings_are_listed_by_room_with_time_organization_and_status(
    client, signed_in, town, art_center, space
):
    hall_b = SpaceFactory(facility=town, slug="town-hall-b", name_en="Hall B", floor=2)
    organization = MembershipFactory().organization
    morning = BookingFactory(
        space=space, title="Board meeting", organization=organization, start=seoul(2026, 12, 1, 10)
    )
    BookingFactory(space=hall_b, title="Workshop", status=Booking.Status.PENDING, start=seoul(2026, 12, 1, 14))
    BookingFactory(space=space, title="Tomorrow's talk", start=seoul(2026, 12, 2, 10))
    BookingFactory(space=space, title="Called off", status=Booking.Status.CANCELLED, start=seoul(2026, 12, 1, 15))
    BookingFactory(space=SpaceFactory(facility=art_center), title="Art opening", start=seoul(2026, 12, 1, 11))

    today = _section(_dashboard(client), "today-heading")

    assert "Board meeting" in today and "Workshop" in today
    assert "Tomorrow's talk" not in today and "Called off" not in today and "Art opening" not in today
    assert (
        today.index(space.display_name) < today.index("Board meeting") < today.index("Hall B") < today.index("Workshop")
    )
    assert "10:00–11:00" in today and "14:00–15:00" in today
    assert organization.name_en in today
    assert f'href="/bookings/{morning.pk}/"' in today
    assert "Approved" in today and "Pending approval" in today


def test_pending_approvals_show_their_count_and_how_long_the_oldest_has_waited(client, signed_in, space, art_center):
    _pending(space, "Soon", start=seoul(2026, 12, 3, 10), waited=timedelta(hours=5))
    _pending(space, "Later", start=seoul(2026, 12, 9, 10), waited=timedelta(days=3, hours=2))
    _pending(SpaceFactory(facility=art_center), "Not mine", start=seoul(2026, 12, 4, 10), waited=timedelta(days=9))

    body = _dashboard(client)

    assert _stat(body, "Awaiting approval") == "2"
    assert "Oldest waiting: 3\xa0days, 2\xa0hours" in body
    # The manager tabs say it too.
    assert re.search(r'class="tab-count" aria-hidden="true">2<', body)


def test_payments_due_today_or_overdue_are_listed_with_a_link_to_the_payments_page(client, signed_in, space):
    _unpaid(space, "Overdue fair", deadline=seoul(2026, 11, 30, 18), start=seoul(2026, 12, 2, 10))
    _unpaid(space, "Due tonight", deadline=seoul(2026, 12, 1, 22), start=seoul(2026, 12, 3, 10))
    _unpaid(space, "Due next week", deadline=seoul(2026, 12, 8, 9), start=seoul(2026, 12, 10, 10))

    body = _dashboard(client)
    due = _section(body, "unpaid-heading")

    assert _stat(body, "Payments due by today") == "2"
    assert "1 overdue" in body
    assert due.index("Overdue fair") < due.index("Due tonight")
    assert "Due next week" not in due
    assert "Overdue" in due and "Due today" in due
    assert 'href="/manage/payments/"' in due


def test_renewals_waiting_for_review_are_counted_with_the_oldest(client, signed_in, town, art_center):
    oldest = RenewalRequestFactory(contract=LeaseContractFactory(unit=LeasableUnitFactory(facility=town)))
    RenewalRequest.objects.filter(pk=oldest.pk).update(created=FROZEN_NOW - timedelta(days=6))
    RenewalRequestFactory(contract=LeaseContractFactory(unit=LeasableUnitFactory(facility=town)))
    RenewalRequestFactory(
        contract=LeaseContractFactory(unit=LeasableUnitFactory(facility=town)),
        status=RenewalRequest.Status.CHANGES_REQUESTED,
    )
    RenewalRequestFactory(contract=LeaseContractFactory(unit=LeasableUnitFactory(facility=art_center)))

    body = _dashboard(client)

    assert _stat(body, "Lease renewals to review") == "2"
    card = body[body.index("Lease renewals to review") :][:300]
    assert "Oldest waiting: 6\xa0days" in card
    assert 'href="/manage/renewals/"' in body


def test_closures_of_the_next_14_days_are_listed(client, signed_in, town, art_center, space):
    ClosureFactory(space=space, start=seoul(2026, 12, 4, 9), end=seoul(2026, 12, 4, 18), reason="Floor waxing")
    ClosureFactory(facility=town, start=seoul(2026, 12, 10), end=seoul(2026, 12, 11), reason="Founding day")
    ClosureFactory(facility=town, start=seoul(2026, 12, 20), end=seoul(2026, 12, 21), reason="Far ahead")
    ClosureFactory(facility=town, start=seoul(2026, 11, 20), end=seoul(2026, 11, 21), reason="Already over")
    ClosureFactory(facility=art_center, start=seoul(2026, 12, 5), end=seoul(2026, 12, 6), reason="Art repairs")

    body = _dashboard(client)
    closures = _section(body, "closures-heading")

    assert _stat(body, "Closures in the next 14 days") == "2"
    assert closures.index("Floor waxing") < closures.index("Founding day")
    assert "Far ahead" not in closures and "Already over" not in closures and "Art repairs" not in closures
    assert f"All of {town.display_name}" in closures


def test_a_quiet_day_says_so_in_every_section(client, signed_in):
    body = _dashboard(client)

    assert _stat(body, "Awaiting approval") == "0"
    assert "No room is booked today." in body
    assert "No payment is due today and none is overdue." in body
    assert "No closure in the next 14 days." in body
    assert body.count("Nothing waits for you.") == 2
    assert "tab-count" not in body


def test_the_page_speaks_korean_to_a_korean_manager(client, manager, space):
    _pending(space, "Soon", start=seoul(2026, 12, 3, 10), waited=timedelta(hours=5))
    client.force_login(manager)

    body = _dashboard(client)

    assert "오늘의 시설 현황" in body
    assert "가장 오래 기다린 요청: 5시간" in body
    assert "오늘은 예약된 공간이 없습니다." in body


def test_a_member_may_not_open_the_manager_start_page(client, startup_member):
    client.force_login(startup_member)

    assert client.get("/manage/").status_code == 403


def _grow(town, space, size: int) -> None:
    """``size`` of everything the page lists: today's bookings in new rooms, waiting requests, payments due,
    renewals and closures."""
    for n in range(size):
        room = SpaceFactory(facility=town)
        organization = MembershipFactory().organization
        BookingFactory(space=room, organization=organization, start=seoul(2026, 12, 1, 10))
        _pending(room, f"Pending {n}", start=seoul(2026, 12, 2, 10), waited=timedelta(hours=n + 1))
        _unpaid(room, f"Unpaid {n}", deadline=seoul(2026, 11, 30, 12), start=seoul(2026, 12, 3, 10))
        RenewalRequestFactory(contract=LeaseContractFactory(unit=LeasableUnitFactory(facility=town)))
        ClosureFactory(space=room, start=seoul(2026, 12, 5 + n % 5), end=seoul(2026, 12, 6 + n % 5))


def test_the_page_uses_the_same_number_of_queries_whatever_the_data(
    client, signed_in, town, space, django_assert_num_queries
):
    client.get("/manage/")  # the session and content types are loaded once
    # Session and user, the TOTP guide (two) and the page's manager check, the header's links (two) and the bell;
    # then the page: today's bookings, payments due, renewals, closures, approvals (which the manager tabs show
    # too, not counted twice), facilities with their spaces and units.
    expected = 8 + 8

    _grow(town, space, 2)
    with django_assert_num_queries(expected):
        small = _dashboard(client)
    _grow(town, space, 8)
    with django_assert_num_queries(expected):
        large = _dashboard(client)

    assert _stat(small, "Awaiting approval") == "2"
    assert _stat(large, "Awaiting approval") == "10"
