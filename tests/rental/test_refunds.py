"""Cancelling a paid booking: the booker is refunded by the facility's tiers (whole days before the start,
counted in Asia/Seoul); the facility cancelling refunds in full; the manager records the refund paid back."""

import pytest

from bookings import services
from bookings.models import Booking
from tenants.models import Membership, Organization
from tests.factories import ClosureFactory, MembershipFactory, seoul
from tests.rental.factories import approved_and_paid, book, member_of, org_of, organization_member

# The paid booking: Monday 2026-12-14 10:00–12:00, 30,000 won.
START = seoul(2026, 12, 14, 10)


def refunds_due(body: str) -> str:
    """The "Refunds to pay back" section of the payments page."""
    return body.split('id="refund-heading"')[1]


@pytest.fixture
def paid(room, member, manager):
    return approved_and_paid(book(member, room, START), manager)


def cancel_as(user, booking, reason=""):
    services.cancel_booking(booking=booking, user=user, reason=reason)
    booking.refresh_from_db()
    return booking


@pytest.mark.parametrize(
    ("moment", "refund"),
    [
        (seoul(2026, 12, 1, 9), 30_000),
        (seoul(2026, 12, 6, 23, 59), 30_000),
        (seoul(2026, 12, 7, 0, 0), 30_000),  # 7 days before
        (seoul(2026, 12, 7, 23, 59), 30_000),
        (seoul(2026, 12, 8, 0, 0), 27_000),  # 6 days before: 90%
        (seoul(2026, 12, 11, 23, 59), 27_000),  # 3 days before
        (seoul(2026, 12, 12, 0, 0), 21_000),  # 2 days before: 70%
        (seoul(2026, 12, 13, 23, 59), 21_000),  # the day before
    ],
    ids=lambda value: value.strftime("%m-%d-%H%M") if hasattr(value, "strftime") else str(value),
)
def test_the_booker_is_refunded_by_whole_days_before_the_start_in_seoul(paid, member, clock, moment, refund):
    clock.move_to(moment)

    booking = cancel_as(member, paid)

    assert booking.status == Booking.Status.CANCELLED
    assert booking.refund_amount == refund
    assert booking.payment_status == Booking.PaymentStatus.REFUND_DUE


@pytest.mark.parametrize("moment", [seoul(2026, 12, 14, 0, 0), seoul(2026, 12, 14, 9, 59)])
def test_the_booker_cancelling_on_the_day_gets_nothing_back_and_the_booking_stays_paid(paid, member, clock, moment):
    clock.move_to(moment)

    booking = cancel_as(member, paid)

    assert booking.status == Booking.Status.CANCELLED
    assert booking.refund_amount == 0
    assert booking.payment_status == Booking.PaymentStatus.PAID


def test_the_refund_is_a_share_of_what_was_paid_after_the_reduction(room, manager, clock):
    cooperative = organization_member(Organization.Kind.COOPERATIVE)
    booking = approved_and_paid(book(cooperative, room, START), manager)
    assert booking.amount_due == 21_000
    clock.move_to(seoul(2026, 12, 10, 12))

    booking = cancel_as(cooperative, booking)

    assert booking.refund_amount == 18_900


def test_the_facilitys_own_tiers_apply(town, paid, member, clock):
    town.refund_tiers = [[10, 100], [5, 50], [0, 0]]
    town.save()
    clock.move_to(seoul(2026, 12, 8, 12))

    booking = cancel_as(member, paid)

    assert booking.refund_amount == 15_000


def test_an_owner_of_the_bookers_organization_cancelling_is_refunded_by_the_tiers(paid, member, clock):
    owner = member_of(org_of(member), role=Membership.Role.OWNER)
    clock.move_to(seoul(2026, 12, 12, 9))

    booking = cancel_as(owner, paid)

    assert booking.refund_amount == 21_000


@pytest.mark.parametrize("moment", [seoul(2026, 12, 1, 10), seoul(2026, 12, 14, 9, 30)])
def test_the_manager_cancelling_refunds_in_full_even_on_the_day(paid, manager, clock, moment):
    clock.move_to(moment)

    booking = cancel_as(manager, paid, reason="The heating is broken")

    assert booking.refund_amount == 30_000
    assert booking.payment_status == Booking.PaymentStatus.REFUND_DUE


def test_a_closure_cancelling_the_booking_refunds_in_full(town, paid, manager, clock):
    clock.move_to(seoul(2026, 12, 13, 18))
    closure = ClosureFactory(space=paid.space, start=seoul(2026, 12, 14), end=seoul(2026, 12, 15))

    services.cancel_bookings_hit_by_closure(closure=closure, manager=manager)

    paid.refresh_from_db()
    assert paid.status == Booking.Status.CANCELLED
    assert paid.refund_amount == 30_000
    assert paid.payment_status == Booking.PaymentStatus.REFUND_DUE


def test_a_closure_refunds_in_full_even_a_booking_the_manager_made_for_their_organization(room, member, manager, clock):
    MembershipFactory(organization=org_of(member), user=manager)
    booking = approved_and_paid(book(manager, room, START), manager)
    clock.move_to(seoul(2026, 12, 14, 8))
    closure = ClosureFactory(space=room, start=seoul(2026, 12, 14), end=seoul(2026, 12, 15))

    services.cancel_bookings_hit_by_closure(closure=closure, manager=manager)

    booking.refresh_from_db()
    assert (booking.status, booking.refund_amount) == (Booking.Status.CANCELLED, 30_000)


def test_a_manager_cancelling_their_own_booking_is_refunded_by_the_tiers(room, member, manager, clock):
    MembershipFactory(organization=org_of(member), user=manager)
    booking = approved_and_paid(book(manager, room, START), manager)
    clock.move_to(seoul(2026, 12, 14, 8))

    booking = cancel_as(manager, booking)

    assert (booking.refund_amount, booking.payment_status) == (0, Booking.PaymentStatus.PAID)


def test_an_unpaid_booking_gets_no_refund_and_owes_nothing_once_cancelled(room, member, manager, clock):
    booking = services.approve_booking(booking=book(member, room, START), manager=manager)
    clock.move_to(seoul(2026, 12, 2, 9))

    booking = cancel_as(member, booking)

    booking.refresh_from_db()
    assert booking.refund_amount is None
    assert (booking.payment_status, booking.payment_deadline) == (Booking.PaymentStatus.NOT_REQUIRED, None)


def test_the_facility_cancelling_an_unpaid_booking_refunds_nothing(room, member, manager):
    booking = services.approve_booking(booking=book(member, room, START), manager=manager)

    booking = cancel_as(manager, booking, reason="Double booked")

    assert booking.refund_amount is None
    assert booking.payment_status == Booking.PaymentStatus.NOT_REQUIRED


def test_a_free_booking_cancelled_has_no_refund(free_room, member):
    booking = cancel_as(member, book(member, free_room, START))

    assert booking.refund_amount is None
    assert booking.payment_status == Booking.PaymentStatus.NOT_REQUIRED


# --- shown before confirming ----------------------------------------------------------------------


def test_the_confirmation_shows_the_refund_before_the_booker_cancels(paid, member_client, clock):
    clock.move_to(seoul(2026, 12, 8, 10))

    body = member_client.get(f"/bookings/{paid.pk}/cancel/").content.decode()

    assert "Cancelling now refunds 27,000 of the 30,000 won paid." in body
    paid.refresh_from_db()
    assert paid.status == Booking.Status.APPROVED


def test_the_refund_shown_changes_at_midnight_in_seoul(paid, member_client, clock):
    clock.move_to(seoul(2026, 12, 11, 23, 59))
    before = member_client.get(f"/bookings/{paid.pk}/cancel/").content.decode()
    clock.move_to(seoul(2026, 12, 12, 0, 0))
    after = member_client.get(f"/bookings/{paid.pk}/cancel/").content.decode()

    assert "Cancelling now refunds 27,000 of the 30,000 won paid." in before
    assert "Cancelling now refunds 21,000 of the 30,000 won paid." in after


def test_the_manager_sees_the_full_refund_a_cancellation_by_the_facility_gives(paid, manager_client, clock):
    clock.move_to(seoul(2026, 12, 14, 8))

    body = manager_client.get(f"/bookings/{paid.pk}/cancel/").content.decode()

    assert "Cancelling now refunds 30,000 of the 30,000 won paid." in body


def test_an_unpaid_booking_page_promises_no_refund(room, member, manager, member_client):
    booking = services.approve_booking(booking=book(member, room, START), manager=manager)

    body = member_client.get(booking.get_absolute_url()).content.decode()
    confirm = member_client.get(f"/bookings/{booking.pk}/cancel/").content.decode()

    assert f'href="/bookings/{booking.pk}/cancel/"' in body
    assert "Cancelling now refunds" not in confirm
    assert "Nothing has been paid, so nothing is owed or refunded." in confirm


def test_the_cancelled_booking_page_shows_the_refund_due(paid, member, member_client, clock):
    clock.move_to(seoul(2026, 12, 9, 10))
    cancel_as(member, paid)

    body = member_client.get(paid.get_absolute_url()).content.decode()

    assert "Refund: 27,000 won" in body
    assert "Refund due" in body


def test_the_api_cancel_returns_the_refund(paid, member_api, clock):
    clock.move_to(seoul(2026, 12, 12, 15))

    response = member_api.post(f"/api/v1/bookings/{paid.pk}/cancel/", {}, format="json")

    assert response.status_code == 200, response.json()
    assert (response.json()["refund_amount"], response.json()["payment_status"]) == (21_000, "refund_due")


# --- paying the refund back -----------------------------------------------------------------------


def test_the_manager_records_the_refund_paid_back(paid, member, manager, manager_client, clock):
    clock.move_to(seoul(2026, 12, 9, 10))
    cancel_as(member, paid)
    assert "27,000 / 30,000" in refunds_due(manager_client.get("/manage/payments/").content.decode())
    clock.move_to(seoul(2026, 12, 10, 11))

    response = manager_client.post(f"/manage/bookings/{paid.pk}/refund/")

    assert response.status_code == 302
    paid.refresh_from_db()
    assert paid.payment_status == Booking.PaymentStatus.REFUNDED
    assert paid.refunded_at == seoul(2026, 12, 10, 11)
    assert paid.refund_amount == 27_000
    assert "No refund is due." in refunds_due(manager_client.get("/manage/payments/").content.decode())


def test_a_refund_cannot_be_recorded_twice(paid, member, manager):
    cancel_as(member, paid)
    services.record_refund(booking=paid, manager=manager)

    with pytest.raises(services.BookingError) as error:
        services.record_refund(booking=paid, manager=manager)

    assert error.value.code == "invalid_state"


def test_no_refund_can_be_recorded_when_none_is_due(paid, member, manager, clock):
    clock.move_to(seoul(2026, 12, 14, 8))
    cancel_as(member, paid)

    with pytest.raises(services.BookingError) as error:
        services.record_refund(booking=paid, manager=manager)

    assert error.value.code == "invalid_state"
    paid.refresh_from_db()
    assert paid.payment_status == Booking.PaymentStatus.PAID


def test_a_manager_of_another_facility_cannot_record_the_refund(paid, member, other_manager_api):
    cancel_as(member, paid)

    response = other_manager_api.post(f"/api/v1/bookings/{paid.pk}/refund/", format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_manager"
    paid.refresh_from_db()
    assert paid.payment_status == Booking.PaymentStatus.REFUND_DUE


def test_the_api_records_the_refund(paid, member, manager_api):
    cancel_as(member, paid)

    response = manager_api.post(f"/api/v1/bookings/{paid.pk}/refund/", format="json")

    assert response.status_code == 200
    assert response.json()["payment_status"] == "refunded"
    assert response.json()["refund_amount"] == 30_000
