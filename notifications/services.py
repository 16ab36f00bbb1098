"""The outbox: create notifications with the change that causes them, and deliver each exactly once.

``notify`` writes rows inside the caller's transaction (an existing ``dedupe_key`` makes it a no-op); the
due rows reach the workers through the relay (``notifications.relay``: the table's trigger wakes a listening
worker at commit) or, without it, by a broker message published after commit. ``deliver`` claims a row with a
conditional update that must change exactly one row, sends it, and records the result. The periodic
``sweep`` creates the reminders that have become due (the jobs the apps register) and sends whatever is still
pending, so a lost task, a broker outage or a relay that was not listening only delays a message.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from common import solapi
from notifications import kakao, preferences, quiet_hours, registry, relay
from notifications.models import Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A claim older than this belongs to a sender that died; the row is given to the next sender.
CLAIM_TIMEOUT = timedelta(minutes=10)
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Recipient:
    user: object | None = None
    email: str = ""

    @staticmethod
    def user_key(user_id: int) -> str:
        return f"u{user_id}"

    @property
    def key(self) -> str:
        return self.user_key(self.user.pk) if self.user is not None else f"e{self.email.lower()}"


def dedupe_key(key: str, recipient_key: str, channel: str) -> str:
    """The de-duplication key of one event's message to one recipient (``Recipient.key``) on one channel."""
    return f"{key}:{recipient_key}:{channel}"[:200]


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def notify(
    *,
    kind: str,
    recipients,
    subject: models.Model | None,
    key: str,
    context: dict | None = None,
    due_at: datetime | None = None,
    channels=None,
    new_subject: bool = False,
) -> int:
    """Queue ``kind`` for each recipient (users or ``Recipient``) on each channel; returns rows created.

    ``key`` names the event (e.g. ``booking:12:approved``); with the recipient and the channel it forms
    the de-duplication key, so calling twice for one event creates nothing the second time.
    ``channels``: by default e-mail, the bell and KakaoTalk/SMS, each as the recipient chose on the account
    page (``notifications.preferences``; read from the user row, no query). A KakaoTalk/SMS message due in the
    quiet hours waits for their end unless its kind is urgent (``notifications.quiet_hours``).
    ``new_subject``: the subject was created in this transaction, so no row about it can exist yet and the
    existing keys are not looked up.
    """
    now = timezone.now()
    due_at = due_at or now
    if channels is None:
        channels = (Notification.Channel.EMAIL, Notification.Channel.IN_APP, Notification.Channel.KAKAO)
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    rows = []
    for recipient in recipients:
        if not isinstance(recipient, Recipient):
            recipient = Recipient(user=recipient)
        user = recipient.user
        if user is not None and not user.is_active:
            continue
        if user is not None and registry.is_optional(kind) and not user.reminders_enabled:
            continue
        for channel in channels:
            if channel in (Notification.Channel.IN_APP, Notification.Channel.KAKAO) and user is None:
                continue  # no inbox and no mobile number without an account
            if user is not None and not preferences.wants(user, kind=kind, channel=channel):
                continue
            rows.append(
                Notification(
                    recipient=user,
                    to_email="" if user is not None else recipient.email,
                    kind=kind,
                    channel=channel,
                    subject_type=subject_type,
                    subject_id=subject.pk if subject is not None else None,
                    context=context or {},
                    dedupe_key=dedupe_key(key, recipient.key, channel),
                    due_at=quiet_hours.defer(due_at, kind=kind) if channel == Notification.Channel.KAKAO else due_at,
                )
            )
    if not rows:
        return 0
    new_rows = rows
    if not new_subject:
        keys = [row.dedupe_key for row in rows]
        existing = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        new_rows = [row for row in rows if row.dedupe_key not in existing]
    # ignore_conflicts: a concurrent sweep may have inserted the same key between the read and the write.
    Notification.objects.bulk_create(new_rows, ignore_conflicts=True)
    # With the relay, the table's trigger wakes a worker at commit and the request never meets the broker.
    if not relay.is_active():
        # Rows held back (a reminder, a text in the quiet hours) are sent by the sweep when due.
        new_keys = [row.dedupe_key for row in new_rows if row.due_at <= now]
        if new_keys:
            transaction.on_commit(lambda: enqueue_keys(new_keys))
    return len(new_rows)


def enqueue_keys(keys: list[str]) -> None:
    """Hand one event's new rows to the workers by their keys: one broker message and no query in the request
    that caused them; a worker finds the rows and queues one send task each."""
    from notifications.tasks import send_notifications_by_key

    try:
        # No publish retries: with the broker down the request would wait out the retry policy instead of
        # answering; the sweep sends the rows a minute later. The arguments' repr (shown by the worker's log)
        # is given: Celery's bounded "safe" repr of them costs a sixth of the publish.
        send_notifications_by_key.apply_async((keys,), retry=False, argsrepr=repr((keys,)), kwargsrepr="{}")
    except Exception:  # the broker is down; the rows stay pending and the sweep sends them
        logger.warning("Could not enqueue notifications %s; the sweep will send them", keys, exc_info=True)


def pending_ids(keys: list[str]) -> list[int]:
    return list(
        Notification.objects.filter(dedupe_key__in=keys, status=Notification.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def enqueue(ids) -> None:
    """Hand notifications to the workers. A broker outage is logged, not raised: the sweep sends them later."""
    from notifications.tasks import send_notification

    for pk in ids:
        try:
            send_notification.apply_async((pk,), retry=False)
        except Exception:  # the broker is down; the row stays pending and the sweep retries
            logger.warning("Could not enqueue notification %s; the sweep will send it", pk, exc_info=True)
            return


def claim(pk: int, *, now: datetime | None = None) -> bool:
    """Take a due, pending notification for sending. True for exactly one caller."""
    now = now or timezone.now()
    return (
        Notification.objects.filter(pk=pk, status=Notification.Status.PENDING, due_at__lte=now).update(
            status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    )


class TransientError(Exception):
    """A failure worth retrying (the mail server is down)."""


def _fail(pk: int, attempts: int, error: Exception, *, final: bool) -> None:
    Notification.objects.filter(pk=pk, status=Notification.Status.SENDING).update(
        status=Notification.Status.FAILED if final else Notification.Status.PENDING,
        due_at=timezone.now() + _backoff(attempts),
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    logger.warning("Notification %s failed (attempt %s): %s", pk, attempts, error)


def deliver(pk: int) -> str:
    """Send one notification if it is still due and unsent; returns its final status (or 'skipped' if taken)."""
    if not claim(pk):
        return "not_claimed"
    notification = Notification.objects.select_related("recipient", "subject_type").get(pk=pk)
    from notifications.messages import build_message, still_relevant

    if not still_relevant(notification):
        Notification.objects.filter(pk=pk).update(status=Notification.Status.SKIPPED, last_error="no longer relevant")
        return Notification.Status.SKIPPED
    sent = {"last_error": ""}
    try:
        if notification.channel == Notification.Channel.EMAIL:
            _send_email(notification, build_message)
        elif notification.channel == Notification.Channel.KAKAO:
            delivery = kakao.send(notification)
            sent = {
                "sent_as": delivery.sent_as,
                "provider_message_id": delivery.message_id,
                "last_error": delivery.note,
            }
    except kakao.NotSendable as reason:
        Notification.objects.filter(pk=pk, status=Notification.Status.SENDING).update(
            status=Notification.Status.SKIPPED, last_error=str(reason)[:2000]
        )
        return Notification.Status.SKIPPED
    except solapi.Rejected as error:  # the provider refused it: the same message would be refused again
        _fail(pk, notification.attempts, error, final=True)
        return Notification.Status.FAILED
    except Exception as error:  # any failure of the mail backend or the provider: retry later or give up
        attempts = notification.attempts
        failed = attempts >= MAX_ATTEMPTS
        _fail(pk, attempts, error, final=failed)
        if failed:
            return Notification.Status.FAILED
        raise TransientError(str(error)) from error
    Notification.objects.filter(pk=pk, status=Notification.Status.SENDING).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), **sent
    )
    return Notification.Status.SENT


def _send_email(notification: Notification, build_message) -> None:
    language = (notification.recipient.language if notification.recipient else None) or settings.LANGUAGE_CODE
    with translation.override(language):
        # The subject and lines as well as the templates: the sending process may run in another language.
        message = build_message(notification)
        context = {"message": message, "site_url": settings.SITE_URL}
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=text,
        to=[notification.address],
        headers={"X-Dongnam-Notification": str(notification.pk)},
    )
    email.attach_alternative(html, "text/html")
    email.send(fail_silently=False)


def retry(*, notification: Notification) -> None:
    """An administrator gives a failed notification another set of attempts."""
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, attempts=0, due_at=timezone.now(), last_error=""
    )
    transaction.on_commit(lambda: enqueue([notification.pk]))


def release_stale_claims(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Notification.objects.filter(status=Notification.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT).update(
        status=Notification.Status.PENDING, due_at=now
    )


def due_ids(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    now = now or timezone.now()
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(*, now: datetime | None = None, send_inline: bool = False) -> dict:
    """Every minute: create the reminders that became due (the apps' sweep jobs), free stale claims, send
    what is due."""
    now = now or timezone.now()
    created = registry.run_sweep_jobs(now=now)
    released = release_stale_claims(now=now)
    ids = due_ids(now=now)
    sent = 0
    if send_inline:
        for pk in ids:
            try:
                if deliver(pk) == Notification.Status.SENT:
                    sent += 1
            except TransientError:
                continue
    else:
        enqueue(ids)
    return {"reminders": created, "released": released, "due": len(ids), "sent": sent}


# --- The in-app inbox ---------------------------------------------------------------------------


def inbox(user):
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.IN_APP, status=Notification.Status.SENT
    ).select_related("subject_type")


def unread_count(user) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def mark_read(*, user, notification_id: int | None = None) -> int:
    qs = inbox(user).filter(read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
