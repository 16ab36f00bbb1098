"""Paying by bank transfer: a deadline after approval, payments recorded by the facility's manager, and
bookings still unpaid after the deadline cancelled with their slot freed."""

from datetime import timedelta

import pytest

from bookings import services, tasks
from bookings.models import Booking
from dongnam.celery import app as celery_app
from notifications.models import Notification
from tests.factories import seoul
from tests.rental.factories import MONDAY_10, PaidSpaceFactory, approved_and_paid, book, organization_member

APPROVED_AT = seoul(2026, 12, 1, 9)
DEADLINE = seoul(2026, 12, 3, 9)


def awaiting_payment(body: str) -> str:
    """The "Awaiting payment" section of the payments page."""
    return body.split('id="due-heading"')[1].split('id="refund-heading"')[0]


def api_url(booking, action):
    return f"/api/v1/bookings/{booking.pk}/{action}/"


@pytest.fixture
def pending(room, member):
    return book(member, room)


@pytest.fixture
def approved(pending, manager):
    """Approved now (Tue 2026-12-01 09:00): to be paid by Thu 2026-12-03 09:00."""
    return services.approve_booking(booking=pending, manager=manager)


# --- the deadline -------------------------------------------------------------------------------


def test_a_pending_paid_booking_has_no_deadline_yet(pending):
    pending.refresh_from_db()

    assert pending.payment_status == Booking.PaymentStatus.UNPAID
    assert pending.payment_deadline is None


def test_approval_sets_the_deadline_two_days_after_the_approval(pending, manager, clock):
    clock.move_to(seoul(2026, 12, 2, 15, 30))

    services.approve_booking(booking=pending, manager=manager)

    pending.refresh_from_db()
    assert pending.decided_at == seoul(2026, 12, 2, 15, 30)
    assert pending.payment_deadline == seoul(2026, 12, 4, 15, 30)


def test_the_days_to_pay_are_set_per_facility(town, pending, manager):
    town.payment_deadline_days = 5
    town.save()

    services.approve_booking(booking=pending, manager=manager)

    pending.refresh_from_db()
    assert pending.payment_deadline == seoul(2026, 12, 6, 9)


def test_approving_a_free_booking_sets_no_deadline(free_room, member, manager, town):
    town.requires_approval = True
    town.save()
    free_room.requires_approval = None
    free_room.save()
    booking = book(member, free_room)
    assert booking.status == Booking.Status.PENDING

    services.approve_booking(booking=booking, manager=manager)

    booking.refresh_from_db()
    assert booking.payment_status == Booking.PaymentStatus.NOT_REQUIRED
    assert booking.payment_deadline is None


def test_the_approval_mail_tells_the_amount_and_the_deadline(pending, manager, member, run_on_commit, mailoutbox):
    with run_on_commit():
        services.approve_booking(booking=pending, manager=manager)

    assert [mail.to for mail in mailoutbox] == [[member.email]]
    body = mailoutbox[0].body
    assert (
        "Pay 30,000 won by 2026-12-03 (Thu) 09:00, by bank transfer to Gyeongnam Social Economy Innovation Town "
        "or at its office; a booking not paid by then is cancelled." in " ".join(body.split())
    )


def test_the_approval_mail_of_a_free_booking_asks_for_no_payment(free_room, member, run_on_commit, mailoutbox):
    with run_on_commit():
        book(member, free_room)

    assert len(mailoutbox) == 1
    assert "won by" not in mailoutbox[0].body


def test_a_paid_space_that_confirms_at_once_sets_the_deadline_when_booking(
    instant_room, member, run_on_commit, mailoutbox
):
    with run_on_commit():
        booking = book(member, instant_room)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert booking.payment_status == Booking.PaymentStatus.UNPAID
    assert booking.payment_deadline == DEADLINE
    assert "Pay 30,000 won by 2026-12-03 (Thu) 09:00" in mailoutbox[0].body


def test_the_booking_page_tells_the_booker_how_much_to_pay_by_when(approved, member_client):
    body = member_client.get(approved.get_absolute_url()).content.decode()

    # No reduction: the fee reads as the total alone, not "30,000 = 30,000".
    assert "<strong>30,000 won</strong>" in body
    assert "30,000 =" not in body
    assert "Pay 30,000 won by 2026-12-03 (Thu) 09:00, by bank transfer" in body
    assert "a booking not paid by then is cancelled." in body


def test_the_api_shows_the_deadline(approved, member_api):
    data = member_api.get(f"/api/v1/bookings/{approved.pk}/").json()

    assert data["payment_status"] == "unpaid"
    assert data["payment_deadline"] == "2026-12-03T09:00:00+09:00"


# --- recording the payment ----------------------------------------------------------------------


def test_the_facilitys_manager_records_the_payment(approved, manager_api, manager, clock):
    clock.move_to(seoul(2026, 12, 2, 14))

    response = manager_api.post(api_url(approved, "payment"), {"reference": "KB 0417"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["payment_status"] == "paid"
    approved.refresh_from_db()
    assert approved.payment_status == Booking.PaymentStatus.PAID
    assert approved.paid_at == seoul(2026, 12, 2, 14)
    assert approved.payment_recorded_by == manager
    assert approved.payment_reference == "KB 0417"


def test_a_manager_of_another_facility_cannot_record_the_payment(approved, other_manager_api):
    response = other_manager_api.post(api_url(approved, "payment"), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_manager"
    approved.refresh_from_db()
    assert approved.payment_status == Booking.PaymentStatus.UNPAID


def test_the_booker_cannot_mark_their_own_booking_paid(approved, member_api):
    response = member_api.post(api_url(approved, "payment"), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_manager"
    approved.refresh_from_db()
    assert approved.payment_status == Booking.PaymentStatus.UNPAID


def test_a_payment_cannot_be_recorded_twice(approved, manager_api):
    assert manager_api.post(api_url(approved, "payment"), format="json").status_code == 200

    response = manager_api.post(api_url(approved, "payment"), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


@pytest.mark.parametrize("which", ["pending", "free"])
def test_only_an_approved_unpaid_booking_can_be_marked_paid(which, pending, free_room, member, manager):
    booking = pending if which == "pending" else book(member, free_room, MONDAY_10 + timedelta(hours=3))

    with pytest.raises(services.BookingError) as error:
        services.record_payment(booking=booking, manager=manager)

    assert error.value.code == "invalid_state"


# --- cancelled when not paid in time ------------------------------------------------------------


def test_the_unpaid_sweep_runs_every_ten_minutes():
    schedule = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}

    assert "bookings.tasks.cancel_unpaid_bookings" in schedule
    assert schedule["bookings.tasks.cancel_unpaid_bookings"].minute == set(range(0, 60, 10))


def test_at_the_deadline_exactly_an_unpaid_booking_is_kept(approved, clock):
    clock.move_to(DEADLINE)

    assert tasks.cancel_unpaid_bookings.delay().get() == 0

    approved.refresh_from_db()
    assert approved.status == Booking.Status.APPROVED


def test_one_second_after_the_deadline_an_unpaid_booking_is_cancelled(approved, clock):
    clock.move_to(DEADLINE + timedelta(seconds=1))

    assert tasks.cancel_unpaid_bookings.delay().get() == 1

    approved.refresh_from_db()
    assert approved.status == Booking.Status.CANCELLED
    assert approved.cancelled_at == DEADLINE + timedelta(seconds=1)
    assert approved.cancel_reason == "Not paid by the deadline."
    assert approved.refund_amount is None


def test_the_slot_of_a_booking_cancelled_for_non_payment_can_be_booked_again(approved, room, stranger, clock):
    clock.move_to(DEADLINE + timedelta(seconds=1))
    with pytest.raises(services.BookingError) as error:
        book(stranger, room)
    assert error.value.code == "slot_taken"

    services.cancel_unpaid_bookings()

    booking = book(stranger, room)
    assert booking.status == Booking.Status.PENDING
    assert (booking.start, booking.end) == (approved.start, approved.end)


def test_the_booker_is_told_the_booking_was_cancelled_for_non_payment(
    approved, member, clock, run_on_commit, mailoutbox
):
    clock.move_to(DEADLINE + timedelta(minutes=5))

    with run_on_commit():
        services.cancel_unpaid_bookings()

    overdue = Notification.objects.filter(kind=Notification.Kind.PAYMENT_OVERDUE)
    assert {(n.recipient, n.channel) for n in overdue} == {(member, "email"), (member, "in_app")}
    assert [mail.subject for mail in mailoutbox] == ["[Dongnam] Your booking was cancelled: not paid in time"]
    assert mailoutbox[0].to == [member.email]


def test_a_booking_paid_a_second_before_the_deadline_is_kept(approved, manager, clock):
    clock.move_to(DEADLINE - timedelta(seconds=1))
    services.record_payment(booking=approved, manager=manager)
    clock.move_to(DEADLINE + timedelta(hours=1))

    assert services.cancel_unpaid_bookings() == 0

    approved.refresh_from_db()
    assert approved.status == Booking.Status.APPROVED
    assert approved.payment_status == Booking.PaymentStatus.PAID


def test_the_sweep_leaves_pending_free_and_not_yet_due_bookings_alone(
    town, pending, free_room, member, stranger, manager, clock
):
    free = book(member, free_room)
    clock.move_to(seoul(2026, 12, 1, 10))
    later = services.approve_booking(booking=book(stranger, PaidSpaceFactory(facility=town)), manager=manager)
    clock.move_to(DEADLINE + timedelta(minutes=30))

    assert services.cancel_unpaid_bookings() == 0

    statuses = {b.pk: b.status for b in Booking.objects.all()}
    assert statuses == {
        pending.pk: Booking.Status.PENDING,
        free.pk: Booking.Status.APPROVED,
        later.pk: Booking.Status.APPROVED,
    }


# --- the payments page --------------------------------------------------------------------------


@pytest.fixture
def payments_of_two_facilities(town, art_center, room, manager, other_manager, clock):
    """Two approved unpaid bookings at the Innovation Town (one overdue) and one at the Art Center."""
    booker = organization_member(name_en="Gimhae Games")
    overdue = book(booker, room, title="Overdue workshop")
    services.approve_booking(booking=overdue, manager=manager)
    clock.move_to(seoul(2026, 12, 2, 10))
    due = book(booker, room, MONDAY_10 + timedelta(days=1), title="Due seminar")
    services.approve_booking(booking=due, manager=manager)
    art_room = PaidSpaceFactory(facility=art_center)
    elsewhere = book(booker, art_room, title="Art Center concert")
    services.approve_booking(booking=elsewhere, manager=other_manager)
    clock.move_to(DEADLINE + timedelta(minutes=1))
    return {"overdue": overdue, "due": due, "elsewhere": elsewhere}


def test_the_payments_page_lists_what_is_due_and_overdue_in_the_managers_facilities(
    payments_of_two_facilities, manager_client
):
    response = manager_client.get("/manage/payments/")

    assert response.status_code == 200
    body = awaiting_payment(response.content.decode())
    assert "Overdue workshop" in body
    assert "Due seminar" in body
    assert "Art Center concert" not in body
    overdue_row = body.split("Overdue workshop")[0].rsplit("<tr>", 1)[1]
    due_row = body.split("Due seminar")[0].rsplit("<tr>", 1)[1]
    assert "2026-12-03 09:00" in overdue_row and "Overdue" in overdue_row
    assert "2026-12-04 10:00" in due_row and "Overdue" not in due_row
    assert body.index("Overdue workshop") < body.index("Due seminar")


def test_the_other_facilitys_manager_sees_only_their_own_payments(payments_of_two_facilities, other_manager_client):
    body = awaiting_payment(other_manager_client.get("/manage/payments/").content.decode())

    assert "Art Center concert" in body
    assert "Overdue workshop" not in body
    assert "Due seminar" not in body


def test_the_payments_page_is_for_managers_only(member_client):
    assert member_client.get("/manage/payments/").status_code == 403


def test_a_payment_recorded_on_the_payments_page_leaves_the_list(payments_of_two_facilities, manager_client):
    due = payments_of_two_facilities["due"]

    response = manager_client.post(f"/manage/bookings/{due.pk}/payment/", {"reference": "NH 2211"})

    assert response.status_code == 302
    assert response["Location"] == "/manage/payments/"
    due.refresh_from_db()
    assert (due.payment_status, due.payment_reference) == (Booking.PaymentStatus.PAID, "NH 2211")
    body = awaiting_payment(manager_client.get("/manage/payments/").content.decode())
    assert "Due seminar" not in body
    assert "Overdue workshop" in body


def test_a_manager_cannot_record_a_payment_of_another_facility_on_the_page(payments_of_two_facilities, manager_client):
    elsewhere = payments_of_two_facilities["elsewhere"]

    response = manager_client.post(f"/manage/bookings/{elsewhere.pk}/payment/")

    assert response.status_code == 403
    elsewhere.refresh_from_db()
    assert elsewhere.payment_status == Booking.PaymentStatus.UNPAID


def test_paid_bookings_are_not_listed_as_awaiting_payment(room, member, manager, manager_client):
    approved_and_paid(book(member, room, title="Settled lecture"), manager)

    body = manager_client.get("/manage/payments/").content.decode()

    assert "Settled lecture" not in body
    assert "Nothing awaits payment." in body
