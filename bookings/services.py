"""Every change to a booking or a closure: one transaction, the rules, an audit entry.

The overlap invariant ("no two active bookings of one space overlap") is checked here inside the
transaction and held by the database: on PostgreSQL by the exclusion constraint ``booking_no_overlap``,
on SQLite by the IMMEDIATE transaction that serializes writers. A constraint violation becomes the same
``slot_taken`` error as the check.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from bookings import rules, selectors
from bookings.models import Booking, Closure
from hall.models import Facility, Space
from hall.selectors import manages_facility
from notifications.models import Notification
from notifications.services import notify
from tenants.models import Membership, Organization

# HTTP status of each error code that is not a plain rule violation (400).
_STATUS_BY_CODE = {
    "slot_taken": 409,
    "invalid_state": 409,
    "not_manager": 403,
    "not_allowed": 403,
    "not_member": 403,
}

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


class BookingError(Exception):
    def __init__(self, code: str, message: str, *, field: str | None = None, violations=()):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.violations = list(violations)

    @property
    def status(self) -> int:
        return _STATUS_BY_CODE.get(self.code, 400)


def _slot_taken() -> BookingError:
    return BookingError("slot_taken", _("This slot was just taken. Please choose another time."), field="start")


def _snapshot(booking: Booking) -> dict:
    return {
        "status": booking.status,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "space": booking.space.slug,
        "attendees": booking.attendees,
    }


@dataclass(frozen=True)
class BookingRequest:
    space: Space
    start: datetime
    end: datetime
    attendees: int
    title: str
    purpose: str = ""


def resolve_organization(*, user, organization: Organization | None) -> Organization | None:
    """The organization a booking is made for: the one chosen, or the user's only one."""
    memberships = list(Membership.objects.filter(user=user).select_related("organization"))
    if organization is not None:
        if not any(m.organization_id == organization.pk for m in memberships):
            raise BookingError(
                "not_member", _("You can only book for an organization you belong to."), field="organization"
            )
        return organization
    if len(memberships) > 1:
        raise BookingError(
            "choose_organization",
            _("You belong to several organizations; choose the one this booking is for."),
            field="organization",
        )
    return memberships[0].organization if memberships else None


def check_booking(
    *, user, request: BookingRequest, organization: Organization | None, now: datetime | None = None
) -> list[rules.Violation]:
    """The rule violations of a proposed booking, without saving anything (forms and dry runs)."""
    now = now or timezone.now()
    closures = []
    if rules.in_calendar(request.start, request.end) and request.end > request.start:
        closures = selectors.closures_for_space(space=request.space, start=request.start, end=request.end)
    return rules.check_rules(
        space=request.space,
        start=request.start,
        end=request.end,
        attendees=request.attendees,
        now=now,
        # The longer horizon of the hall's tenants needs lease contracts, which the tenants app adds.
        is_tenant=False,
        closures=closures,
    )


def create_booking(
    *,
    requested_by,
    space: Space,
    start: datetime,
    end: datetime,
    title: str,
    attendees: int,
    organization: Organization | None = None,
    purpose: str = "",
    override_reason: str = "",
) -> Booking:
    """Book a space. Pending when the space needs approval, else approved at once.

    A manager of the space's facility may book against the rules by giving ``override_reason``.
    """
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise BookingError("invalid_range", _("Times must carry a time zone."), field="start")
    title = (title or "").strip()
    if not title:
        raise BookingError("invalid", _("Give the booking a title."), field="title")
    if attendees is None or attendees < 1:
        raise BookingError("invalid", _("At least one person attends."), field="attendees")

    organization = resolve_organization(user=requested_by, organization=organization)
    request = BookingRequest(space=space, start=start, end=end, attendees=attendees, title=title, purpose=purpose)
    is_manager = manages_facility(requested_by, space.facility)
    override_reason = (override_reason or "").strip()
    if override_reason and not is_manager:
        raise BookingError("not_manager", _("Only the facility's managers may override its rules."))

    with transaction.atomic():
        # Serialize bookings of this space (PostgreSQL row lock; SQLite's IMMEDIATE transaction already
        # holds the database write lock), so the check below sees every committed competitor.
        Space.objects.select_for_update().filter(pk=space.pk).first()
        violations = check_booking(user=requested_by, request=request, organization=organization)
        # Dates outside the calendar are never overridden: nothing may be queried or saved with them.
        overridable = OVERRIDABLE if rules.in_calendar(start, end) else set()
        blocking = [v for v in violations if not (override_reason and v.code in overridable)]
        if blocking:
            first = blocking[0]
            raise BookingError(first.code, first.message, field=first.field, violations=blocking)
        if selectors.overlapping_bookings(start=start, end=end).filter(space=space).exists():
            raise _slot_taken()

        status = (
            Booking.Status.PENDING if space.policy.requires_approval and not is_manager else Booking.Status.APPROVED
        )
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    space=space,
                    organization=organization,
                    requested_by=requested_by,
                    title=title,
                    purpose=purpose,
                    attendees=attendees,
                    start=start,
                    end=end,
                    status=status,
                    override_reason=override_reason if violations else "",
                    decided_by=requested_by if status == Booking.Status.APPROVED else None,
                    decided_at=timezone.now() if status == Booking.Status.APPROVED else None,
                )
        except IntegrityError as error:
            if "booking_no_overlap" in str(error):
                raise _slot_taken() from None
            raise
        audit_reason = ""
        if booking.override_reason:
            audit_reason = _("Rules overridden: %(codes)s. %(reason)s") % {
                "codes": ", ".join(v.code for v in violations),
                "reason": override_reason,
            }
        record(
            actor=requested_by, action="booking.created", target=booking, after=_snapshot(booking), reason=audit_reason
        )
        if status == Booking.Status.APPROVED:
            _tell_booker(booking, Notification.Kind.BOOKING_APPROVED, "approved")
    return booking


def _tell_booker(booking: Booking, kind: str, event: str, *, reason: str = "") -> None:
    """Queue the booker's message in this transaction (notifications outbox)."""
    notify(
        kind=kind,
        recipients=[booking.requested_by],
        subject=booking,
        key=f"booking:{booking.pk}:{event}",
        context={"reason": reason} if reason else {},
    )


def _lock(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("space__facility").get(pk=booking.pk)


def _require_manager(user, facility: Facility) -> None:
    if not manages_facility(user, facility):
        raise BookingError("not_manager", _("Only the managers of %(facility)s may do this.") % {"facility": facility})


def approve_booking(*, booking: Booking, manager, note: str = "") -> Booking:
    with transaction.atomic():
        booking = _lock(booking)
        _require_manager(manager, booking.space.facility)
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
        booking.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated"])
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


def reject_booking(*, booking: Booking, manager, reason: str) -> Booking:
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(
            "reason_required", _("Say why the booking is rejected; the booker reads it."), field="reason"
        )
    with transaction.atomic():
        booking = _lock(booking)
        _require_manager(manager, booking.space.facility)
        if booking.status != Booking.Status.PENDING:
            raise BookingError(
                "invalid_state",
                _("This booking is %(status)s; only pending bookings can be rejected.")
                % {"status": booking.get_status_display()},
            )
        before = _snapshot(booking)
        booking.status = Booking.Status.REJECTED
        booking.decided_by = manager
        booking.decided_at = timezone.now()
        booking.decision_reason = reason
        booking.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated"])
        _tell_booker(booking, Notification.Kind.BOOKING_REJECTED, "rejected", reason=reason)
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


def cancel_booking(*, booking: Booking, user, reason: str = "", by_closure: bool = False) -> Booking:
    with transaction.atomic():
        booking = _lock(booking)
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
        reason = (reason or "").strip()
        if is_manager and booking.requested_by_id != user.pk and not reason:
            raise BookingError(
                "reason_required", _("Say why you cancel this booking; the booker reads it."), field="reason"
            )
        before = _snapshot(booking)
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_by = user
        booking.cancelled_at = timezone.now()
        booking.cancel_reason = reason
        booking.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason", "updated"])
        record(
            actor=user,
            action="booking.cancelled",
            target=booking,
            before=before,
            after=_snapshot(booking),
            reason=reason,
        )
        if by_closure:
            _tell_booker(booking, Notification.Kind.CLOSURE_CANCELLED, "cancelled", reason=reason)
        elif booking.requested_by_id != user.pk:
            _tell_booker(booking, Notification.Kind.BOOKING_CANCELLED, "cancelled", reason=reason)
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
        _require_manager(manager, facility)
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
        _require_manager(manager, closure.facility)
        for booking in selectors.bookings_hit_by(closure):
            cancelled.append(
                cancel_booking(
                    booking=booking,
                    user=manager,
                    reason=_("The space is closed: %(reason)s") % {"reason": closure.reason},
                    by_closure=True,
                )
            )
    return cancelled


def delete_closure(*, closure: Closure, manager) -> None:
    with transaction.atomic():
        _require_manager(manager, closure.facility)
        record(
            actor=manager,
            action="closure.deleted",
            target=closure,
            before={"start": closure.start.isoformat(), "end": closure.end.isoformat()},
            reason=closure.reason,
        )
        closure.delete()


POLICY_FIELDS = (
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
        _require_manager(manager, space.facility)
        before = {field: getattr(space, field) for field in changes}
        for field, value in changes.items():
            setattr(space, field, value)
        space.full_clean()
        space.save(update_fields=list(changes))
        record(actor=manager, action="space.policy_changed", target=space, before=before, after=changes)
    return space
