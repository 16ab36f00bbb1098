"""Read queries for finding and following bookings. Each keeps a fixed number of SQL queries."""

import functools
import operator
from datetime import datetime, time, timedelta
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, Exists, F, Lookup, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from bookings import rules
from bookings.models import Booking, Closure, period
from hall.models import Amenity, Facility, OpeningInterval, Space
from hall.selectors import facilities_managed_by, is_admin
from tenants.models import Membership


def space_list() -> QuerySet[Space]:
    """Spaces with what a list shows: facility, building and amenities, in a fixed number of queries."""
    return (
        Space.objects.select_related("facility__building")
        .prefetch_related("amenities")
        .order_by("facility__position", "floor", "slug")
    )


def space_rows(spaces: QuerySet[Space]) -> QuerySet[dict]:
    """What the API shows of each space, as rows (dicts) of only those columns: a page of 200 spaces builds
    no model instance. Beside the space's own policy settings, a row holds its facility's
    (``facility_requires_approval``, ``facility_opening_hours``), for ``Space.own_or_facility``. On
    PostgreSQL it holds the slugs of its amenities too, in order (``amenity_slugs``), read in the same
    statement; elsewhere ``add_amenity_slugs`` reads them with one more query."""
    columns = {
        "facility_slug": F("facility__slug"),
        "building_slug": F("facility__building__slug"),
        "facility_requires_approval": F("facility__requires_approval"),
        "facility_opening_hours": F("facility__opening_hours"),
    }
    if connection.vendor == "postgresql":
        slugs = Amenity.objects.filter(spaces=OuterRef("pk")).order_by("slug").values("slug")
        columns["amenity_slugs"] = ArraySubquery(slugs)
    return spaces.prefetch_related(None).values(*SPACE_ROW_FIELDS, **columns)


SPACE_ROW_FIELDS = (
    "pk",
    "slug",
    "name",
    "name_en",
    "kind",
    "capacity",
    "floor",
    "area_m2",
    "is_bookable",
    "booking_unit",
    "requires_approval",
    "opening_hours",
    "photo",
)


def add_amenity_slugs(rows: list[dict]) -> list[dict]:
    """Give rows of ``space_rows`` read without them the slugs of their spaces' amenities, in order (one query)."""
    if rows and "amenity_slugs" not in rows[0]:
        slugs = {row["pk"]: [] for row in rows}
        links = Space.amenities.through.objects.filter(space_id__in=slugs).order_by("amenity__slug")
        for space_id, slug in links.values_list("space_id", "amenity__slug"):
            slugs[space_id].append(slug)
        for row in rows:
            row["amenity_slugs"] = slugs[row["pk"]]
    return rows


def space_detail(*, slug: str) -> Space:
    return space_list().get(slug=slug)


def _range(start: datetime, end: datetime):
    from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

    return DateTimeTZRange(start, end, "[)")


def overlapping_bookings(*, start: datetime, end: datetime) -> QuerySet[Booking]:
    """Active bookings that overlap the half-open period [start, end).

    On PostgreSQL the filter is written as the exclusion constraint's own expression, so the
    constraint's GiST index (space, period) answers it; elsewhere it is the plain comparison.
    """
    active = Booking.objects.filter(status__in=Booking.ACTIVE_STATUSES)
    if connection.vendor == "postgresql":
        return active.alias(period=period()).filter(period__overlap=_range(start, end))
    return active.filter(start__lt=end, end__gt=start)


def overlapping_closures(*, start: datetime, end: datetime) -> QuerySet[Closure]:
    return Closure.objects.filter(start__lt=end, end__gt=start)


def closures_for_space(*, space: Space, start: datetime, end: datetime) -> list[Closure]:
    return list(
        overlapping_closures(start=start, end=end)
        .filter(Q(space=space) | Q(space__isnull=True, facility_id=space.facility_id))
        .order_by("start")
    )


def free_between(spaces: QuerySet[Space], *, start: datetime, end: datetime) -> QuerySet[Space]:
    """The spaces with no active booking and no closure in [start, end): one query, no loop over spaces.

    The busy spaces are an uncorrelated ``NOT IN`` subquery: PostgreSQL reads the bookings of the period
    once from the exclusion constraint's GiST index and hashes their space ids. A correlated
    ``NOT EXISTS`` probes that index once per space instead, and as the index is organized by period
    first, every probe walks the same pages: its cost grows with the number of spaces and of bookings.
    """
    busy = overlapping_bookings(start=start, end=end).values("space_id")
    closed = overlapping_closures(start=start, end=end).filter(
        Q(space=OuterRef("pk")) | Q(space__isnull=True, facility=OuterRef("facility"))
    )
    return spaces.filter(is_bookable=True).exclude(pk__in=busy).exclude(Exists(closed))


def busy_periods(*, space: Space, start: datetime, end: datetime) -> list[dict]:
    """The busy times of a space for its timeline, without who booked them (one query each)."""
    bookings = (
        overlapping_bookings(start=start, end=end)
        .filter(space=space)
        .order_by("start")
        .values("pk", "start", "end", "status", "organization_id", "requested_by_id")
    )
    closures = closures_for_space(space=space, start=start, end=end)
    periods = [{"start": b["start"], "end": b["end"], "kind": b["status"], "booking": b} for b in bookings] + [
        {"start": c.start, "end": c.end, "kind": "closed", "reason": c.reason} for c in closures
    ]
    return sorted(periods, key=lambda p: p["start"])


def visible_bookings(user) -> QuerySet[Booking]:
    """Bookings a user may see: their own, their organizations', and those of facilities they manage."""
    if not user.is_authenticated:
        return Booking.objects.none()
    base = Booking.objects.select_related("space__facility__building", "organization", "requested_by")
    if is_admin(user):
        return base
    # Each part is read from its own index (requester, organization, space). A UNION of ids rather than a
    # join to memberships: no duplicate rows, so no DISTINCT over the table.
    member_orgs = Membership.objects.filter(user=user).values("organization_id")
    own_or_organizations = (
        Booking.objects.filter(requested_by=user)
        .order_by()
        .values("pk")
        .union(Booking.objects.filter(organization_id__in=member_orgs).order_by().values("pk"))
    )
    managed_spaces = Space.objects.filter(facility__in=facilities_managed_by(user).values("pk")).order_by().values("pk")
    return base.filter(_in_subquery("pk", own_or_organizations) | _in_subquery("space_id", managed_spaces))


def _in_subquery(column: str, values: QuerySet) -> Q:
    """``column IN (values)``, written so that PostgreSQL reads it from an index.

    PostgreSQL tests ``IN (subquery)`` under an OR row by row (a hashed subplan over a sequential scan);
    ``= ANY(ARRAY(subquery))`` evaluates the subquery once and looks its values up in the column's index. The
    array's size is unknown when the plan is made, so the estimate stays small and the plan stays on the index
    whether the user sees 50 bookings or 50,000. SQLite reads ``IN (subquery)`` under an OR from the indexes as
    it is (a multi-index OR).
    """
    if connection.vendor != "postgresql":
        return Q(**{f"{column}__in": values})
    return Q(_EqualsAny(F(column), ArraySubquery(values)))


class _EqualsAny(Lookup):
    """``lhs = ANY(rhs)`` for an array on the right."""

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def my_bookings(user, *, upcoming: bool) -> QuerySet[Booking]:
    """The user's bookings (as booker or through their organizations), upcoming or past."""
    member_orgs = Membership.objects.filter(user=user).values("organization_id")
    qs = Booking.objects.select_related("space__facility", "organization").filter(
        Q(requested_by=user) | Q(organization_id__in=member_orgs)
    )
    # The application's clock, not the database's: one "now" for every rule and page (and tests can travel).
    now = timezone.now()
    qs = qs.filter(end__gte=now) if upcoming else qs.filter(end__lt=now)
    return qs.order_by("start" if upcoming else "-start")


def series_dates(*, booking: Booking, user) -> list[Booking]:
    """The dates of the booking's weekly series that the user may see, in order, with their status (one query)."""
    if booking.series_id is None:
        return []
    dates = visible_bookings(user).filter(series_id=booking.series_id).select_related(None)
    return list(dates.only("pk", "series_id", "start", "end", "status").order_by("start", "pk"))


def approval_queue(user) -> QuerySet[Booking]:
    """Pending bookings of the facilities the user manages, the soonest to start first (the decision that
    cannot wait), with the booker's recent record (bookings in the last 90 days and cancellations) counted in
    the same query."""
    since = timezone.now() - timedelta(days=90)
    # No-shows by their start, as the facility's no-show limit counts them (admission.over_no_show_limit).
    no_shows_since = timezone.now() - rules.NO_SHOW_WINDOW
    return (
        Booking.objects.filter(status=Booking.Status.PENDING, space__facility__in=facilities_managed_by(user))
        .select_related("space__facility", "organization", "requested_by")
        .annotate(
            booker_recent=Count("requested_by__bookings", filter=Q(requested_by__bookings__created__gte=since)),
            booker_no_shows=Count(
                "requested_by__bookings",
                filter=Q(
                    requested_by__bookings__start__gte=no_shows_since,
                    requested_by__bookings__status=Booking.Status.NO_SHOW,
                ),
            ),
            booker_cancelled=Count(
                "requested_by__bookings",
                filter=Q(
                    requested_by__bookings__created__gte=since,
                    requested_by__bookings__status=Booking.Status.CANCELLED,
                ),
            ),
            closure_conflict=Exists(
                Closure.objects.filter(start__lt=OuterRef("end"), end__gt=OuterRef("start")).filter(
                    Q(space=OuterRef("space")) | Q(space__isnull=True, facility=OuterRef("space__facility"))
                )
            ),
        )
        .order_by("start", "pk")
    )


def facility_bookings(*, facility: Facility, start: datetime, end: datetime) -> QuerySet[Booking]:
    """Active bookings of every space of a facility in a period, for the manager's calendar."""
    return (
        overlapping_bookings(start=start, end=end)
        .filter(space__facility=facility)
        .select_related("space", "organization", "requested_by")
        .order_by("space__floor", "space__slug", "start")
    )


def bookings_hit_by(closure: Closure) -> QuerySet[Booking]:
    """The active bookings a closure overlaps, for the closure page and its "cancel them all" action."""
    qs = overlapping_bookings(start=closure.start, end=closure.end).filter(space__facility_id=closure.facility_id)
    if closure.space_id:
        qs = qs.filter(space_id=closure.space_id)
    return qs.select_related("space", "organization", "requested_by").order_by("start")


def open_during(spaces: QuerySet[Space], *, start: datetime, end: datetime) -> QuerySet[Space]:
    """The spaces whose rules let them be used for all of [start, end): opening hours, public holidays and
    booking unit, as ``rules.hours_allow`` decides them for one space, written as one SQL condition over the
    rows of opening hours (``hall.models.OpeningInterval``). What can be known from the window alone (its
    weekday and minutes, whether it is whole days, whether its day is a holiday) is decided here, once.
    tests/bookings/test_space_search_sql.py holds this to ``hours_allow`` on random windows and hours.
    """
    if not rules.in_calendar(start, end) or end <= start:
        return spaces.none()
    conditions = []
    if all(rules.local(moment).time() == time(0, 0) for moment in (start, end)):
        conditions.append(Q(booking_unit=Space.BookingUnit.DAY))
    window = _one_day_window(start, end)
    if window is not None:
        weekday, first_minute, last_minute = window
        intervals = OpeningInterval.objects.filter(
            weekday=weekday, opens_minute__lte=first_minute, closes_minute__gte=last_minute
        )
        # A space's own hours when it has them, else its facility's.
        within_hours = Q(pk__in=intervals.filter(space__isnull=False).values("space_id")) | Q(
            opening_hours__isnull=True, facility__in=intervals.filter(facility__isnull=False).values("facility_id")
        )
        by_the_hour = ~Q(booking_unit=Space.BookingUnit.DAY) & within_hours
        if rules.holiday_name(rules.local(start).date()) is not None:
            by_the_hour &= Q(open_on_holidays=True) | Q(open_on_holidays__isnull=True, facility__open_on_holidays=True)
        conditions.append(by_the_hour)
    if not conditions:
        return spaces.none()
    return spaces.filter(functools.reduce(operator.or_, conditions))


def _one_day_window(start: datetime, end: datetime) -> tuple[int, int, int] | None:
    """``(weekday, first minute, last minute)`` of [start, end) when it lies within one local day (ending
    at the next midnight at the latest), else None: an interval open from its first minute to its last
    holds it. The start's minute rounds down and the end's up, as an interval opens and closes on a minute."""
    start_local, end_local = rules.local(start), rules.local(end)
    day = start_local.date()
    if end_local.date() == day:
        last_minute = end_local.hour * 60 + end_local.minute + bool(end_local.second or end_local.microsecond)
    elif end_local.date() == day + timedelta(days=1) and end_local.time() == time(0, 0):
        last_minute = 24 * 60
    else:
        return None
    return day.weekday(), start_local.hour * 60 + start_local.minute, last_minute


def lock_space(space: Space) -> None:
    """Take the row lock that serializes bookings of one space (PostgreSQL; a no-op on SQLite, whose
    IMMEDIATE transactions already serialize writers). Only the space's row: without ``order_by()`` the
    model's ordering would join, and lock, its facility too, making every booking of the facility wait."""
    list(Space.objects.select_for_update().filter(pk=space.pk).order_by().values_list("pk", flat=True))


class SpaceForBooking(NamedTuple):
    space: Space
    closures: list[Closure]
    # The booker's organizations (ids), when read in the same statement (PostgreSQL); else None.
    booker_organization_ids: list[int] | None


def lock_space_for_booking(*, space: Space | str, start: datetime, end: datetime, booker=None) -> SpaceForBooking:
    """The space (an instance, of which only the primary key is used, or a slug) with its facility, read under
    ``lock_space``'s lock (on the space's row only), and its closures overlapping [start, end).
    ``Space.DoesNotExist`` when there is no such space.

    Read under the lock, the rules a booking is checked against are those in force when it is decided. On
    PostgreSQL the same statement says whether any closure overlaps, so the closures themselves are read only
    when one does: one query in the common case. Creating a closure takes no space lock, so reading them in the
    lock's statement misses nothing that reading them after it would see. With ``booker``, it also reads the
    ids of the booker's organizations, which the booking needs next.
    """
    # By slug, an API request reads its space once: here, locked.
    which = {"slug": space} if isinstance(space, str) else {"pk": space.pk}
    spaces = Space.objects.select_for_update(of=("self",)).select_related("facility").filter(**which).order_by()
    in_calendar = rules.in_calendar(start, end) and end > start
    if connection.vendor != "postgresql":
        space = spaces.get()
        closures = closures_for_space(space=space, start=start, end=end) if in_calendar else []
        return SpaceForBooking(space, closures, None)
    annotations = {}
    if in_calendar:
        annotations["closure_overlaps"] = RawSQL(_closure_overlaps_sql(), (end, start))
    if booker is not None:
        annotations["booker_organization_ids"] = RawSQL(_organization_ids_sql(), (booker.pk,))
    space = spaces.annotate(**annotations).get()
    closures = closures_for_space(space=space, start=start, end=end) if in_calendar and space.closure_overlaps else []
    return SpaceForBooking(space, closures, space.booker_organization_ids if booker is not None else None)


@functools.cache
def _closure_overlaps_sql() -> str:
    """Whether a closure of the space, or of its whole facility, overlaps [%s, %s) (end, then start).

    Written out because the same condition as an ``Exists`` of a ``Closure`` queryset with ``OuterRef``s
    costs about half a millisecond of Python to build on every booking, as much as the rest of the statement.
    """
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    closure, space = quote(Closure._meta.db_table), quote(Space._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {closure} WHERE ({closure}.{column(Closure, 'space')} = {space}.{column(Space, 'id')}"
        f" OR ({closure}.{column(Closure, 'space')} IS NULL"
        f" AND {closure}.{column(Closure, 'facility')} = {space}.{column(Space, 'facility')}))"
        f" AND {closure}.{column(Closure, 'start')} < %s AND {closure}.{column(Closure, 'end')} > %s)"
    )


@functools.cache
def _organization_ids_sql() -> str:
    """The ids of a user's (%s) organizations, as a PostgreSQL array."""
    quote = connection.ops.quote_name
    membership = Membership._meta
    organization = quote(membership.get_field("organization").column)
    user = quote(membership.get_field("user").column)
    return f"ARRAY(SELECT {organization} FROM {quote(membership.db_table)} WHERE {user} = %s ORDER BY {organization})"
