"""Weekly bookings: every N weeks on chosen weekdays, until a date or for a count (at most 26).

The occurrences are planned with dateutil's rrule in Asia/Seoul (so 14:00 stays 14:00 across dates),
checked one by one with the same rules as a single booking, and created all-or-nothing in one
transaction; ``skip_conflicts`` leaves out the occurrences that cannot be booked.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from dateutil.rrule import FR, MO, SA, SU, TH, TU, WE, WEEKLY, rrule
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from bookings import admission, fees, reductions, rules, selectors, services
from bookings.errors import BookingError
from bookings.models import Booking, BookingSeries
from hall.models import Space
from tenants.selectors import is_hall_tenant

MAX_OCCURRENCES = 26
WEEKDAYS = {"MO": MO, "TU": TU, "WE": WE, "TH": TH, "FR": FR, "SA": SA, "SU": SU}


@dataclass(frozen=True)
class Recurrence:
    weekdays: tuple[str, ...]
    interval: int = 1
    until: date | None = None
    count: int | None = None


@dataclass
class Occurrence:
    start: datetime
    end: datetime
    code: str = ""
    detail: str = ""
    violations: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.code


def validate_recurrence(recurrence: Recurrence) -> None:
    if not recurrence.weekdays or any(day not in WEEKDAYS for day in recurrence.weekdays):
        raise BookingError(
            "invalid_recurrence", _("Choose weekdays among MO, TU, WE, TH, FR, SA, SU."), field="recurrence"
        )
    if not 1 <= recurrence.interval <= 8:
        raise BookingError("invalid_recurrence", _("Repeat every 1 to 8 weeks."), field="recurrence")
    if (recurrence.until is None) == (recurrence.count is None):
        raise BookingError("invalid_recurrence", _("Give either an end date or a number of times."), field="recurrence")
    if recurrence.count is not None and not 1 <= recurrence.count <= MAX_OCCURRENCES:
        raise BookingError(
            "invalid_recurrence",
            _("A series has at most %(max)d bookings.") % {"max": MAX_OCCURRENCES},
            field="recurrence",
        )


def plan(*, start: datetime, end: datetime, recurrence: Recurrence) -> list[tuple[datetime, datetime]]:
    """The occurrences' periods, the first on or after ``start``'s date, keeping local wall-clock times."""
    validate_recurrence(recurrence)
    if not rules.in_calendar(start, end) or end <= start:
        raise BookingError("invalid_range", _("The end must be after the start."), field="end")
    first = rules.local(start)
    length = end - start
    naive_first = first.replace(tzinfo=None)
    options = {
        "freq": WEEKLY,
        "interval": recurrence.interval,
        "byweekday": [WEEKDAYS[day] for day in recurrence.weekdays],
        "dtstart": naive_first,
    }
    if recurrence.count is not None:
        options["count"] = recurrence.count
    else:
        options["until"] = datetime.combine(recurrence.until, time.max)
    # One more than allowed tells an end date that asks for too many.
    moments = list(rrule(**options)[: MAX_OCCURRENCES + 1]) if recurrence.count is None else list(rrule(**options))
    if len(moments) > MAX_OCCURRENCES:
        raise BookingError(
            "invalid_recurrence",
            _("A series has at most %(max)d bookings.") % {"max": MAX_OCCURRENCES},
            field="recurrence",
        )
    periods = []
    for moment in moments:
        local_start = moment.replace(tzinfo=rules.HALL_TZ)
        periods.append((local_start, local_start + length))
    return periods


def check(*, user, space: Space, periods, attendees: int, title: str, organization) -> list[Occurrence]:
    """Each occurrence with the first rule it breaks or ``slot_taken``; nothing is saved (dry run)."""
    occurrences = []
    for start, end in periods:
        request = services.BookingRequest(space=space, start=start, end=end, attendees=attendees, title=title)
        violations = services.check_booking(user=user, request=request, organization=organization)
        occurrence = Occurrence(start=start, end=end, violations=violations)
        if violations:
            occurrence.code, occurrence.detail = violations[0].code, violations[0].message
        elif selectors.overlapping_bookings(start=start, end=end).filter(space=space).exists():
            occurrence.code, occurrence.detail = "slot_taken", _("This time is already booked.")
        occurrences.append(occurrence)
    return occurrences


def price_of(*, space: Space, occurrences, organization) -> fees.Price:
    """What the bookable occurrences cost together (before booking), each priced as its booking will be."""
    is_tenant = is_hall_tenant(organization, today=timezone.localdate())
    granted = reductions.granted_reductions(organization, space.facility, today=timezone.localdate())
    prices = [
        fees.price(space, o.start, o.end, organization, is_tenant=is_tenant, granted=granted)
        for o in occurrences
        if o.ok
    ]
    percent, category = max(((p.reduction_percent, p.reduction_category) for p in prices), default=(0, ""))
    return fees.Price(
        fee=sum(p.fee for p in prices),
        reduction_percent=percent,
        reduction_category=category,
        amount_due=sum(p.amount_due for p in prices),
    )


def create_series(
    *,
    requested_by,
    space: Space,
    start: datetime,
    end: datetime,
    title: str,
    attendees: int,
    recurrence: Recurrence,
    organization=None,
    purpose: str = "",
    skip_conflicts: bool = False,
) -> tuple[BookingSeries, list[Booking], list[Occurrence]]:
    """Create the series all-or-nothing; returns it, its bookings and the occurrences left out."""
    title = (title or "").strip()
    if not title:
        raise BookingError("invalid", _("Give the booking a title."), field="title")
    organization = services.resolve_organization(user=requested_by, organization=organization)
    periods = plan(start=start, end=end, recurrence=recurrence)
    with transaction.atomic():
        admission.lock_space(space)
        occurrences = check(
            user=requested_by, space=space, periods=periods, attendees=attendees, title=title, organization=organization
        )
        blocked = [o for o in occurrences if not o.ok]
        if blocked and not skip_conflicts:
            raise BookingError(
                "series_conflicts",
                _("%(count)d of the %(total)d dates cannot be booked; leave them out or change the series.")
                % {"count": len(blocked), "total": len(occurrences)},
                violations=[rules.Violation(o.code, f"{rules.local(o.start):%Y-%m-%d}: {o.detail}") for o in blocked],
            )
        bookable = [o for o in occurrences if o.ok]
        if not bookable:
            raise BookingError("series_conflicts", _("None of the dates can be booked."))
        # The whole series counts against each month's quota, with what is already booked.
        all_terms, _exceeded = admission.admit(
            requested_by=requested_by,
            space=space,
            organization=organization,
            periods=[admission.Period(o.start, o.end) for o in bookable],
            is_tenant=is_hall_tenant(organization, today=timezone.localdate()),
        )
        series = BookingSeries.objects.create(
            space=space,
            requested_by=requested_by,
            organization=organization,
            title=title,
            weekdays=list(recurrence.weekdays),
            interval_weeks=recurrence.interval,
            until=recurrence.until,
            count=recurrence.count,
        )
        bookings = [
            admission.insert(
                space=space,
                series=series,
                organization=organization,
                requested_by=requested_by,
                title=title,
                purpose=purpose,
                attendees=attendees,
                start=occurrence.start,
                end=occurrence.end,
                **terms.booking_fields(),
            )
            for occurrence, terms in zip(bookable, all_terms, strict=True)
        ]
        record(
            actor=requested_by,
            action="series.created",
            target=series,
            after={"bookings": [b.pk for b in bookings], "skipped": [o.start.isoformat() for o in blocked]},
        )
        admission.announce(bookings)
    return series, bookings, blocked


def pending_dates(series: BookingSeries):
    """The occurrences a decision on the whole series decides (and its confirmation lists)."""
    return series.bookings.filter(status=Booking.Status.PENDING).select_related("space").order_by("start")


def decide_series(*, series: BookingSeries, manager, approve: bool, reason: str = "") -> list[Booking]:
    """Approve or reject every pending occurrence of a series at once."""
    decided = []
    with transaction.atomic():
        services.require_manager(manager, series.space.facility)
        for booking in pending_dates(series):
            if approve:
                decided.append(services.approve_booking(booking=booking, manager=manager, note=reason))
            else:
                decided.append(services.reject_booking(booking=booking, manager=manager, reason=reason))
    return decided


def cancel_from(*, booking: Booking, user, reason: str = "") -> list[Booking]:
    """Cancel this occurrence and every later one of its series."""
    if booking.series_id is None:
        return [services.cancel_booking(booking=booking, user=user, reason=reason)]
    cancelled = []
    with transaction.atomic():
        later = Booking.objects.filter(
            series_id=booking.series_id, start__gte=booking.start, status__in=Booking.ACTIVE_STATUSES
        ).order_by("start")
        for occurrence in later:
            cancelled.append(services.cancel_booking(booking=occurrence, user=user, reason=reason))
    return cancelled
