"""What bookings tell people: the kinds of notification about bookings, their texts, the booking reminders
of the every-minute sweep and the managers' morning digest. Registered from ``BookingsConfig.ready()``.

The texts are built when a message is sent or shown, in the recipient's language; what they need from the
moment of the cause is kept in the notification's context in a form that does not depend on a language.
"""

from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bookings.models import Booking, ReductionApplication
from bookings.payment_instructions import payment_instructions
from hall.selectors import facilities_managed_by
from notifications.messages import Message, absolute_url, reason_lines, subject_line, when
from notifications.models import Notification
from notifications.registry import register_kind, register_subject, register_sweep
from notifications.services import Recipient, dedupe_key, notify
from tenants.models import RenewalRequest

# How long before an unpaid booking's payment deadline its booker is warned (create_payment_reminders).
PAYMENT_REMINDER_BEFORE = timedelta(hours=1)

# --- The texts ----------------------------------------------------------------------------------------------


def _end(booking) -> str:
    start, end = timezone.localtime(booking.start), timezone.localtime(booking.end)
    return date_format(end, "H:i") if start.date() == end.date() else when(booking.end)


def _booking_message(notification, subject_text: str, intro: str, extra=()) -> Message:
    booking = notification.subject
    return Message(
        subject=subject_line(subject_text),
        lines=[
            intro,
            _("Space: %(space)s, %(facility)s")
            % {"space": booking.space.display_name, "facility": booking.space.facility.display_name},
            _("When: %(start)s – %(end)s") % {"start": when(booking.start), "end": _end(booking)},
            _("Title: %(title)s") % {"title": booking.title},
            *extra,
        ],
        link=absolute_url(booking.get_absolute_url()),
        link_label=_("Open the booking"),
    )


def _payment_lines(notification) -> list[str]:
    text = payment_instructions(notification.subject)
    return [text] if text else []


def _series_lines(notification) -> list[str]:
    more = (notification.context or {}).get("more_dates", 0)
    if not more:
        return []
    return [
        ngettext(
            "%(count)d more date of this weekly series is booked too.",
            "%(count)d more dates of this weekly series are booked too.",
            more,
        )
        % {"count": more}
    ]


def approved(notification) -> Message:
    return _booking_message(
        notification,
        _("Your booking is approved"),
        _("Your booking is approved."),
        [*_series_lines(notification), *_payment_lines(notification)],
    )


def rejected(notification) -> Message:
    return _booking_message(
        notification,
        _("Your booking was not approved"),
        _("Your booking was not approved."),
        reason_lines(notification),
    )


def cancelled(notification) -> Message:
    return _booking_message(
        notification,
        _("Your booking was cancelled"),
        _("The facility cancelled your booking."),
        reason_lines(notification),
    )


def closure_reason(notification) -> str:
    """The closure's reason as the manager wrote it.

    Given as ``closure_reason``; otherwise the context holds the canceller's sentence "The space is closed:
    <reason>" in the canceller's language, and the manager's own words are taken out of it, so that the frame
    is said again in the recipient's language.
    """
    context = notification.context
    if context.get("closure_reason"):
        return context["closure_reason"]
    reason = context.get("reason", "")
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            frame = _("The space is closed: %(reason)s")
        before, _placeholder, after = frame.partition("%(reason)s")
        if len(reason) > len(before) + len(after) and reason.startswith(before) and reason.endswith(after):
            return reason[len(before) : len(reason) - len(after)]
    return reason


def closure_cancelled(notification) -> Message:
    reason = closure_reason(notification)
    extra = [_("Reason: %(reason)s") % {"reason": _("The space is closed: %(reason)s") % {"reason": reason}}]
    return _booking_message(
        notification,
        _("Your booking was cancelled: the space is closed"),
        _("The space is closed at the time of your booking, so the booking was cancelled."),
        extra if reason else [],
    )


def payment_overdue(notification) -> Message:
    return _booking_message(
        notification,
        _("Your booking was cancelled: not paid in time"),
        _("The fee was not paid by the deadline, so the booking was cancelled and the time freed."),
    )


def waitlist_offer(notification) -> Message:
    booking = notification.subject
    until = booking.offer_expires_at or timezone.now()
    return _booking_message(
        notification,
        _("A time you waited for is free"),
        _(
            "The time you waited for is held for you until %(until)s. "
            "Accept it on the booking page, or it goes to the next in line."
        )
        % {"until": when(until)},
    )


def no_show(notification) -> Message:
    return _booking_message(
        notification,
        _("No-show recorded"),
        _(
            "Nobody checked in within 30 minutes of the start, so the booking is recorded as a no-show "
            "and the rest of the time was freed."
        ),
    )


def reminder(notification) -> Message:
    hours = notification.context.get("hours")
    return _booking_message(
        notification,
        ngettext(
            "Reminder: your booking starts in %(hours)s hour",
            "Reminder: your booking starts in %(hours)s hours",
            hours,
        )
        % {"hours": hours},
        ngettext("Your booking starts in %(hours)s hour.", "Your booking starts in %(hours)s hours.", hours)
        % {"hours": hours},
    )


def payment_due_soon(notification) -> Message:
    deadline = when(notification.subject.payment_deadline or timezone.now())
    return _booking_message(
        notification,
        _("Pay by %(deadline)s or your booking is cancelled") % {"deadline": deadline},
        _(
            "Your booking is not paid yet. Unless the fee is paid by %(deadline)s, the booking is cancelled "
            "automatically and the time is freed for others."
        )
        % {"deadline": deadline},
        _payment_lines(notification),
    )


def manager_digest(notification) -> Message:
    context = notification.context
    pending, renewals = context.get("pending_count", 0), context.get("renewal_count", 0)
    return Message(
        subject=subject_line(
            _("Waiting for you today: %(pending)s bookings, %(renewals)s renewals")
            % {"pending": pending, "renewals": renewals}
        ),
        lines=[
            _("%(count)s bookings await your approval.") % {"count": pending},
            _("%(count)s renewal requests have waited more than a day.") % {"count": renewals},
        ],
        items=context.get("items", []),
        link=absolute_url(reverse("bookings:approval_queue")),
        link_label=_("Open the approval queue"),
    )


def _offer_still_open(notification) -> bool:
    return notification.subject.status == Booking.Status.OFFERED


def _payment_still_due(notification) -> bool:
    booking = notification.subject
    return (
        booking.status == Booking.Status.APPROVED
        and booking.payment_status == Booking.PaymentStatus.UNPAID
        and booking.payment_deadline is not None
        and booking.payment_deadline.isoformat() == notification.context.get("deadline")
        and booking.payment_deadline > timezone.now()
    )


def _reminder_still_due(notification) -> bool:
    booking = notification.subject
    return (
        booking.status == Booking.Status.APPROVED
        and booking.start.isoformat() == notification.context.get("start")
        and booking.start > timezone.now()
    )


# --- Reminders and the digest -------------------------------------------------------------------------------


def create_booking_reminders(*, now: datetime) -> int:
    """Reminders ``BOOKING_REMINDER_HOURS`` before each approved booking's start (a job of the sweep).

    A reminder is created only if the booking was approved before that reminder's time: a booking
    approved three hours ahead gets the one-hour reminder, not a late "tomorrow" one. Idempotent by the
    reminder's de-duplication key.
    """
    created = 0
    for hours in settings.BOOKING_REMINDER_HOURS:
        offset = timedelta(hours=hours)
        # Every sweep of the day before a booking finds it again, so this part stays light: plain rows,
        # and one query for the reminders that exist already, instead of a query per booking.
        candidates = list(
            Booking.objects.filter(
                status=Booking.Status.APPROVED,
                start__gt=now,
                start__lte=now + offset,
                decided_at__lte=F("start") - offset,
                requested_by__is_active=True,
                requested_by__reminders_enabled=True,
            ).values_list("pk", "start", "requested_by_id")
        )
        keys = {pk: f"booking:{pk}:reminder:{hours}h:{start.isoformat()}" for pk, start, _user in candidates}
        # The bell gets every message, whatever the channels chosen: its row marks a reminder as written.
        expected = {
            pk: {dedupe_key(keys[pk], Recipient.user_key(user_id), Notification.Channel.IN_APP)}
            for pk, _start, user_id in candidates
        }
        existing = set(
            Notification.objects.filter(dedupe_key__in=set().union(*expected.values())).values_list(
                "dedupe_key", flat=True
            )
        )
        missing = [pk for pk, _start, _user in candidates if not expected[pk] <= existing]
        if not missing:
            continue
        for booking in Booking.objects.filter(pk__in=missing).select_related("requested_by").order_by("start"):
            created += notify(
                kind=Notification.Kind.BOOKING_REMINDER,
                recipients=[booking.requested_by],
                subject=booking,
                key=keys[booking.pk],
                context={"hours": hours, "start": booking.start.isoformat()},
                due_at=booking.start - offset,
            )
    return created


def create_payment_reminders(*, now: datetime) -> int:
    """An urgent message ``PAYMENT_REMINDER_BEFORE`` ahead of an unpaid booking's deadline, after which
    ``bookings.services.cancel_unpaid_bookings`` cancels it (a job of the sweep; KakaoTalk/SMS even at night).

    Only for bookings the cancellation will find (the deadline before the start) that were approved before the
    reminder's time: the approval itself said when to pay. Idempotent by the reminder's de-duplication key.
    """
    offset = PAYMENT_REMINDER_BEFORE
    candidates = list(
        Booking.objects.filter(
            status=Booking.Status.APPROVED,
            payment_status=Booking.PaymentStatus.UNPAID,
            payment_deadline__gt=now,
            payment_deadline__lte=now + offset,
            payment_deadline__lt=F("start"),
            decided_at__lte=F("payment_deadline") - offset,
            requested_by__is_active=True,
        ).values_list("pk", "payment_deadline", "requested_by_id")
    )
    if not candidates:
        return 0
    keys = {pk: f"booking:{pk}:payment-due:{deadline.isoformat()}" for pk, deadline, _user in candidates}
    marks = {
        pk: dedupe_key(keys[pk], Recipient.user_key(user_id), Notification.Channel.IN_APP)
        for pk, _deadline, user_id in candidates
    }
    existing = set(Notification.objects.filter(dedupe_key__in=marks.values()).values_list("dedupe_key", flat=True))
    missing = [pk for pk, mark in marks.items() if mark not in existing]
    created = 0
    for booking in Booking.objects.filter(pk__in=missing).select_related("requested_by").order_by("payment_deadline"):
        created += notify(
            kind=Notification.Kind.PAYMENT_DUE_SOON,
            recipients=[booking.requested_by],
            subject=booking,
            key=keys[booking.pk],
            context={"deadline": booking.payment_deadline.isoformat()},
            due_at=booking.payment_deadline - offset,
        )
    return created


def create_manager_digests(*, now: datetime) -> int:
    """One message per manager (09:00 Asia/Seoul): pending approvals and renewals waiting over a day.

    The lines about each booking are written in the manager's language (room names differ by language);
    the counts and the rest of the message are built when it is sent or shown.
    """
    today = timezone.localdate(now)
    managers = (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(managed_facilities__isnull=False), is_active=True)
        .distinct()
    )
    created = 0
    for manager in managers:
        facilities = facilities_managed_by(manager)
        pending = Booking.objects.filter(status=Booking.Status.PENDING, space__facility__in=facilities, end__gt=now)
        renewals = RenewalRequest.objects.filter(
            status=RenewalRequest.Status.SUBMITTED,
            contract__unit__facility__in=facilities,
            created__lte=now - timedelta(days=1),
        )
        counts = {"pending_count": pending.count(), "renewal_count": renewals.count()}
        if not any(counts.values()):
            continue
        with translation.override(manager.language or settings.LANGUAGE_CODE):
            items = [
                f"{timezone.localtime(b.start):%m-%d %H:%M} {b.space.display_name} · {b.title}"
                for b in pending.select_related("space").order_by("start")[:20]
            ]
        created += notify(
            kind=Notification.Kind.MANAGER_DIGEST,
            recipients=[manager],
            subject=None,
            key=f"digest:{today.isoformat()}",
            context={**counts, "items": items},
        )
    return created


@shared_task(acks_late=True)
def send_manager_digests() -> int:
    """Daily at 09:00 (dongnam.celery)."""
    return create_manager_digests(now=timezone.now())


def register() -> None:
    register_kind("booking_approved", gettext_lazy("Booking approved"), build=approved)
    register_kind("booking_rejected", gettext_lazy("Booking rejected"), build=rejected)
    register_kind("booking_cancelled", gettext_lazy("Booking cancelled by the facility"), build=cancelled)
    register_kind("closure_cancelled", gettext_lazy("Booking cancelled by a closure"), build=closure_cancelled)
    register_kind(
        "booking_reminder",
        gettext_lazy("Booking reminder"),
        build=reminder,
        still_relevant=_reminder_still_due,
        optional=True,
    )
    register_kind("payment_overdue", gettext_lazy("Booking cancelled for non-payment"), build=payment_overdue)
    register_kind(
        "payment_due_soon",
        gettext_lazy("Payment deadline in an hour"),
        build=payment_due_soon,
        still_relevant=_payment_still_due,
        urgent=True,
    )
    register_kind(
        "waitlist_offer",
        gettext_lazy("A slot you waited for is free"),
        build=waitlist_offer,
        still_relevant=_offer_still_open,
    )
    register_kind("no_show", gettext_lazy("No-show recorded"), build=no_show)
    register_kind(
        "manager_digest",
        gettext_lazy("Manager's daily digest"),
        build=manager_digest,
        link=_approval_queue,
    )
    register_subject(_bookings_for_inbox)
    register_sweep(create_booking_reminders)
    register_kind("reduction_approved", gettext_lazy("Reduction approved"), build=reduction_approved)
    register_kind("reduction_refused", gettext_lazy("Reduction refused"), build=reduction_refused)
    register_subject(_reduction_applications_for_inbox)
    register_sweep(create_payment_reminders)


def _approval_queue(notification) -> str:
    return reverse("bookings:approval_queue")


def _bookings_for_inbox():
    return Booking.objects.select_related("space__facility")


# --- Reductions on evidence (bookings.reductions) -----------------------------------------------------------


def _reduction_lines(notification) -> list[str]:
    application = notification.subject
    category = application.category
    return [
        _("Reduction: %(category)s, %(percent)s%%")
        % {"category": category.display_name, "percent": notification.context.get("percent", category.percent)},
        _("Facility: %(facility)s") % {"facility": category.facility.display_name},
        _("Organization: %(organization)s") % {"organization": application.organization.display_name},
    ]


def reduction_approved(notification) -> Message:
    valid_until = notification.context.get("valid_until", "")
    return Message(
        subject=subject_line(_("Your reduction is approved")),
        lines=[
            _("Your application for a reduction is approved."),
            *_reduction_lines(notification),
            _("It reduces the fee of the bookings your organization makes there until %(date)s.")
            % {"date": valid_until},
        ],
        link=absolute_url(reverse("bookings:reductions")),
        link_label=_("Open your reductions"),
    )


def reduction_refused(notification) -> Message:
    return Message(
        subject=subject_line(_("Your reduction was not approved")),
        lines=[
            _("Your application for a reduction was not approved."),
            *_reduction_lines(notification),
            *reason_lines(notification),
        ],
        link=absolute_url(reverse("bookings:reductions")),
        link_label=_("Open your reductions"),
    )


def _reduction_applications_for_inbox():
    return ReductionApplication.objects.select_related("category__facility", "organization")
