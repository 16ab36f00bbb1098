"""Every change to a booking or a closure: one transaction, the rules, an audit entry.

The overlap invariant ("no two active bookings of one space overlap") is checked here inside the
transaction and held by the database: on PostgreSQL by the exclusion constraint ``booking_no_overlap``,
on SQLite by the IMMEDIATE transaction that serializes writers. A constraint violation becomes the same
``slot_taken`` error as the check.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from bookings import admission, errors, fees, rules, selectors, signals, waitlist
from bookings.admission import (
    BookingRequest,
    Period,
    check_booking,
    monthly_quota_minutes,
    over_no_show_limit,
    quota_left_minutes,
    quota_used_minutes,
    resolve_organization,
)
from bookings.errors import BookingError, space_gone, unknown_space
from bookings.models import Booking, Closure, WaitlistEntry
from hall.models import Facility, Space
from hall.selectors import manages_facility
from notifications.models import Notification
from notifications.services import notify
from tenants.models import Membership, Organization
from tenants.selectors import is_hall_tenant

__all__ = [
    "BookingError",
    "BookingRequest",
    "check_booking",
    "monthly_quota_minutes",
    "over_no_show_limit",
    "quota_left_minutes",
    "quota_used_minutes",
    "resolve_organization",
    "space_gone",
    "unknown_space",
]

# Rules a facility manager may override with a recorded reason; the overlap invariant is never one.
OVERRIDABLE = {
    "in_past",
    "too_soon",
    "too_far_ahead",
    "too_short",
    "too_long",
    "not_on_grid",
    "outside_opening_hours",
    "on_holiday",
    "closed",
    "over_capacity",
}


def _snapshot(booking: Booking) -> dict:
    return {
        "status": booking.status,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "space": booking.space.slug,
        "attendees": booking.attendees,
    }


def create_booking(
    *,
    requested_by,
    space: Space | str,
    start: datetime,
    end: datetime,
    title: str,
    attendees: int,
    organization: Organization | None = None,
    purpose: str = "",
    override_reason: str = "",
) -> Booking:
    """Book a space. Pending when the space needs approval, else approved at once.

    A manager of the space's facility may book against the rules by giving ``override_reason``. ``space`` is
    a space, of which only the primary key is used, or its slug: either way the space is read, locked, in the
    booking's transaction.
    """
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise BookingError("invalid_range", _("Times must carry a time zone."), field="start")
    title = (title or "").strip()
    if not title:
        raise BookingError("invalid", _("Give the booking a title."), field="title")
    if attendees is None or attendees < 1:
        raise BookingError("invalid", _("At least one person attends."), field="attendees")

    override_reason = (override_reason or "").strip()

    with transaction.atomic():
        # Serialize bookings of this space (PostgreSQL row lock; SQLite's IMMEDIATE transaction already holds
        # the database write lock). Taken first, before the organization's quota lock, as in a series, so two
        # bookings cannot wait on each other; and on SQLite the overlap check below sees every competitor.
        try:
            with admission.waiting_for_locks():
                space, closures, member_of = selectors.lock_space_for_booking(
                    space=space, start=start, end=end, booker=requested_by
                )
        except Space.DoesNotExist:
            raise (unknown_space(space) if isinstance(space, str) else space_gone()) from None
        organization = resolve_organization(user=requested_by, organization=organization, member_of=member_of)
        if override_reason and not manages_facility(requested_by, space.facility):
            raise BookingError("not_manager", _("Only the facility's managers may override its rules."))
        request = BookingRequest(space=space, start=start, end=end, attendees=attendees, title=title, purpose=purpose)
        is_tenant = is_hall_tenant(organization, today=timezone.localdate())
        violations = check_booking(
            user=requested_by, request=request, organization=organization, closures=closures, is_tenant=is_tenant
        )
        # Dates outside the calendar are never overridden: nothing may be queried or saved with them.
        overridable = OVERRIDABLE if rules.in_calendar(start, end) else set()
        blocking = [v for v in violations if not (override_reason and v.code in overridable)]
        if blocking:
            first = blocking[0]
            raise BookingError(first.code, first.message, field=first.field, violations=blocking)
        overridden = [v.code for v in violations]
        # On PostgreSQL the exclusion constraint refuses the overlap at the insert below (one query less).
        admission.refuse_overlap(space=space, start=start, end=end)
        (terms,), quota_exceeded = admission.admit(
            requested_by=requested_by,
            space=space,
            organization=organization,
            periods=[Period(start, end)],
            is_tenant=is_tenant,
            override_reason=override_reason,
        )
        if quota_exceeded:
            overridden.append("quota_exceeded")
        booking = admission.insert(
            space=space,
            organization=organization,
            requested_by=requested_by,
            title=title,
            purpose=purpose,
            attendees=attendees,
            start=start,
            end=end,
            override_reason=override_reason if overridden else "",
            **terms.booking_fields(),
        )
        audit_reason = ""
        if booking.override_reason:
            audit_reason = _("Rules overridden: %(codes)s. %(reason)s") % {
                "codes": ", ".join(overridden),
                "reason": override_reason,
            }
        record(
            actor=requested_by, action="booking.created", target=booking, after=_snapshot(booking), reason=audit_reason
        )
        admission.announce([booking])
    return booking


def _offer_freed(booking: Booking, *, start: datetime | None = None) -> None:
    """Offer the freed time to the waiting list, in the transaction that freed it."""
    waitlist.offer_freed_time(space=booking.space, start=start or booking.start, end=booking.end)


def _tell_booker(booking: Booking, kind: str, event: str, *, reason: str = "", context: dict | None = None) -> None:
    """Queue the booker's message in this transaction (notifications outbox)."""
    notify(
        kind=kind,
        recipients=[booking.requested_by],
        subject=booking,
        key=f"booking:{booking.pk}:{event}",
        context={**({"reason": reason} if reason else {}), **(context or {})},
    )


def _lock(booking: Booking) -> Booking:
    with admission.waiting_for_locks():
        return Booking.objects.select_for_update().select_related("space__facility").get(pk=booking.pk)


def require_manager(user, facility: Facility) -> None:
    if not manages_facility(user, facility):
        raise errors.not_manager(facility)


def _owe_nothing(booking: Booking) -> list[str]:
    """A booking that no longer holds the room owes nothing it has not paid (the database refuses an
    inactive unpaid booking); the fields changed, for ``save``."""
    if booking.payment_status != Booking.PaymentStatus.UNPAID:
        return []
    booking.payment_status = Booking.PaymentStatus.NOT_REQUIRED
    booking.payment_deadline = None
    return ["payment_status", "payment_deadline"]


def approve_booking(*, booking: Booking, manager, note: str = "") -> Booking:
    with transaction.atomic():
        booking = _lock(booking)
        require_manager(manager, booking.space.facility)
        if booking.status != Booking.Status.PENDING:
            raise BookingError(
                "invalid_state",
                _("This booking is %(status)s; only pending bookings can be approved.")
                % {"status": booking.get_status_display()},
            )
        before = _snapshot(booking)
        booking.status = Booking.Status.APPROVED
        booking.decided_by = manager
        booking.decided_at = timezone.now()
        booking.decision_reason = note.strip()
        if booking.payment_status == Booking.PaymentStatus.UNPAID:
            booking.payment_deadline = admission.payment_deadline(
                booking.space.facility, approved_at=booking.decided_at, start=booking.start
            )
        booking.save(
            update_fields=["status", "decided_by", "decided_at", "decision_reason", "payment_deadline", "updated"]
        )
        record(
            actor=manager,
            action="booking.approved",
            target=booking,
            before=before,
            after=_snapshot(booking),
            reason=note,
        )
        _tell_booker(booking, Notification.Kind.BOOKING_APPROVED, "approved", reason=note)
    return booking


def ensure_rejectable(*, booking: Booking, manager) -> None:
    """Refuse a rejection by someone who does not manage the facility (403) or of a booking that is not
    pending (409); for the confirmation page and, under the lock, for the rejection itself."""
    require_manager(manager, booking.space.facility)
    if booking.status != Booking.Status.PENDING:
        raise BookingError(
            "invalid_state",
            _("This booking is %(status)s; only pending bookings can be rejected.")
            % {"status": booking.get_status_display()},
        )


def reject_booking(*, booking: Booking, manager, reason: str) -> Booking:
    reason = (reason or "").strip()
    with transaction.atomic():
        booking = _lock(booking)
        # Who may reject is checked before what they sent, so others are refused (403) whatever the reason.
        ensure_rejectable(booking=booking, manager=manager)
        if not reason:
            raise BookingError(
                "reason_required", _("Say why the booking is rejected; the booker reads it."), field="reason"
            )
        before = _snapshot(booking)
        booking.status = Booking.Status.REJECTED
        booking.decided_by = manager
        booking.decided_at = timezone.now()
        booking.decision_reason = reason
        unpaid = _owe_nothing(booking)
        booking.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", *unpaid, "updated"])
        _tell_booker(booking, Notification.Kind.BOOKING_REJECTED, "rejected", reason=reason)
        _offer_freed(booking)
        record(
            actor=manager,
            action="booking.rejected",
            target=booking,
            before=before,
            after=_snapshot(booking),
            reason=reason,
        )
    return booking


def can_cancel(user, booking: Booking) -> bool:
    """The booker, an owner or admin of the booking's organization, or a manager of its facility."""
    if booking.requested_by_id == user.pk or manages_facility(user, booking.space.facility):
        return True
    return bool(
        booking.organization_id
        and Membership.objects.filter(
            organization_id=booking.organization_id,
            user=user,
            role__in=[Membership.Role.OWNER, Membership.Role.ADMIN],
        ).exists()
    )


def ensure_cancellable(*, booking: Booking, user) -> bool:
    """Refuse what may not be cancelled (by this user, in this state, after its end); for the confirmation
    page and, under the lock, for the cancellation itself. Returns whether the user manages its facility."""
    if not can_cancel(user, booking):
        raise BookingError("not_allowed", _("You may not cancel this booking."))
    if booking.status not in Booking.ACTIVE_STATUSES:
        raise BookingError(
            "invalid_state",
            _("This booking is already %(status)s.") % {"status": booking.get_status_display()},
        )
    is_manager = manages_facility(user, booking.space.facility)
    if booking.end <= timezone.now() and not is_manager:
        raise BookingError("invalid_state", _("A booking that has ended cannot be cancelled."))
    return is_manager


def cancel_booking(*, booking: Booking, user, reason: str = "", closure: Closure | None = None) -> Booking:
    """Cancel an active booking. ``closure``: the closure that cancels it (the facility's decision; the
    booker reads the closure's own reason, framed in their language)."""
    by_closure = closure is not None
    with transaction.atomic():
        booking = _lock(booking)
        is_manager = ensure_cancellable(booking=booking, user=user)
        reason = (reason or "").strip()
        if is_manager and booking.requested_by_id != user.pk and not reason:
            raise BookingError(
                "reason_required", _("Say why you cancel this booking; the booker reads it."), field="reason"
            )
        before = _snapshot(booking)
        was_offered = booking.status == Booking.Status.OFFERED
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_by = user
        booking.cancelled_at = timezone.now()
        booking.cancel_reason = reason
        if booking.payment_status == Booking.PaymentStatus.PAID:
            by_facility = by_closure or (is_manager and booking.requested_by_id != user.pk)
            booking.refund_amount = refund_due(booking, by_facility=by_facility, at=booking.cancelled_at)
            booking.payment_status = (
                Booking.PaymentStatus.REFUND_DUE if booking.refund_amount else Booking.PaymentStatus.PAID
            )
        _owe_nothing(booking)
        booking.save(
            update_fields=[
                "status",
                "cancelled_by",
                "cancelled_at",
                "cancel_reason",
                "refund_amount",
                "payment_status",
                "payment_deadline",
                "updated",
            ]
        )
        if booking.payment_status == Booking.PaymentStatus.REFUND_DUE:
            # An online payment is refunded through its gateway (payments listens), committed with this.
            signals.refund_due.send(sender=Booking, booking=booking)
        if was_offered:
            # Cancelling an offer declines it: the place on the list is given up.
            WaitlistEntry.objects.filter(offer=booking).update(status=WaitlistEntry.Status.LEFT)
        record(
            actor=user,
            action="booking.cancelled",
            target=booking,
            before=before,
            after=_snapshot(booking),
            reason=reason,
        )
        if by_closure:
            _tell_booker(
                booking,
                Notification.Kind.CLOSURE_CANCELLED,
                "cancelled",
                reason=reason,
                context={"closure_reason": closure.reason},
            )
        else:
            if booking.requested_by_id != user.pk:
                _tell_booker(booking, Notification.Kind.BOOKING_CANCELLED, "cancelled", reason=reason)
            # A closure keeps the time closed; anything else frees it for the waiting list.
            _offer_freed(booking)
    return booking


def create_closure(
    *, manager, facility: Facility, space: Space | None, start: datetime, end: datetime, reason: str
) -> Closure:
    """Close a space (or the whole facility) for a period. Existing bookings stay until the manager
    cancels them from the closure page (bookings.selectors.bookings_hit_by)."""
    reason = (reason or "").strip()
    if not reason:
        raise BookingError("reason_required", _("Say why the space is closed; bookers read it."), field="reason")
    if end <= start:
        raise BookingError("invalid_range", _("The end must be after the start."), field="end")
    if space is not None and space.facility_id != facility.pk:
        raise BookingError("invalid", _("That space is not in this facility."), field="space")
    with transaction.atomic():
        require_manager(manager, facility)
        closure = Closure.objects.create(
            facility=facility, space=space, start=start, end=end, reason=reason, created_by=manager
        )
        record(
            actor=manager,
            action="closure.created",
            target=closure,
            after={"space": space.slug if space else None, "start": start.isoformat(), "end": end.isoformat()},
            reason=reason,
        )
    return closure


def cancel_bookings_hit_by_closure(*, closure: Closure, manager) -> list[Booking]:
    """Cancel, in one action, every active booking the closure overlaps, giving its reason to the bookers."""
    cancelled = []
    with transaction.atomic():
        require_manager(manager, closure.facility)
        for booking in selectors.bookings_hit_by(closure):
            cancelled.append(
                cancel_booking(
                    booking=booking,
                    user=manager,
                    reason=_("The space is closed: %(reason)s") % {"reason": closure.reason},
                    closure=closure,
                )
            )
    return cancelled


def delete_closure(*, closure: Closure, manager) -> None:
    with transaction.atomic():
        require_manager(manager, closure.facility)
        record(
            actor=manager,
            action="closure.deleted",
            target=closure,
            before={"start": closure.start.isoformat(), "end": closure.end.isoformat()},
            reason=closure.reason,
        )
        closure.delete()


POLICY_FIELDS = (
    "fee",
    "requires_check_in",
    "requires_approval",
    "open_on_holidays",
    "slot_minutes",
    "min_duration_minutes",
    "max_duration_minutes",
    "max_days_ahead",
    "tenant_max_days_ahead",
    "min_notice_minutes",
    "opening_hours",
    "is_bookable",
)


def update_space_policy(*, space: Space, manager, changes: dict) -> Space:
    """Change a space's own booking rules (``None`` = as its facility), with an audit entry."""
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise BookingError("invalid", _("Unknown policy fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        space = Space.objects.select_for_update().select_related("facility").get(pk=space.pk)
        require_manager(manager, space.facility)
        before = {field: getattr(space, field) for field in changes}
        for field, value in changes.items():
            setattr(space, field, value)
        space.full_clean()
        space.save(update_fields=list(changes))
        record(actor=manager, action="space.policy_changed", target=space, before=before, after=changes)
    return space


# --- Payment and refunds --------------------------------------------------------------------------
# Bank transfer is the norm: a manager records the payment. A card gateway would call record_payment
# from its confirmation callback; nothing else needs to change.


def _require_manager_or_gateway(manager, booking: Booking, method: str) -> None:
    """A manager of the facility records money by hand; an online gateway (``method``, e.g. "toss") records
    what it confirmed itself, with no manager."""
    if manager is None and method:
        return
    if manager is None:
        raise errors.not_manager(booking.space.facility)
    require_manager(manager, booking.space.facility)


def record_payment(*, booking: Booking, manager=None, reference: str = "", method: str = "") -> Booking:
    with transaction.atomic():
        booking = _lock(booking)
        _require_manager_or_gateway(manager, booking, method)
        if booking.payment_status != Booking.PaymentStatus.UNPAID or booking.status != Booking.Status.APPROVED:
            raise BookingError("invalid_state", _("Only an approved, unpaid booking can be marked paid."))
        booking.payment_status = Booking.PaymentStatus.PAID
        booking.paid_at = timezone.now()
        booking.payment_recorded_by = manager
        booking.payment_reference = (reference or "").strip()[:100]
        booking.save(update_fields=["payment_status", "paid_at", "payment_recorded_by", "payment_reference", "updated"])
        record(
            actor=manager,
            action="booking.paid",
            target=booking,
            after={
                "amount": booking.amount_due,
                "reference": booking.payment_reference,
                **({"method": method} if method else {}),
            },
        )
    return booking


def record_refund(*, booking: Booking, manager=None, method: str = "") -> Booking:
    with transaction.atomic():
        booking = _lock(booking)
        _require_manager_or_gateway(manager, booking, method)
        if booking.payment_status != Booking.PaymentStatus.REFUND_DUE:
            raise BookingError("invalid_state", _("No refund is due for this booking."))
        booking.payment_status = Booking.PaymentStatus.REFUNDED
        booking.refunded_at = timezone.now()
        booking.save(update_fields=["payment_status", "refunded_at", "updated"])
        record(
            actor=manager,
            action="booking.refunded",
            target=booking,
            after={"amount": booking.refund_amount, **({"method": method} if method else {})},
        )
    return booking


def refund_due(booking: Booking, *, by_facility: bool, at: datetime) -> int:
    """What cancelling a paid booking at ``at`` refunds: in full when the facility cancels (a manager, a
    closure), else by the facility's tiers."""
    percent = 100 if by_facility else fees.refund_percent(booking.space.facility, booking.start, at)
    return fees.refund_amount(booking.amount_due, percent)


def refund_preview(*, booking: Booking, user, now: datetime | None = None) -> int | None:
    """What cancelling now would refund (shown before the booker confirms); None when nothing was paid."""
    if booking.payment_status != Booking.PaymentStatus.PAID:
        return None
    by_facility = manages_facility(user, booking.space.facility) and booking.requested_by_id != user.pk
    return refund_due(booking, by_facility=by_facility, at=now or timezone.now())


def closure_cancellation_preview(*, closure: Closure, manager) -> list[tuple[Booking, int]]:
    """The bookings a closure's "cancel them all" would cancel, each with the refund it would owe (a closure
    refunds what was paid in full), for the manager to confirm."""
    require_manager(manager, closure.facility)
    now = timezone.now()
    return [
        (
            booking,
            refund_due(booking, by_facility=True, at=now)
            if booking.payment_status == Booking.PaymentStatus.PAID
            else 0,
        )
        for booking in selectors.bookings_hit_by(closure)
    ]


def cancel_unpaid_bookings(*, now: datetime | None = None) -> int:
    """Periodic: approved bookings still unpaid after their deadline are cancelled and their slot freed."""
    now = now or timezone.now()
    cancelled = 0
    # A booking whose start has passed is never cancelled for not paying: it was used, or is in use.
    overdue = Booking.objects.filter(
        payment_status=Booking.PaymentStatus.UNPAID,
        payment_deadline__lt=now,
        start__gt=now,
        status=Booking.Status.APPROVED,
    ).values_list("pk", flat=True)
    for pk in list(overdue):
        with transaction.atomic():
            booking = Booking.objects.select_for_update().select_related("space__facility", "requested_by").get(pk=pk)
            # Re-checked under the lock: a payment recorded a moment ago wins.
            if (
                booking.payment_status != Booking.PaymentStatus.UNPAID
                or booking.status != Booking.Status.APPROVED
                or booking.start <= now
            ):
                continue
            before = _snapshot(booking)
            booking.status = Booking.Status.CANCELLED
            booking.cancelled_at = now
            booking.cancel_reason = _("Not paid by the deadline.")
            unpaid = _owe_nothing(booking)
            booking.save(update_fields=["status", "cancelled_at", "cancel_reason", *unpaid, "updated"])
            record(
                actor=None, action="booking.cancelled_unpaid", target=booking, before=before, after=_snapshot(booking)
            )
            _tell_booker(booking, Notification.Kind.PAYMENT_OVERDUE, "unpaid")
            _offer_freed(booking)
            cancelled += 1
    return cancelled


# --- Check-in and no-shows ------------------------------------------------------------------------
CHECK_IN_OPENS = timedelta(minutes=15)
CHECK_IN_CLOSES = timedelta(minutes=30)


def check_in_window(booking: Booking) -> tuple[datetime, datetime]:
    return booking.start - CHECK_IN_OPENS, booking.start + CHECK_IN_CLOSES


def check_in(*, booking: Booking, user, now: datetime | None = None) -> Booking:
    """The booker (or a member of its organization) checks in, from 15 minutes before to 30 after the start."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock(booking)
        member = booking.requested_by_id == user.pk or (
            booking.organization_id
            and Membership.objects.filter(organization_id=booking.organization_id, user=user).exists()
        )
        if not member:
            raise BookingError("not_allowed", _("Only the booker or their organization can check in."))
        if booking.status != Booking.Status.APPROVED:
            raise BookingError("invalid_state", _("Only an approved booking can be checked in."))
        if booking.checked_in_at:
            return booking
        opens, closes = check_in_window(booking)
        if not opens <= now <= closes:
            raise BookingError(
                "check_in_window",
                _("Check-in is open from %(opens)s to %(closes)s.")
                % {"opens": rules.local(opens).strftime("%H:%M"), "closes": rules.local(closes).strftime("%H:%M")},
            )
        booking.checked_in_at = now
        booking.save(update_fields=["checked_in_at", "updated"])
        record(actor=user, action="booking.checked_in", target=booking)
    return booking


def booking_to_check_in(*, space: Space, user, now: datetime | None = None) -> Booking | None:
    """The user's approved booking of the space whose check-in window is open now (the QR code's page)."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            Q(requested_by=user) | Q(organization__memberships__user=user),
            space=space,
            status=Booking.Status.APPROVED,
            start__lte=now + CHECK_IN_OPENS,
            start__gte=now - CHECK_IN_CLOSES,
        )
        .order_by("start")
        .first()
    )


def mark_no_shows(*, now: datetime | None = None) -> int:
    """Periodic: bookings that needed check-in and got none by 30 minutes after the start become no-shows;
    the rest of their time is freed (and offered to the waiting list)."""
    now = now or timezone.now()
    marked = 0
    ids = list(
        Booking.objects.filter(
            status=Booking.Status.APPROVED,
            space__requires_check_in=True,
            checked_in_at__isnull=True,
            start__lt=now - CHECK_IN_CLOSES,
            end__gt=now,
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            booking = _lock(Booking(pk=pk))
            if booking.status != Booking.Status.APPROVED or booking.checked_in_at:
                continue
            before = _snapshot(booking)
            booking.status = Booking.Status.NO_SHOW
            booking.save(update_fields=["status", "updated"])
            record(actor=None, action="booking.no_show", target=booking, before=before, after=_snapshot(booking))
            _tell_booker(booking, Notification.Kind.NO_SHOW, "no_show")
            _offer_freed(booking, start=max(now, booking.start))
            marked += 1
    return marked
