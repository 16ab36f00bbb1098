"""Delivery: each message is sent once, a failing mail server only delays it, and a crashed sender's
messages are picked up again."""

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core.mail.backends import locmem
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bookings import services as bookings
from bookings.models import Booking
from bookings.notifications import create_booking_reminders
from notifications import services
from notifications.models import Notification
from notifications.tasks import send_notification
from tenants import services as tenancy
from tenants.notifications import create_lease_expiry_reminders
from tests.factories import UserFactory, enable_totp
from tests.notifications.conftest import NOW
from tests.notifications.factories import (
    BookingFactory,
    LeaseContractFactory,
    NotificationFactory,
    mailed_ids,
    seoul,
)

pytestmark = pytest.mark.django_db


class FlakySMTPBackend(locmem.EmailBackend):
    """A mail server that drops the connection ``failures_left`` more times, then delivers (to mail.outbox)."""

    failures_left = 0
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{FlakySMTPBackend.__module__}.FlakySMTPBackend"
    FlakySMTPBackend.failures_left = 0
    FlakySMTPBackend.attempts = 0
    yield FlakySMTPBackend
    FlakySMTPBackend.failures_left = 0


@pytest.fixture
def approval(pending, booker):
    """The e-mail about the approval of the booker's booking, written but not sent (its task was lost)."""
    pending.status = Booking.Status.APPROVED
    pending.save(update_fields=["status"])
    return NotificationFactory(recipient=booker, subject=pending, dedupe_key=f"booking:{pending.pk}:approved:e")


def status_of(notification) -> tuple:
    notification.refresh_from_db()
    return notification.status, notification.attempts


# --- Claiming ---------------------------------------------------------------------------------------


def test_only_one_sender_can_claim_a_notification(approval):
    assert services.claim(approval.pk) is True
    assert services.claim(approval.pk) is False

    approval.refresh_from_db()
    assert approval.status == Notification.Status.SENDING
    assert approval.attempts == 1
    assert approval.claimed_at == NOW


def test_a_notification_not_yet_due_is_not_sent(approval, mailoutbox):
    approval.due_at = NOW + timedelta(minutes=5)
    approval.save(update_fields=["due_at"])

    assert services.deliver(approval.pk) == "not_claimed"

    assert mailoutbox == []
    assert status_of(approval) == (Notification.Status.PENDING, 0)


def test_a_notification_already_sent_is_not_sent_again(approval, mailoutbox):
    assert services.deliver(approval.pk) == Notification.Status.SENT
    assert len(mailoutbox) == 1

    assert services.deliver(approval.pk) == "not_claimed"
    assert send_notification(approval.pk) == "not_claimed"
    send_notification.delay(approval.pk)

    assert mailids_once(mailoutbox) == [approval.pk]
    assert status_of(approval) == (Notification.Status.SENT, 1)


def mailids_once(outbox) -> list[int]:
    return sorted(mailed_ids(outbox))


# --- A failing mail server ---------------------------------------------------------------------------


def test_a_failing_mail_server_delays_the_message_and_it_is_sent_once_on_the_third_try(
    approval, flaky_mail, mailoutbox, clock
):
    flaky_mail.failures_left = 2

    with pytest.raises(services.TransientError):
        services.deliver(approval.pk)

    approval.refresh_from_db()
    assert (approval.status, approval.attempts) == (Notification.Status.PENDING, 1)
    assert approval.due_at == NOW + timedelta(minutes=1)
    assert approval.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mailoutbox == []
    # Not due again yet: a retried task that comes too early sends nothing and does not count an attempt.
    assert services.deliver(approval.pk) == "not_claimed"
    assert status_of(approval) == (Notification.Status.PENDING, 1)

    clock.shift(timedelta(minutes=1))
    with pytest.raises(services.TransientError):
        services.deliver(approval.pk)
    approval.refresh_from_db()
    assert (approval.status, approval.attempts) == (Notification.Status.PENDING, 2)
    assert approval.due_at == timezone.now() + timedelta(minutes=2)

    clock.shift(timedelta(minutes=2))
    assert services.deliver(approval.pk) == Notification.Status.SENT

    approval.refresh_from_db()
    assert (approval.status, approval.attempts, approval.last_error) == (Notification.Status.SENT, 3, "")
    assert approval.sent_at == timezone.now()
    assert mailids_once(mailoutbox) == [approval.pk]
    assert flaky_mail.attempts == 3
    assert services.deliver(approval.pk) == "not_claimed"
    assert len(mailoutbox) == 1


def test_the_every_minute_sweep_keeps_trying_until_the_mail_server_is_back(approval, flaky_mail, mailoutbox, clock):
    flaky_mail.failures_left = 3

    for _minute in range(20):
        services.sweep(send_inline=True)
        clock.shift(timedelta(minutes=1))

    assert mailids_once(mailoutbox) == [approval.pk]
    assert status_of(approval) == (Notification.Status.SENT, 4)


def test_an_approval_succeeds_while_the_mail_server_is_down_and_the_mail_follows_later(
    pending, booker, manager, flaky_mail, mailoutbox, run_on_commit, clock
):
    flaky_mail.failures_left = 1

    with run_on_commit():
        bookings.approve_booking(booking=pending, manager=manager)

    pending.refresh_from_db()
    assert pending.status == Booking.Status.APPROVED
    assert mailoutbox == []
    email = Notification.objects.get(recipient=booker, channel="email")
    assert (email.status, email.attempts) == (Notification.Status.PENDING, 1)
    assert email.last_error.startswith("SMTPServerDisconnected")
    # The in-app message does not depend on the mail server.
    assert services.unread_count(booker) == 1

    clock.shift(timedelta(minutes=1))
    services.sweep(send_inline=True)

    assert mailids_once(mailoutbox) == [email.pk]
    assert status_of(email) == (Notification.Status.SENT, 2)


def test_after_the_last_attempt_the_message_is_failed_with_its_error_and_stays_failed(
    approval, flaky_mail, mailoutbox, clock
):
    flaky_mail.failures_left = 100

    for _attempt in range(services.MAX_ATTEMPTS + 3):
        services.sweep(send_inline=True)
        clock.shift(timedelta(hours=1))

    approval.refresh_from_db()
    assert approval.status == Notification.Status.FAILED
    assert approval.attempts == services.MAX_ATTEMPTS
    assert approval.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert flaky_mail.attempts == services.MAX_ATTEMPTS
    assert mailoutbox == []


def test_an_administrator_sees_the_failed_message_and_retries_it_and_it_is_sent(
    approval, booker, flaky_mail, mailoutbox, clock, client, admin_user, run_on_commit
):
    flaky_mail.failures_left = services.MAX_ATTEMPTS
    for _attempt in range(services.MAX_ATTEMPTS):
        services.sweep(send_inline=True)
        clock.shift(timedelta(hours=1))
    assert status_of(approval) == (Notification.Status.FAILED, services.MAX_ATTEMPTS)
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    enable_totp(admin_user)
    client.force_login(admin_user)

    changelist = reverse("admin:notifications_notification_changelist")
    listed = client.get(changelist, {"status__exact": "failed"})
    assert listed.status_code == 200
    assert reverse("admin:notifications_notification_change", args=[approval.pk]) in listed.content.decode()
    detail = client.get(reverse("admin:notifications_notification_change", args=[approval.pk]))
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in detail.content.decode()

    # The mail server works again; the administrator retries.
    with run_on_commit():
        response = client.post(
            changelist, {"action": "retry_failed", "_selected_action": [approval.pk], "index": 0}, follow=True
        )

    assert response.status_code == 200
    assert "1 notifications queued again." in response.content.decode()
    approval.refresh_from_db()
    assert (approval.status, approval.attempts, approval.last_error) == (Notification.Status.SENT, 1, "")
    assert mailids_once(mailoutbox) == [approval.pk]


def test_retrying_leaves_messages_that_did_not_fail_alone(approval, mailoutbox, run_on_commit):
    services.deliver(approval.pk)
    assert len(mailoutbox) == 1

    with run_on_commit():
        services.retry(notification=approval)

    assert status_of(approval) == (Notification.Status.SENT, 1)
    assert len(mailoutbox) == 1


# --- Crashed senders and the sweep --------------------------------------------------------------------


def test_a_claim_older_than_the_timeout_is_given_back_and_then_sent(booker, pending, mailoutbox, clock):
    stale = NotificationFactory(
        recipient=booker,
        subject=pending,
        kind=Notification.Kind.BOOKING_REJECTED,
        status=Notification.Status.SENDING,
        attempts=1,
        claimed_at=NOW - services.CLAIM_TIMEOUT - timedelta(minutes=1),
    )
    working = NotificationFactory(
        recipient=booker,
        subject=pending,
        kind=Notification.Kind.BOOKING_REJECTED,
        status=Notification.Status.SENDING,
        attempts=1,
        claimed_at=NOW - timedelta(minutes=5),
    )

    assert services.release_stale_claims() == 1

    stale.refresh_from_db()
    assert (stale.status, stale.due_at) == (Notification.Status.PENDING, NOW)
    assert status_of(working) == (Notification.Status.SENDING, 1)

    result = services.sweep(send_inline=True)

    assert result["sent"] == 1
    assert mailids_once(mailoutbox) == [stale.pk]
    assert status_of(stale) == (Notification.Status.SENT, 2)
    assert status_of(working) == (Notification.Status.SENDING, 1)


def test_the_sweep_releases_stale_claims_itself(approval, mailoutbox, clock):
    assert services.claim(approval.pk)  # a worker took it and died

    clock.shift(services.CLAIM_TIMEOUT - timedelta(seconds=1))
    assert services.sweep(send_inline=True)["released"] == 0
    assert mailoutbox == []

    clock.shift(timedelta(seconds=2))
    result = services.sweep(send_inline=True)

    assert (result["released"], result["sent"]) == (1, 1)
    assert mailids_once(mailoutbox) == [approval.pk]


def lost_messages(count, clock_now):
    """``count`` approved bookings whose approval e-mail and in-app message were written but never enqueued."""
    rows = []
    for number in range(count):
        booking = BookingFactory(
            start=clock_now + timedelta(days=2, hours=number), status=Booking.Status.APPROVED, decided_at=clock_now
        )
        for channel in (Notification.Channel.EMAIL, Notification.Channel.IN_APP):
            rows.append(
                NotificationFactory(
                    recipient=booking.requested_by,
                    subject=booking,
                    channel=channel,
                    dedupe_key=f"booking:{booking.pk}:approved:{channel}",
                    due_at=clock_now - timedelta(minutes=number),
                )
            )
    return rows


def test_the_sweep_run_twice_in_a_row_sends_each_due_message_once(mailoutbox, clock):
    rows = lost_messages(5, NOW)
    later = NotificationFactory(due_at=NOW + timedelta(hours=1), subject=BookingFactory(status="approved"))

    first = services.sweep(send_inline=True)
    second = services.sweep(send_inline=True)

    assert (first["due"], first["sent"]) == (10, 10)
    assert (second["due"], second["sent"]) == (0, 0)
    emails = [row.pk for row in rows if row.channel == "email"]
    assert mailids_once(mailoutbox) == sorted(emails)
    assert Notification.objects.filter(status="sent").count() == 10
    assert status_of(later) == (Notification.Status.PENDING, 0)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_time_send_every_message_exactly_once(mailoutbox):
    now = timezone.now()
    lost = lost_messages(10, now)
    # Ten approved bookings starting within a day: both sweeps race to create and send their reminders.
    booker = UserFactory(email="early.bird@example.com")
    for number in range(10):
        BookingFactory(
            requested_by=booker,
            start=now + timedelta(hours=2 + number, minutes=30),
            status=Booking.Status.APPROVED,
            decided_at=now - timedelta(days=7),
        )
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def sweep(index):
        try:
            barrier.wait(timeout=15)
            outcomes[index] = services.sweep(send_inline=True)
        except BaseException as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, args=(index,), daemon=True) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a sweep hung"
    assert all(isinstance(outcome, dict) for outcome in outcomes), outcomes
    reminders_made = Notification.objects.filter(kind="booking_reminder")
    assert reminders_made.count() == 20
    assert Notification.objects.exclude(status="sent").count() == 0
    assert Notification.objects.count() == len(lost) + 20
    emails = sorted(Notification.objects.filter(channel="email").values_list("pk", flat=True))
    assert len(emails) == 20
    assert mailids_once(mailoutbox) == emails
    assert all(row.attempts == 1 for row in Notification.objects.all())


# --- Messages that are no longer true ----------------------------------------------------------------


@pytest.fixture
def approved(booker, space, clock):
    """The booker's approved booking of Friday 2026-12-04 10:00, approved a day before NOW."""
    return BookingFactory(
        requested_by=booker,
        space=space,
        start=seoul(2026, 12, 4, 10),
        status=Booking.Status.APPROVED,
        decided_at=NOW - timedelta(days=1),
    )


def test_a_reminder_for_a_booking_cancelled_after_it_was_created_is_skipped_not_sent(
    approved, booker, mailoutbox, clock
):
    clock.move_to(approved.start - timedelta(hours=24))
    assert create_booking_reminders(now=timezone.now()) == 2
    bookings.cancel_booking(booking=approved, user=booker)

    for reminder in Notification.objects.filter(kind="booking_reminder"):
        assert services.deliver(reminder.pk) == Notification.Status.SKIPPED
        reminder.refresh_from_db()
        assert (reminder.status, reminder.last_error) == (Notification.Status.SKIPPED, "no longer relevant")
    assert mailoutbox == []
    assert services.unread_count(booker) == 0


def test_a_reminder_found_only_after_the_booking_started_is_skipped(approved, booker, mailoutbox, clock):
    clock.move_to(approved.start - timedelta(hours=1))
    create_booking_reminders(now=timezone.now())
    clock.move_to(approved.start + timedelta(minutes=1))

    services.sweep(send_inline=True)

    assert mailoutbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SKIPPED}


def test_a_lease_reminder_is_skipped_once_notice_was_given(contract, tenant, mailoutbox, clock):
    clock.move_to(NOW + timedelta(days=15))  # 30 days before the end
    create_lease_expiry_reminders()
    tenancy.give_notice(contract=contract, user=tenant["owner"], note="We move to Busan.")

    services.sweep(send_inline=True)

    assert Notification.objects.filter(kind="lease_expiry").count() == 4
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SKIPPED}
    assert mailoutbox == []


def test_a_message_about_a_deleted_contract_is_skipped(tenant, unit, mailoutbox, clock):
    contract = LeaseContractFactory(organization=tenant["organization"], unit=unit)
    NotificationFactory(recipient=tenant["owner"], subject=contract, kind=Notification.Kind.CONTRACT_EXPIRED)
    contract.delete()

    services.sweep(send_inline=True)

    assert mailoutbox == []
    assert list(Notification.objects.values_list("status", flat=True)) == [Notification.Status.SKIPPED]
