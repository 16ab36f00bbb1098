"""Reads that span several apps: the manager's start page and where each person lands after signing in.

They live in the wiring because hall, where the manager pages begin, sits below bookings and tenants."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, Closure
from hall.models import Space
from hall.selectors import facilities_for_dashboard, facilities_managed_by, is_manager, second_factor_missing
from tenants.models import LeaseContract, Membership, RenewalRequest

CLOSURES_AHEAD = timedelta(days=14)
# Today's bookings worth a manager's look: those holding the room, and the no-shows of the morning.
TODAY_STATUSES = (*Booking.ACTIVE_STATUSES, Booking.Status.NO_SHOW)


@dataclass
class Waiting:
    """How many wait for the manager, and since when the oldest of them has waited."""

    count: int = 0
    oldest: datetime | None = None


@dataclass
class SpaceDay:
    space: Space
    bookings: list[Booking] = field(default_factory=list)


@dataclass
class Dashboard:
    now: datetime
    today_by_space: list[SpaceDay]
    pending: Waiting
    unpaid: list[Booking]
    renewals: Waiting
    closures: list[Closure]
    facilities: list

    @property
    def today_count(self) -> int:
        return sum(len(day.bookings) for day in self.today_by_space)

    @property
    def overdue_count(self) -> int:
        return sum(1 for booking in self.unpaid if booking.payment_deadline < self.now)


def _day_bounds(now: datetime) -> tuple[datetime, datetime]:
    today = timezone.localdate(now)
    start = datetime.combine(today, time(0, 0), tzinfo=timezone.get_current_timezone())
    return start, start + timedelta(days=1)


def pending_approvals(user) -> Waiting:
    """Bookings of the user's facilities waiting for approval: one query."""
    row = Booking.objects.filter(
        status=Booking.Status.PENDING, space__facility__in=facilities_managed_by(user)
    ).aggregate(count=Count("pk"), oldest=Min("created"))
    return Waiting(**row)


def manager_dashboard(user, *, now: datetime) -> Dashboard:
    """Everything on the manager's start page, in eight queries whatever the data: today's bookings,
    the approval and renewal queues (counted), the payments due by tonight, the closures of the next two
    weeks, and the facilities with their spaces and units."""
    facilities = facilities_managed_by(user)
    day_start, day_end = _day_bounds(now)
    today = list(
        Booking.objects.filter(
            space__facility__in=facilities, status__in=TODAY_STATUSES, start__lt=day_end, end__gt=day_start
        )
        .select_related("space__facility", "organization", "requested_by")
        .order_by("space__facility__position", "space__floor", "space__slug", "start", "pk")
    )
    by_space: dict[int, SpaceDay] = {}
    for booking in today:
        by_space.setdefault(booking.space_id, SpaceDay(space=booking.space)).bookings.append(booking)

    unpaid = list(
        Booking.objects.filter(
            space__facility__in=facilities,
            status=Booking.Status.APPROVED,
            payment_status=Booking.PaymentStatus.UNPAID,
            payment_deadline__lt=day_end,
        )
        .select_related("space__facility", "organization", "requested_by")
        .order_by("payment_deadline", "pk")
    )
    # Waiting for the manager's review: a request sent back for changes or approved waits on the tenant.
    renewals = RenewalRequest.objects.filter(
        contract__unit__facility__in=facilities, status=RenewalRequest.Status.SUBMITTED
    ).aggregate(count=Count("pk"), oldest=Min("created"))
    closures = list(
        Closure.objects.filter(facility__in=facilities, end__gt=now, start__lt=now + CLOSURES_AHEAD)
        .select_related("facility", "space")
        .order_by("start", "pk")
    )
    return Dashboard(
        now=now,
        today_by_space=list(by_space.values()),
        pending=pending_approvals(user),
        unpaid=unpaid,
        renewals=Waiting(**renewals),
        closures=closures,
        facilities=list(facilities_for_dashboard(user)),
    )


def landing_url(user) -> str:
    """Where a person starts after signing in: managers at their desk, tenants at their lease, members at
    their coming bookings, everyone else at the room finder."""
    # A named manager still without the second factor goes there too: the manager pages guide them to set it up.
    if is_manager(user) or second_factor_missing(user):
        return reverse("hall:manage_dashboard")
    today = timezone.localdate()
    leading = Membership.objects.filter(user=user, role__in=(Membership.Role.OWNER, Membership.Role.ADMIN))
    contracts = list(
        LeaseContract.objects.filter(
            organization__in=leading.values("organization_id"),
            status__in=LeaseContract.LIVE_STATUSES,
            end_date__gte=today,
        ).values_list("pk", flat=True)[:2]
    )
    if len(contracts) == 1:
        return reverse("tenants:contract_detail", kwargs={"pk": contracts[0]})
    if contracts:
        return reverse("tenants:contract_list")
    member_orgs = Membership.objects.filter(user=user).values("organization_id")
    coming = Booking.objects.filter(
        Q(requested_by=user) | Q(organization_id__in=member_orgs),
        status__in=Booking.ACTIVE_STATUSES,
        end__gt=timezone.now(),
    )
    if coming.exists():
        return reverse("bookings:my_bookings")
    return reverse("bookings:space_list")
