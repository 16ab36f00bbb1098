"""One admission step for a single booking, a weekly series and an offer taken from the waiting list: they
record the same decider, send the same message and owe money on the same terms."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from bookings import admission, series, services, waitlist
from bookings.models import Booking
from notifications.models import Notification
from tests.factories import seoul
from tests.rental.factories import MONDAY_10, book, organization_member

TOMORROW_14 = seoul(2026, 12, 2, 14)


def approval_messages(user):
    return Notification.objects.filter(
        recipient=user, kind="booking_approved", channel=Notification.Channel.EMAIL
    ).order_by("pk")


# --- the same terms for all three ---------------------------------------------------------------


def test_an_offer_taken_from_the_waiting_list_records_who_decided_and_tells_them(instant_room, member):
    waiting = organization_member()
    taken = book(member, instant_room)
    waitlist.join_waitlist(
        user=waiting, space=instant_room, start=taken.start, end=taken.end, title="Second in line", attendees=2
    )
    services.cancel_booking(booking=taken, user=member)
    offer = Booking.objects.get(requested_by=waiting, status=Booking.Status.OFFERED)

    accepted = waitlist.accept_offer(booking=offer, user=waiting)

    accepted.refresh_from_db()
    assert accepted.status == Booking.Status.APPROVED
    assert accepted.decided_by == waiting
    assert accepted.decided_at is not None
    assert accepted.payment_deadline == seoul(2026, 12, 3, 9)
    assert approval_messages(waiting).count() == 1


def test_a_confirmed_series_sends_one_message_that_counts_its_dates(instant_room, member):
    _series, bookings, _skipped = series.create_series(
        requested_by=member,
        space=instant_room,
        start=MONDAY_10,
        end=MONDAY_10 + timedelta(hours=2),
        title="Weekly stand-up",
        attendees=3,
        recurrence=series.Recurrence(weekdays=("MO",), count=3),
    )

    assert {booking.status for booking in bookings} == {Booking.Status.APPROVED}
    assert {booking.decided_by for booking in bookings} == {member}
    messages = list(approval_messages(member))
    assert len(messages) == 1
    assert messages[0].subject_id == bookings[0].pk
    assert messages[0].context == {"more_dates": 2}


def test_an_integrity_error_that_is_not_an_overlap_is_not_called_slot_taken(instant_room, member):
    with pytest.raises(IntegrityError), transaction.atomic():
        admission.insert(
            space=instant_room,
            requested_by=member,
            title="No one attends",
            attendees=0,
            start=MONDAY_10,
            end=MONDAY_10 + timedelta(hours=1),
        )


# --- the payment deadline -----------------------------------------------------------------------


def test_the_deadline_is_never_later_than_two_hours_before_the_start(room, member, manager, clock):
    pending = book(member, room, TOMORROW_14)
    clock.move_to(seoul(2026, 12, 1, 13, 20))

    approved = services.approve_booking(booking=pending, manager=manager)

    # Two days after the approval would be the day after the event.
    assert approved.payment_deadline == seoul(2026, 12, 2, 12)


def test_the_cut_off_is_a_facility_setting(town, room, member, manager, clock):
    town.payment_cutoff_hours = 24
    town.save()
    pending = book(member, room, TOMORROW_14 + timedelta(days=1))

    approved = services.approve_booking(booking=pending, manager=manager)

    assert approved.payment_deadline == seoul(2026, 12, 2, 14)


def test_approved_within_the_cut_off_it_is_paid_by_the_start_and_says_so(room, member, manager, client, clock):
    pending = book(member, room, TOMORROW_14)
    clock.move_to(seoul(2026, 12, 2, 13))

    approved = services.approve_booking(booking=pending, manager=manager)

    assert approved.payment_deadline == TOMORROW_14
    client.force_login(member)
    page = client.get(approved.get_absolute_url()).content.decode()
    assert "pay 30,000 won before the booking starts" in page
    assert "is cancelled" not in page
    message = Notification.objects.get(recipient=member, kind="booking_approved", channel="email")
    from notifications.messages import build_message

    assert "before the booking starts" in "\n".join(build_message(message).lines)


def test_the_automatic_cancel_never_cancels_a_booking_that_has_started(room, member, manager, clock):
    pending = book(member, room, TOMORROW_14)
    clock.move_to(seoul(2026, 12, 2, 13))
    approved = services.approve_booking(booking=pending, manager=manager)

    clock.move_to(seoul(2026, 12, 2, 14, 30))
    assert services.cancel_unpaid_bookings() == 0

    approved.refresh_from_db()
    assert (approved.status, approved.payment_status) == (Booking.Status.APPROVED, Booking.PaymentStatus.UNPAID)


# --- cancelled and rejected bookings owe nothing ------------------------------------------------


def test_a_cancelled_booking_owes_nothing_and_says_so(room, member, manager, client):
    approved = services.approve_booking(booking=book(member, room), manager=manager)

    services.cancel_booking(booking=approved, user=member)

    client.force_login(member)
    page = client.get(approved.get_absolute_url()).content.decode()
    assert "Nothing to pay" in page
    assert "Unpaid" not in page
    assert "is cancelled" not in page


def test_a_rejected_booking_owes_nothing(room, member, manager):
    rejected = services.reject_booking(booking=book(member, room), manager=manager, reason="Full that week")

    rejected.refresh_from_db()
    assert (rejected.payment_status, rejected.payment_deadline) == (Booking.PaymentStatus.NOT_REQUIRED, None)


def test_the_database_refuses_a_cancelled_booking_that_owes_money(room, member, manager):
    approved = services.approve_booking(booking=book(member, room), manager=manager)

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=approved.pk).update(status=Booking.Status.CANCELLED)


def test_the_decision_line_of_a_booking_cancelled_by_a_closure_shows_the_cancellation(
    room, member, manager, client, clock
):
    approved = services.approve_booking(booking=book(member, room), manager=manager)
    clock.move_to(seoul(2026, 12, 3, 15, 45))
    closure = services.create_closure(
        manager=manager,
        facility=room.facility,
        space=room,
        start=MONDAY_10,
        end=MONDAY_10 + timedelta(hours=4),
        reason="Water leak",
    )
    services.cancel_bookings_hit_by_closure(closure=closure, manager=manager)

    client.force_login(member)
    page = client.get(approved.get_absolute_url()).content.decode()
    decision = page.split("Decision</th>")[1].split("</tr>")[0]
    assert "2026-12-03 15:45" in decision
    assert "Water leak" in decision
    assert "2026-12-01 09:00" not in decision


# --- no-shows count by their start everywhere ---------------------------------------------------


def test_the_approval_queue_counts_no_shows_by_their_start_like_the_limit(room, member, manager, clock):
    old = book(member, room, seoul(2026, 12, 8, 10))
    Booking.objects.filter(pk=old.pk).update(status=Booking.Status.NO_SHOW, start=seoul(2026, 8, 1, 10))
    recent = book(member, room, seoul(2026, 12, 9, 10))
    Booking.objects.filter(pk=recent.pk).update(
        status=Booking.Status.NO_SHOW, start=seoul(2026, 11, 20, 10), end=seoul(2026, 11, 20, 12)
    )
    pending = book(member, room)

    from bookings.selectors import approval_queue

    row = approval_queue(manager).get(pk=pending.pk)
    # Both were created today; only the one that started within 90 days counts, as for the limit.
    assert row.booker_no_shows == 1


def test_the_history_names_every_step_in_the_readers_language(room, member, manager, client):
    approved = services.approve_booking(booking=book(member, room), manager=manager)
    services.record_payment(booking=approved, manager=manager, reference="KB 0412")

    client.force_login(member)
    history = client.get(approved.get_absolute_url()).content.decode().split('id="history-heading"')[1]

    assert "Payment recorded" in history
    assert "booking.paid" not in history
    member.language = "ko"
    member.save()
    history = client.get(approved.get_absolute_url()).content.decode().split('id="history-heading"')[1]
    assert "납부 확인" in history
