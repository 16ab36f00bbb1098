"""What each kind of notification says, built at send time in the recipient's language."""

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.models import Notification

Kind = Notification.Kind


@dataclass
class Message:
    subject: str
    lines: list[str]
    link: str = ""
    link_label: str = ""
    items: list[str] = field(default_factory=list)


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d (D) H:i")


def _end(booking) -> str:
    start, end = timezone.localtime(booking.start), timezone.localtime(booking.end)
    return date_format(end, "H:i") if start.date() == end.date() else _when(booking.end)


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _booking_lines(booking) -> list[str]:
    return [
        _("Space: %(space)s, %(facility)s")
        % {"space": booking.space.display_name, "facility": booking.space.facility.display_name},
        _("When: %(start)s – %(end)s") % {"start": _when(booking.start), "end": _end(booking)},
        _("Title: %(title)s") % {"title": booking.title},
    ]


def _booking_message(notification, subject: str, intro: str, extra=()) -> Message:
    booking = notification.subject
    return Message(
        subject=subject,
        lines=[intro, *_booking_lines(booking), *extra],
        link=_url(booking.get_absolute_url()),
        link_label=_("Open the booking"),
    )


def _payment(notification) -> list[str]:
    booking = notification.subject
    if booking.payment_status != booking.PaymentStatus.UNPAID or not booking.payment_deadline:
        return []
    return [
        _("Amount to pay: %(amount)s won, by %(deadline)s, or the booking is cancelled.")
        % {"amount": f"{booking.amount_due:,}", "deadline": _when(booking.payment_deadline)},
    ]


def _reason(notification) -> list[str]:
    reason = notification.context.get("reason")
    return [_("Reason: %(reason)s") % {"reason": reason}] if reason else []


def build_message(notification: Notification) -> Message:
    kind = notification.kind
    prefix = _("[Dongnam]")
    if kind == Kind.BOOKING_APPROVED:
        return _booking_message(
            notification,
            f"{prefix} " + _("Your booking is approved"),
            _("Your booking is approved."),
            _payment(notification),
        )
    if kind == Kind.WAITLIST_OFFER:
        booking = notification.subject
        until = booking.offer_expires_at or timezone.now()
        return _booking_message(
            notification,
            f"{prefix} " + _("A time you waited for is free"),
            _(
                "The time you waited for is held for you until %(until)s. "
                "Accept it on the booking page, or it goes to the next in line."
            )
            % {"until": _when(until)},
        )
    if kind == Kind.NO_SHOW:
        return _booking_message(
            notification,
            f"{prefix} " + _("No-show recorded"),
            _(
                "Nobody checked in within 30 minutes of the start, so the booking is recorded as a no-show "
                "and the rest of the time was freed."
            ),
        )
    if kind == Kind.PAYMENT_OVERDUE:
        return _booking_message(
            notification,
            f"{prefix} " + _("Your booking was cancelled: not paid in time"),
            _("The fee was not paid by the deadline, so the booking was cancelled and the time freed."),
        )
    if kind == Kind.BOOKING_REJECTED:
        return _booking_message(
            notification,
            f"{prefix} " + _("Your booking was not approved"),
            _("Your booking was not approved."),
            _reason(notification),
        )
    if kind == Kind.BOOKING_CANCELLED:
        return _booking_message(
            notification,
            f"{prefix} " + _("Your booking was cancelled"),
            _("The facility cancelled your booking."),
            _reason(notification),
        )
    if kind == Kind.CLOSURE_CANCELLED:
        return _booking_message(
            notification,
            f"{prefix} " + _("Your booking was cancelled: the space is closed"),
            _("The space is closed at the time of your booking, so the booking was cancelled."),
            _reason(notification),
        )
    if kind == Kind.BOOKING_REMINDER:
        hours = notification.context.get("hours")
        return _booking_message(
            notification,
            f"{prefix} "
            + ngettext(
                "Reminder: your booking starts in %(hours)s hour",
                "Reminder: your booking starts in %(hours)s hours",
                hours,
            )
            % {"hours": hours},
            ngettext("Your booking starts in %(hours)s hour.", "Your booking starts in %(hours)s hours.", hours)
            % {"hours": hours},
        )
    if kind == Kind.MANAGER_DIGEST:
        context = notification.context
        return Message(
            subject=f"{prefix} "
            + _("Waiting for you today: %(pending)s bookings, %(renewals)s renewals")
            % {"pending": context.get("pending_count", 0), "renewals": context.get("renewal_count", 0)},
            lines=[
                _("%(count)s bookings await your approval.") % {"count": context.get("pending_count", 0)},
                _("%(count)s renewal requests have waited more than a day.")
                % {"count": context.get("renewal_count", 0)},
            ],
            items=context.get("items", []),
            link=_url(reverse("bookings:approval_queue")),
            link_label=_("Open the approval queue"),
        )
    if kind == Kind.LEASE_EXPIRY:
        contract = notification.subject
        days = notification.context.get("days")
        return Message(
            subject=f"{prefix} " + _("Your lease ends in %(days)s days") % {"days": days},
            lines=[
                _("The lease of %(unit)s ends on %(date)s.")
                % {"unit": contract.unit, "date": contract.end_date.isoformat()},
                _("You can request a renewal online, or tell the facility that you will move out."),
            ],
            link=_url(contract.get_absolute_url()),
            link_label=_("Open the contract"),
        )
    if kind == Kind.CONTRACT_EXPIRED:
        contract = notification.subject
        return Message(
            subject=f"{prefix} " + _("Your lease has ended"),
            lines=[
                _("The lease of %(unit)s ended on %(date)s.")
                % {"unit": contract.unit, "date": contract.end_date.isoformat()}
            ],
            link=_url(contract.get_absolute_url()),
            link_label=_("Open the contract"),
        )
    if kind in (
        Kind.RENEWAL_SUBMITTED,
        Kind.RENEWAL_APPROVED,
        Kind.RENEWAL_REJECTED,
        Kind.RENEWAL_CHANGES,
        Kind.RENEWAL_ACCEPTED,
    ):
        renewal = notification.subject
        contract = renewal.contract
        texts = {
            Kind.RENEWAL_SUBMITTED: (
                _("Renewal requested: %(unit)s"),
                _("%(organization)s asks to renew the lease of %(unit)s for %(months)s months."),
            ),
            Kind.RENEWAL_APPROVED: (
                _("Your renewal is approved: %(unit)s"),
                _("The renewal of %(unit)s is approved. Review the terms and accept them to sign the new contract."),
            ),
            Kind.RENEWAL_REJECTED: (_("Your renewal was refused: %(unit)s"), _("The renewal of %(unit)s was refused.")),
            Kind.RENEWAL_CHANGES: (
                _("Changes asked for your renewal: %(unit)s"),
                _("The manager asks for changes to your renewal request for %(unit)s."),
            ),
            Kind.RENEWAL_ACCEPTED: (
                _("Renewal terms accepted: %(unit)s"),
                _("%(organization)s accepted the renewal terms of %(unit)s; the new contract is signed."),
            ),
        }
        subject, intro = texts[kind]
        params = {"unit": contract.unit, "organization": contract.organization, "months": renewal.term_months}
        return Message(
            subject=f"{prefix} " + subject % params,
            lines=[intro % params, *_reason(notification)],
            link=_url(renewal.get_absolute_url()),
            link_label=_("Open the renewal request"),
        )
    if kind == Kind.INVITATION:
        invitation = notification.subject
        return Message(
            subject=f"{prefix} " + _("%(organization)s invites you") % {"organization": invitation.organization},
            lines=[
                _(
                    "%(inviter)s invites you to join %(organization)s on the booking and tenant system "
                    "of the Dongnam Exhibition Hall."
                )
                % {"inviter": invitation.invited_by, "organization": invitation.organization},
                _(
                    "The link works for 14 days. If you do not have an account yet, "
                    "you can create one from that page with this e-mail address."
                ),
            ],
            link=notification.context.get("accept_url", ""),
            link_label=_("Accept the invitation"),
        )
    raise ValueError(f"No message for notification kind {kind!r}")


def link_of(notification: Notification) -> str:
    """Where an in-app notification leads (a path on this site)."""
    subject = notification.subject
    if notification.kind == Kind.MANAGER_DIGEST:
        return reverse("bookings:approval_queue")
    if subject is not None and hasattr(subject, "get_absolute_url"):
        return subject.get_absolute_url()
    return ""


def still_relevant(notification: Notification) -> bool:
    """Re-checked just before sending: a reminder for a cancelled or moved booking is not sent."""
    subject = notification.subject
    if notification.subject_id is not None and subject is None:
        return False
    if notification.kind == Kind.WAITLIST_OFFER:
        return subject.status == subject.Status.OFFERED
    if notification.kind == Kind.BOOKING_REMINDER:
        return (
            subject.status == subject.Status.APPROVED
            and subject.start.isoformat() == notification.context.get("start")
            and subject.start > timezone.now()
        )
    if notification.kind == Kind.LEASE_EXPIRY:
        from tenants.models import RenewalRequest

        return (
            subject.status == subject.Status.ACTIVE
            and not subject.non_renewal_notice_at
            and not RenewalRequest.objects.filter(
                contract=subject, status__in=[RenewalRequest.Status.APPROVED, RenewalRequest.Status.ACCEPTED]
            ).exists()
        )
    return True
