"""Admission: the one step by which a booking comes to hold a room.

A single booking, each date of a weekly series and an offer taken from the waiting list are all admitted
here, so they cannot drift apart: the space's and the organization's locks (with a lock timeout), the
month's quota, the price and reduction, the approval status and who decided it, the payment deadline, the
overlap invariant and the booker's message. The callers check the booking rules and write their own
audit entry.
"""

from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import errors, fees, reductions, rules, selectors
from bookings.errors import BookingError
from bookings.models import Booking, Closure
from common.errors import is_lock_timeout
from hall.models import Facility, Space
from hall.selectors import manages_facility
from notifications.models import Notification
from notifications.services import notify
from tenants.models import Membership, Organization
from tenants.selectors import is_hall_tenant


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class Terms:
    """What admission decided for one period: the fields a booking takes from it."""

    status: str
    decided_by: object | None
    decided_at: datetime | None
    price: fees.Price
    payment_deadline: datetime | None

    def booking_fields(self) -> dict:
        return {
            "status": self.status,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "fee": self.price.fee,
            "reduction_percent": self.price.reduction_percent,
            "reduction_category": self.price.reduction_category,
            "amount_due": self.price.amount_due,
            "payment_status": (
                Booking.PaymentStatus.UNPAID if self.price.amount_due else Booking.PaymentStatus.NOT_REQUIRED
            ),
            "payment_deadline": self.payment_deadline,
        }


# --- The request and who it is for ---------------------------------------------------------------


@dataclass(frozen=True)
class BookingRequest:
    space: Space
    start: datetime
    end: datetime
    attendees: int
    title: str
    purpose: str = ""


def resolve_organization(
    *, user, organization: Organization | None, member_of: list[int] | None = None
) -> Organization | None:
    """The organization a booking is made for: the one chosen, or the user's only one.

    ``member_of``: the ids of the user's organizations, when the caller has read them already.
    """
    only = None
    if member_of is None:
        # No ordering: the model's default joins the users table for nothing here.
        memberships = list(Membership.objects.filter(user=user).select_related("organization").order_by())
        member_of = [membership.organization_id for membership in memberships]
        only = memberships[0].organization if len(memberships) == 1 else None
    if organization is not None:
        if organization.pk not in member_of:
            raise BookingError(
                "not_member", _("You can only book for an organization you belong to."), field="organization"
            )
        return organization
    if len(member_of) > 1:
        raise BookingError(
            "choose_organization",
            _("You belong to several organizations; choose the one this booking is for."),
            field="organization",
        )
    if not member_of:
        return None
    # Deleted since its id was read: the booking is then the user's own.
    return only or Organization.objects.filter(pk=member_of[0]).first()


def check_booking(
    *,
    user,
    request: BookingRequest,
    organization: Organization | None,
    now: datetime | None = None,
    closures: list[Closure] | None = None,
    is_tenant: bool | None = None,
) -> list[rules.Violation]:
    """The rule violations of a proposed booking, without saving anything (forms and dry runs).

    ``closures`` and ``is_tenant``: what the caller has read already (the overlapping closures, whether the
    organization leases a unit).
    """
    now = now or timezone.now()
    if is_tenant is None:
        is_tenant = is_hall_tenant(organization, today=timezone.localdate(now))
    if closures is None:
        closures = []
        if rules.in_calendar(request.start, request.end) and request.end > request.start:
            closures = selectors.closures_for_space(space=request.space, start=request.start, end=request.end)
    return rules.check_rules(
        space=request.space,
        start=request.start,
        end=request.end,
        attendees=request.attendees,
        now=now,
        is_tenant=is_tenant,
        closures=closures,
    )


# --- Locks ------------------------------------------------------------------------------------------


def set_lock_timeout(sender=None, connection=None, **kwargs) -> None:
    """Bound how long a statement waits for a row lock (the space's, the organization's, a booking's), set
    once per PostgreSQL connection when it opens (``connection_created``), so a booking costs no extra
    statement. SQLite's writers wait for the database lock at BEGIN instead, bounded by its ``timeout``."""
    if connection is not None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, false)", [f"{int(settings.BOOKING_LOCK_TIMEOUT * 1000)}ms"]
            )


@contextmanager
def waiting_for_locks():
    """Around the statements that take locks: a lock not granted in time is the ``busy`` error (the
    transaction it aborted is rolled back as the error leaves it)."""
    try:
        yield
    except OperationalError as error:
        if is_lock_timeout(error):
            raise errors.busy() from error
        raise


def lock_space(space: Space) -> None:
    """Serialize bookings of one space, with the lock timeout (see ``selectors.lock_space``)."""
    with waiting_for_locks():
        selectors.lock_space(space)


def lock_organization(organization: Organization) -> None:
    """Two members booking at once are counted against the quota one after the other."""
    with waiting_for_locks():
        list(Organization.objects.select_for_update().filter(pk=organization.pk).values_list("pk", flat=True))


# --- Quota ------------------------------------------------------------------------------------------


def monthly_quota_minutes(organization: Organization | None, facility: Facility, *, is_tenant: bool) -> int | None:
    if organization is None:
        return None
    hours = facility.tenant_monthly_quota_hours if is_tenant and facility.tenant_monthly_quota_hours else None
    hours = hours or facility.monthly_quota_hours
    return hours * 60 if hours else None


def quota_used_minutes(organization: Organization, facility: Facility, moment: datetime) -> int:
    """Minutes the organization holds (pending or approved) at the facility in that month, counted from
    the bookings themselves, never from a stored counter that could drift."""
    first, last = rules.month_bounds(moment)
    minutes = 0
    for start, end in Booking.objects.filter(
        organization=organization,
        space__facility=facility,
        # Pending and approved: an offer from the waiting list counts once it is taken.
        status__in=[Booking.Status.PENDING, Booking.Status.APPROVED],
        start__gte=first,
        start__lt=last,
    ).values_list("start", "end"):
        minutes += int((end - start).total_seconds() // 60)
    return minutes


def quota_left_minutes(
    organization: Organization | None, facility: Facility, moment: datetime, *, is_tenant: bool
) -> int | None:
    """What is left of the month's quota for the booking form (None: no quota)."""
    quota = monthly_quota_minutes(organization, facility, is_tenant=is_tenant)
    if quota is None:
        return None
    return max(0, quota - quota_used_minutes(organization, facility, moment))


def hours_label(minutes: int) -> str:
    return _("%(hours)s h") % {"hours": f"{minutes / 60:g}"}


def _check_quota(
    *, organization, facility: Facility, periods: Sequence[Period], is_tenant: bool, may_exceed: bool
) -> bool:
    """Lock the organization and check each month the periods fall in; returns whether it is exceeded
    (allowed only with ``may_exceed``, a manager's override)."""
    quota = monthly_quota_minutes(organization, facility, is_tenant=is_tenant)
    if quota is None:
        return False
    lock_organization(organization)
    asked_by_month: dict[tuple[int, int], tuple[datetime, int]] = {}
    for period in periods:
        month = rules.local(period.start).timetuple()[:2]
        first_start, asked = asked_by_month.get(month, (period.start, 0))
        asked_by_month[month] = (first_start, asked + period.minutes)
    exceeded = False
    for (year, month), (moment, asked) in asked_by_month.items():
        used = quota_used_minutes(organization, facility, moment)
        if used + asked <= quota:
            continue
        if not may_exceed:
            if len(periods) == 1:
                message = _("This would pass your organization's %(hours)d hours this month here (%(left)s left).") % {
                    "hours": quota // 60,
                    "left": hours_label(max(0, quota - used)),
                }
            else:
                message = _("This series would pass your organization's %(hours)d hours in %(month)s here.") % {
                    "hours": quota // 60,
                    "month": f"{year}-{month:02d}",
                }
            raise BookingError("quota_exceeded", message, field="end")
        exceeded = True
    return exceeded


# --- Approval and payment ---------------------------------------------------------------------------


def over_no_show_limit(organization: Organization | None, facility: Facility, *, now: datetime | None = None) -> bool:
    """Whether the organization reached the facility's no-show limit: its bookings then need approval,
    even in spaces that confirm at once. No-shows count by their start, within ``rules.NO_SHOW_WINDOW``."""
    if organization is None or not facility.no_show_limit:
        return False
    since = (now or timezone.now()) - rules.NO_SHOW_WINDOW
    count = Booking.objects.filter(
        organization=organization, space__facility=facility, status=Booking.Status.NO_SHOW, start__gte=since
    ).count()
    return count >= facility.no_show_limit


def payment_deadline(facility: Facility, *, approved_at: datetime, start: datetime) -> datetime:
    """When an approved booking must be paid: the facility's days after approval, but never later than
    the start less the facility's cut-off. Approved later than that cut-off, it is due by the start itself
    (and never cancelled automatically: see ``cancel_unpaid_bookings``)."""
    due = approved_at + timedelta(days=facility.payment_deadline_days)
    latest = start - timedelta(hours=facility.payment_cutoff_hours)
    if latest <= approved_at:
        return start
    return min(due, latest)


def approval_needed(*, requested_by, space: Space, organization, override_reason: str) -> bool:
    needs_approval = space.policy.requires_approval or over_no_show_limit(organization, space.facility)
    # A manager's own booking needs no approval (asked only when it matters: one query less otherwise).
    if needs_approval and (override_reason or manages_facility(requested_by, space.facility)):
        return False
    return needs_approval


def admit(
    *,
    requested_by,
    space: Space,
    organization: Organization | None,
    periods: Sequence[Period],
    is_tenant: bool,
    override_reason: str = "",
    now: datetime | None = None,
) -> tuple[list[Terms], bool]:
    """The terms of each period, under the organization's lock when a quota applies; and whether the
    quota is exceeded by a manager's override. The caller holds the space's lock (``lock_space``)."""
    now = now or timezone.now()
    quota_exceeded = _check_quota(
        organization=organization,
        facility=space.facility,
        periods=periods,
        is_tenant=is_tenant,
        may_exceed=bool(override_reason),
    )
    needs_approval = approval_needed(
        requested_by=requested_by, space=space, organization=organization, override_reason=override_reason
    )
    approved = not needs_approval
    # Reductions granted on evidence count when in force on the day of booking, as the lease does for tenants.
    granted = (
        reductions.granted_reductions(organization, space.facility, today=timezone.localdate(now))
        if organization is not None and space.fee
        else []
    )
    terms = []
    for period in periods:
        price = fees.price(space, period.start, period.end, organization, is_tenant=is_tenant, granted=granted)
        terms.append(
            Terms(
                status=Booking.Status.APPROVED if approved else Booking.Status.PENDING,
                decided_by=requested_by if approved else None,
                decided_at=now if approved else None,
                price=price,
                payment_deadline=(
                    payment_deadline(space.facility, approved_at=now, start=period.start)
                    if approved and price.amount_due
                    else None
                ),
            )
        )
    return terms, quota_exceeded


def insert(**fields) -> Booking:
    """Save an admitted booking; the overlap constraint's refusal is ``slot_taken``, any other integrity
    error is not ours to name and propagates."""
    try:
        # No savepoint: a violated constraint aborts the whole admission, which is what it must do.
        with transaction.atomic(savepoint=False):
            return Booking.objects.create(**fields)
    except IntegrityError as error:
        if "booking_no_overlap" in str(error):
            raise errors.slot_taken() from None
        raise


def refuse_overlap(*, space: Space, start: datetime, end: datetime) -> None:
    """Where no exclusion constraint holds the invariant (SQLite), the space's lock makes this check enough."""
    if connection.vendor != "postgresql" and (
        selectors.overlapping_bookings(start=start, end=end).filter(space=space).exists()
    ):
        raise errors.slot_taken()


def announce(bookings: Sequence[Booking], *, new: bool = True) -> None:
    """Tell the booker that their booking (or the first of a series) is approved, in this transaction.
    ``new``: the bookings were created in this transaction (no message about them can exist yet)."""
    approved = [booking for booking in bookings if booking.status == Booking.Status.APPROVED]
    if not approved:
        return
    first = approved[0]
    context = {"more_dates": len(approved) - 1} if len(approved) > 1 else {}
    notify(
        kind=Notification.Kind.BOOKING_APPROVED,
        recipients=[first.requested_by],
        subject=first,
        key=f"booking:{first.pk}:approved",
        context=context,
        new_subject=new,
    )
