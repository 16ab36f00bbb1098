"""What a booking costs: the space's fee for the time, less the largest reduction the applicant earns."""

from datetime import date, timedelta

import pytest

from bookings import fees, services
from bookings.models import Booking
from tenants.models import LeaseContract, Organization
from tests.factories import SpaceFactory, UserFactory, seoul
from tests.rental.factories import (
    MONDAY_10,
    DaySpaceFactory,
    PaidSpaceFactory,
    book,
    org_of,
    organization_member,
)
from tests.tenants.factories import LeaseContractFactory

BOOKINGS = "/api/v1/bookings/"


def amounts(booking: Booking) -> tuple:
    booking.refresh_from_db()
    return booking.fee, booking.reduction_percent, booking.amount_due


# --- the fee for the time ---------------------------------------------------------------------


def test_two_hours_at_15000_won_an_hour_cost_30000_won(room, member):
    booking = book(member, room, MONDAY_10, hours=2)

    assert amounts(booking) == (30_000, 0, 30_000)
    assert booking.payment_status == Booking.PaymentStatus.UNPAID


def test_ninety_minutes_are_charged_pro_rata(room, member):
    booking = book(member, room, MONDAY_10, hours=1.5)

    assert amounts(booking) == (22_500, 0, 22_500)


@pytest.mark.parametrize(
    ("hourly_fee", "minutes", "expected"),
    [
        (1_001, 30, 501),  # 500.5: half a won is rounded up
        (1_003, 30, 502),  # 501.5
        (10_000, 35, 5_833),  # 5,833.33…
        (10_000, 25, 4_167),  # 4,166.67…
        (15_000, 5, 1_250),
    ],
)
def test_odd_minutes_are_charged_to_the_nearest_won_half_up(town, member, hourly_fee, minutes, expected):
    room = PaidSpaceFactory(facility=town, fee=hourly_fee, slot_minutes=5, min_duration_minutes=5)

    booking = book(member, room, MONDAY_10, end=MONDAY_10 + timedelta(minutes=minutes))

    assert booking.fee == expected
    assert booking.amount_due == expected


def test_a_space_let_by_the_day_charges_each_day(town, member):
    gallery = DaySpaceFactory(facility=town)

    booking = book(member, gallery, seoul(2026, 12, 7), end=seoul(2026, 12, 10))

    assert amounts(booking) == (600_000, 0, 600_000)


def test_a_day_that_is_only_started_is_charged_whole(town, manager):
    gallery = DaySpaceFactory(facility=town)

    booking = book(
        manager, gallery, seoul(2026, 12, 7), end=seoul(2026, 12, 8, 12), override_reason="Set-up for the fair"
    )

    assert booking.fee == 400_000


@pytest.mark.parametrize(
    ("length", "days"),
    [
        (timedelta(days=1), 1),
        (timedelta(days=1, minutes=1), 2),
        (timedelta(days=1, hours=12), 2),
        (timedelta(days=2), 2),
        (timedelta(hours=3), 1),
    ],
)
def test_the_day_fee_counts_every_started_day(town, length, days):
    gallery = DaySpaceFactory(facility=town)
    start = seoul(2026, 12, 7)

    assert fees.gross_fee(gallery, start, start + length) == days * 200_000


def test_a_free_space_needs_no_payment_and_has_no_deadline(free_room):
    public_body = organization_member(Organization.Kind.PUBLIC_BODY)

    booking = book(public_body, free_room)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert amounts(booking) == (0, 0, 0)
    assert booking.payment_status == Booking.PaymentStatus.NOT_REQUIRED
    assert booking.payment_deadline is None


# --- reductions -----------------------------------------------------------------------------------


@pytest.fixture
def distinct_reductions(town):
    """Different percents for each category, so the one applied can be told apart."""
    town.tenant_reduction_percent = 20
    town.social_economy_reduction_percent = 30
    town.public_body_reduction_percent = 50
    town.save()
    return town


def lease_for(organization, **fields):
    return LeaseContractFactory(organization=organization, **fields)


@pytest.mark.parametrize(
    ("kind", "tenant", "percent", "category", "due"),
    [
        (Organization.Kind.STARTUP, False, 0, "", 30_000),
        (Organization.Kind.CONTENT_COMPANY, False, 0, "", 30_000),
        (Organization.Kind.STARTUP, True, 20, "tenant", 24_000),
        (Organization.Kind.SOCIAL_ENTERPRISE, False, 30, "social_economy", 21_000),
        (Organization.Kind.COOPERATIVE, False, 30, "social_economy", 21_000),
        (Organization.Kind.VILLAGE_ENTERPRISE, False, 30, "social_economy", 21_000),
        (Organization.Kind.PUBLIC_BODY, False, 50, "public_body", 15_000),
        # Several categories: the largest reduction applies, never their sum.
        (Organization.Kind.COOPERATIVE, True, 30, "social_economy", 21_000),
        (Organization.Kind.PUBLIC_BODY, True, 50, "public_body", 15_000),
    ],
)
def test_the_applicant_gets_the_largest_reduction_of_its_categories(
    distinct_reductions, room, kind, tenant, percent, category, due
):
    applicant = organization_member(kind)
    if tenant:
        lease_for(org_of(applicant))

    booking = book(applicant, room)

    assert amounts(booking) == (30_000, percent, due)
    assert booking.reduction_category == category


def test_a_tenant_reduction_larger_than_the_social_economy_one_wins(distinct_reductions, room):
    distinct_reductions.tenant_reduction_percent = 40
    distinct_reductions.save()
    cooperative = organization_member(Organization.Kind.COOPERATIVE)
    lease_for(org_of(cooperative))

    booking = book(cooperative, room)

    assert amounts(booking) == (30_000, 40, 18_000)
    assert booking.reduction_category == "tenant"


@pytest.mark.parametrize(
    "lease",
    [
        {"start_date": date(2024, 12, 1), "end_date": date(2026, 11, 30)},  # ended yesterday
        {"start_date": date(2026, 12, 2), "end_date": date(2028, 12, 1)},  # starts tomorrow
        {"status": LeaseContract.Status.TERMINATED},
        {"status": LeaseContract.Status.DRAFT},
    ],
    ids=["ended-yesterday", "starts-tomorrow", "terminated", "draft"],
)
def test_only_a_lease_active_today_earns_the_tenant_reduction(distinct_reductions, room, lease):
    startup = organization_member(Organization.Kind.STARTUP)
    lease_for(org_of(startup), **lease)

    booking = book(startup, room)

    assert amounts(booking) == (30_000, 0, 30_000)


def test_a_lease_ending_today_still_earns_the_tenant_reduction(distinct_reductions, room):
    startup = organization_member(Organization.Kind.STARTUP)
    lease_for(org_of(startup), start_date=date(2024, 12, 2), end_date=date(2026, 12, 1))

    booking = book(startup, room)

    assert amounts(booking) == (30_000, 20, 24_000)


def test_a_booker_without_organization_gets_no_reduction(room):
    booking = book(UserFactory(), room)

    assert amounts(booking) == (30_000, 0, 30_000)


@pytest.mark.parametrize(
    ("hourly_fee", "percent", "due"),
    [
        (10_001, 33, 6_700),  # 6,700.67 owed: the fraction is dropped, not rounded up
        (15_001, 30, 10_500),  # 10,500.7
        (10_000, 33, 6_700),  # exact
    ],
)
def test_the_reduced_amount_drops_fractions_of_a_won_in_the_applicants_favour(town, hourly_fee, percent, due):
    town.social_economy_reduction_percent = percent
    town.save()
    room = PaidSpaceFactory(facility=town, fee=hourly_fee)
    cooperative = organization_member(Organization.Kind.COOPERATIVE)

    booking = book(cooperative, room, hours=1)

    assert amounts(booking) == (hourly_fee, percent, due)


# --- the fee is fixed when booking ----------------------------------------------------------------


def test_later_price_changes_do_not_change_a_booking(town, room, manager):
    cooperative = organization_member(Organization.Kind.COOPERATIVE)
    booking = book(cooperative, room)

    room.fee = 20_000
    room.save()
    town.social_economy_reduction_percent = 0
    town.save()
    services.approve_booking(booking=booking, manager=manager)

    assert amounts(booking) == (30_000, 30, 21_000)
    assert book(cooperative, room, MONDAY_10 + timedelta(hours=3)).amount_due == 40_000


def test_the_booking_page_shows_the_stored_fee_and_reduction(room, member_client, member, town):
    member_org = org_of(member)
    member_org.kind = Organization.Kind.COOPERATIVE
    member_org.save()
    booking = book(member, room)
    room.fee = 99_000
    room.save()

    body = member_client.get(booking.get_absolute_url()).content.decode()

    assert "30,000 won − 30% reduction (social-economy organization) = <strong>21,000 won</strong>" in " ".join(
        body.split()
    )
    assert "99,000" not in body


# --- shown before booking, and in the API -------------------------------------------------------


def test_the_booking_form_shows_the_hourly_fee_and_the_applicants_reduction(room, member_client, member):
    member_org = org_of(member)
    member_org.kind = Organization.Kind.SOCIAL_ENTERPRISE
    member_org.save()

    body = member_client.get(f"/spaces/{room.slug}/", {"date": "2026-12-07"}).content.decode()

    assert "Fee: 15,000 won an hour." in body
    assert "Your reduction: 30% (social-economy organization)." in body


def test_the_booking_form_shows_a_tenants_reduction(room, member_client, member):
    lease_for(org_of(member))

    body = member_client.get(f"/spaces/{room.slug}/").content.decode()

    assert "Your reduction: 30% (tenant of the hall)." in body


def test_the_booking_form_shows_no_reduction_to_a_plain_startup(room, member_client):
    body = member_client.get(f"/spaces/{room.slug}/").content.decode()

    assert "Fee: 15,000 won an hour." in body
    assert "Your reduction" not in body


def test_the_booking_form_shows_the_day_fee_of_a_gallery(town, member_client):
    gallery = DaySpaceFactory(facility=town)

    body = member_client.get(f"/spaces/{gallery.slug}/").content.decode()

    assert "Fee: 200,000 won a day." in body


def test_the_booking_form_of_a_free_space_says_so_and_offers_no_reduction(free_room, member_client, member):
    member_org = org_of(member)
    member_org.kind = Organization.Kind.PUBLIC_BODY
    member_org.save()

    body = member_client.get(f"/spaces/{free_room.slug}/").content.decode()

    assert "Free of charge." in body
    assert "Your reduction" not in body
    assert "Fee:" not in body


def test_the_api_carries_the_fee_the_reduction_and_the_payment_status(room, member_api, member):
    member_org = org_of(member)
    member_org.kind = Organization.Kind.COOPERATIVE
    member_org.save()

    response = member_api.post(
        BOOKINGS,
        {
            "space": room.slug,
            "title": "Board meeting",
            "attendees": 6,
            "start": "2026-12-07T10:00:00+09:00",
            "end": "2026-12-07T12:00:00+09:00",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["fee"], data["reduction_percent"], data["amount_due"]) == (30_000, 30, 21_000)
    assert data["payment_status"] == "unpaid"
    assert data["payment_deadline"] is None
    assert data["refund_amount"] is None
    listed = member_api.get(BOOKINGS).json()["results"]
    assert [(b["id"], b["fee"], b["amount_due"], b["payment_status"]) for b in listed] == [
        (data["id"], 30_000, 21_000, "unpaid")
    ]


def test_the_api_refuses_a_fee_sent_by_the_client(room, member_api):
    response = member_api.post(
        BOOKINGS,
        {
            "space": room.slug,
            "title": "Cheap",
            "attendees": 2,
            "start": "2026-12-07T10:00:00+09:00",
            "end": "2026-12-07T12:00:00+09:00",
            "fee": 1,
            "amount_due": 0,
            "reduction_percent": 100,
            "payment_status": "paid",
        },
        format="json",
    )

    assert response.status_code == 201
    booking = Booking.objects.get(pk=response.json()["id"])
    assert (booking.fee, booking.reduction_percent, booking.amount_due) == (30_000, 0, 30_000)
    assert booking.payment_status == Booking.PaymentStatus.UNPAID


def test_a_free_booking_shows_free_in_the_api(free_room, member_api):
    response = member_api.post(
        BOOKINGS,
        {
            "space": free_room.slug,
            "title": "Free",
            "attendees": 2,
            "start": "2026-12-07T10:00:00+09:00",
            "end": "2026-12-07T12:00:00+09:00",
        },
        format="json",
    )

    data = response.json()
    assert response.status_code == 201
    assert (data["status"], data["fee"], data["amount_due"]) == ("approved", 0, 0)
    assert (data["payment_status"], data["payment_deadline"]) == ("not_required", None)


def test_a_free_space_is_quoted_free_whatever_the_applicants_reductions(town):
    space = SpaceFactory(facility=town, fee=0)
    public_body = Organization(kind=Organization.Kind.PUBLIC_BODY)

    quote = fees.price(space, MONDAY_10, MONDAY_10 + timedelta(hours=2), public_body, is_tenant=True)

    assert (quote.fee, quote.reduction_percent, quote.amount_due, quote.reduction_category) == (0, 0, 0, "")
