"""Building the day-by-day figures (``SpaceDay``) that the reports add up.

What grows with the bookings is computed by the database: the counts and money per day in one grouped
query, the minutes booked per hour in one statement that cuts each booking at every hour. Python only adds
what does not grow with them: each space's open minutes per day, from its opening hours, the public holidays
and the closures.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Booking, Closure
from bookings.rules import HALL_TZ, holiday_name, in_calendar
from common.db import EpochMinute
from common.errors import DomainError, is_lock_timeout
from hall.models import Space
from hall.opening_hours import opening_minutes
from reports.models import HOURS, SpaceDay, hour_field

# Asia/Seoul is UTC+9 all year (no summer time since 1988): a local day starts at a fixed UTC minute, and
# local hours begin on UTC hours, so the database can cut bookings by day and hour with integer arithmetic.
SEOUL_OFFSET_MINUTES = 9 * 60
DAY_MINUTES = 24 * 60
EPOCH = date(1970, 1, 1)
# A window longer than this is built in pieces by the caller (the nightly task builds about 400 days).
LONGEST_BUILD_DAYS = 800

# Rows written by one statement on PostgreSQL (a year of 200 spaces is 73,200 rows).
WRITE_BATCH_ROWS = 20_000
# How long a build waits for another build of the same days to commit (see build_usage).
BUILD_LOCK_WAIT = "10min"

BOOKED = (Booking.Status.APPROVED, Booking.Status.NO_SHOW)
COUNTED = (Booking.Status.APPROVED, Booking.Status.NO_SHOW, Booking.Status.CANCELLED)
PAID = (Booking.PaymentStatus.PAID, Booking.PaymentStatus.REFUND_DUE, Booking.PaymentStatus.REFUNDED)
REFUNDED = (Booking.PaymentStatus.REFUND_DUE, Booking.PaymentStatus.REFUNDED)


# The figures of a row in the order build_usage computes them: space, day, weekday, open and booked minutes,
# the counts and money of _day_counts, the minutes of each hour (built_at is the build's).
COUNTED_FIELDS = (
    "bookings",
    "cancellations",
    "no_shows",
    "lead_minutes",
    "revenue",
    "refunds",
    "reductions",
    "reduction_amount",
)
ROW_FIELDS = (
    "space_id",
    "day",
    "weekday",
    "open_minutes",
    "booked_minutes",
    *COUNTED_FIELDS,
    *(hour_field(hour) for hour in HOURS),
)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_start_minute(day: date) -> int:
    """The local midnight that starts ``day``, in minutes since 1970 (UTC)."""
    return day_number(day) * DAY_MINUTES - SEOUL_OFFSET_MINUTES


def _epoch_minute(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=HALL_TZ)


def _merged(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching intervals joined, so a time closed twice is taken out once."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _overlap(start: int, end: int, intervals: list[tuple[int, int]]) -> int:
    return sum(max(0, min(end, other_end) - max(start, other_start)) for other_start, other_end in intervals)


def _open_minutes(
    space: Space, days: list[date], closed: list[tuple[int, int]], holidays: set[date]
) -> dict[date, int]:
    """The minutes each day the space could be booked: its opening hours, none on a public holiday (one of
    ``holidays``) unless it opens on them, and nothing while closed. A space booked by whole days can be
    booked any day."""
    policy = space.policy
    by_weekday: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if policy.booking_unit == Space.BookingUnit.DAY:
        for weekday in range(7):
            by_weekday[weekday].append((0, DAY_MINUTES))
    else:
        for weekday, opens, closes in opening_minutes(policy.opening_hours):
            by_weekday[weekday].append((opens, closes))
    minutes = {}
    for day in days:
        if policy.booking_unit != Space.BookingUnit.DAY and not policy.open_on_holidays and day in holidays:
            minutes[day] = 0
            continue
        midnight = day_start_minute(day)
        total = 0
        for opens, closes in by_weekday[day.weekday()]:
            start, end = midnight + opens, midnight + closes
            total += (end - start) - _overlap(start, end, closed)
        minutes[day] = total
    return minutes


def _closed_minutes(spaces: list[Space], start: datetime, end: datetime) -> dict[int, list[tuple[int, int]]]:
    """Each space's closed periods in the window, a facility's closures included, merged."""
    facility_ids = {space.facility_id for space in spaces}
    by_facility: dict[int, list[tuple[int, int]]] = defaultdict(list)
    by_space: dict[int, list[tuple[int, int]]] = defaultdict(list)
    closures = Closure.objects.filter(facility_id__in=facility_ids, start__lt=end, end__gt=start)
    for space_id, facility_id, closure_start, closure_end in closures.values_list(
        "space_id", "facility_id", "start", "end"
    ):
        interval = (_epoch_minute(closure_start), _epoch_minute(closure_end))
        (by_space[space_id] if space_id else by_facility[facility_id]).append(interval)
    return {space.pk: _merged(by_space[space.pk] + by_facility[space.facility_id]) for space in spaces}


def _bookings_of(space_ids: list[int] | None):
    # Every space: no list of ids in the statement (a province has thousands).
    return Booking.objects.all() if space_ids is None else Booking.objects.filter(space_id__in=space_ids)


def _day_counts(space_ids: list[int] | None, start: datetime, end: datetime) -> dict[tuple[int, int], dict]:
    """Counts and money of the bookings starting each day, per space: one grouped query."""
    start_minute = EpochMinute("start")
    used = Q(status__in=BOOKED)
    reduced = used & Q(reduction_percent__gt=0)
    rows = (
        _bookings_of(space_ids)
        .filter(start__gte=start, start__lt=end, status__in=COUNTED)
        .annotate(day_no=(start_minute + SEOUL_OFFSET_MINUTES) / DAY_MINUTES)
        .order_by()
        .values("space_id", "day_no")
        .annotate(
            bookings=Count("pk"),
            cancellations=Count("pk", filter=Q(status=Booking.Status.CANCELLED)),
            no_shows=Count("pk", filter=Q(status=Booking.Status.NO_SHOW)),
            lead_minutes=Sum(Greatest(start_minute - EpochMinute("created"), 0)),
            revenue=Sum("amount_due", filter=Q(payment_status__in=PAID)),
            refunds=Sum("refund_amount", filter=Q(payment_status__in=REFUNDED)),
            reductions=Count("pk", filter=reduced),
            reduction_amount=Sum(F("fee") - F("amount_due"), filter=reduced),
        )
    )
    return {(row.pop("space_id"), row.pop("day_no")): row for row in rows}


def _booked_minutes(space_ids: list[int] | None, start: datetime, end: datetime) -> dict[tuple[int, int], list[int]]:
    """Minutes booked in each hour of each day, per space: one statement that cuts every booking in the
    window at each hour (a recursive query) and adds the pieces up by day, one column per hour."""
    bookings = (
        _bookings_of(space_ids)
        .filter(status__in=BOOKED, start__lt=end, end__gt=start)
        .order_by()
        .annotate(start_minute=EpochMinute("start"), end_minute=EpochMinute("end"))
        .values_list("space_id", "start_minute", "end_minute")
    )
    bookings_sql, bookings_params = bookings.query.sql_with_params()
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    local = f"(piece_start + {SEOUL_OFFSET_MINUTES})"
    hour_of_day = f"({local} / 60 - {local} / {DAY_MINUTES} * 24)"
    hour_columns = ", ".join(
        f"SUM(CASE WHEN {hour_of_day} = {hour} THEN piece_end - piece_start ELSE 0 END)" for hour in HOURS
    )
    sql = f"""
        WITH RECURSIVE booked(space_id, start_minute, end_minute) AS ({bookings_sql}),
        pieces(space_id, piece_start, piece_end, stop) AS (
            SELECT space_id, first_minute, {least}(last_minute, (first_minute / 60 + 1) * 60), last_minute
            FROM (
                SELECT space_id,
                       {greatest}(start_minute, CAST(%s AS BIGINT)) AS first_minute,
                       {least}(end_minute, CAST(%s AS BIGINT)) AS last_minute
                FROM booked
            ) clipped
            UNION ALL
            SELECT space_id, piece_end, {least}(stop, (piece_end / 60 + 1) * 60), stop
            FROM pieces WHERE piece_end < stop
        )
        SELECT space_id, {local} / {DAY_MINUTES} AS day_no, {hour_columns}
        FROM pieces GROUP BY space_id, {local} / {DAY_MINUTES}
    """
    params = (*bookings_params, _epoch_minute(start), _epoch_minute(end))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(row[0], row[1]): [int(minutes) for minutes in row[2:]] for row in cursor.fetchall()}


def build_usage(*, first: date, last: date, space_ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Write the figures of every space (or of ``space_ids``) for each day from ``first`` to ``last``, in
    one transaction; returns the number of rows written. Each row is written whole from the bookings as
    they are now, so a build can be run again at any time, and two builds at once write the same rows."""
    if first > last:
        raise DomainError("invalid_period", _("The first day must not be after the last day."))
    if not in_calendar(first, last):
        raise DomainError("invalid_period", _("Choose dates between the years 2000 and 2100."))
    if (last - first).days >= LONGEST_BUILD_DAYS:
        raise DomainError("invalid_period", _("Build at most %(days)d days at once.") % {"days": LONGEST_BUILD_DAYS})
    now = now or timezone.now()
    spaces = Space.objects.select_related("facility").order_by("pk")
    if space_ids is not None:
        spaces = spaces.filter(pk__in=space_ids)
    spaces = list(spaces)
    if not spaces:
        return 0
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    start, end = _midnight(first), _midnight(last + timedelta(days=1))

    closed = _closed_minutes(spaces, start, end)
    counts = _day_counts(space_ids, start, end)
    booked = _booked_minutes(space_ids, start, end)
    holidays = {day for day in days if holiday_name(day)}
    zero_hours = [0] * len(HOURS)
    rows = []
    for space in spaces:
        open_minutes = _open_minutes(space, days, closed[space.pk], holidays)
        for day in days:
            key = (space.pk, day_number(day))
            hours = booked.get(key, zero_hours)
            day_counts = counts.get(key, {})
            rows.append(
                (
                    space.pk,
                    day,
                    day.weekday(),
                    open_minutes[day],
                    sum(hours),
                    *(day_counts.get(name) or 0 for name in COUNTED_FIELDS),
                    *hours,
                )
            )
    try:
        with transaction.atomic():
            _write(rows, now)
    except OperationalError as error:
        if not is_lock_timeout(error):
            raise
        # Another build of these days has written them and holds their rows until it commits (the nightly
        # build and the quarter-hourly refresh can meet): wait for it, longer than the few seconds a
        # booking waits for a lock, then write over its rows.
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [BUILD_LOCK_WAIT])
            _write(rows, now)
    return len(rows)


def _write(rows: list[tuple], now: datetime) -> None:
    """Insert the rows, or overwrite them whole where they exist, in (space, day) order: two builds that
    meet wait for each other on the same first row instead of each holding rows the other needs."""
    if connection.vendor != "postgresql":
        update_fields = [*ROW_FIELDS[2:], "built_at"]
        SpaceDay.objects.bulk_create(
            [SpaceDay(**dict(zip(ROW_FIELDS, row, strict=True)), built_at=now) for row in rows],
            batch_size=500,
            update_conflicts=True,
            unique_fields=["space", "day"],
            update_fields=update_fields,
        )
        return
    # One statement per batch, each column as one array literal: preparing and quoting each of the 38 values
    # of every row apart (Django's bulk_create, or psycopg adapting lists) took most of a build's time. The
    # values are integers and dates, whose text needs no quoting inside an array.
    fields = [SpaceDay._meta.get_field(name) for name in ROW_FIELDS]
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields]
    placeholders = ", ".join(f"%s::{field.cast_db_type(connection)}[]" for field in fields)
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in [*columns[2:], quote("built_at")])
    sql = f"""
        INSERT INTO {quote(SpaceDay._meta.db_table)} ({", ".join(columns)}, {quote("built_at")})
        SELECT {", ".join(f"figures.{column}" for column in columns)}, %s
        FROM unnest({placeholders}) WITH ORDINALITY AS figures({", ".join(columns)}, position)
        ORDER BY figures.position
        ON CONFLICT ({columns[0]}, {columns[1]}) DO UPDATE SET {updates}
    """
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), WRITE_BATCH_ROWS):
            batch = rows[offset : offset + WRITE_BATCH_ROWS]
            arrays = ["{" + ",".join(map(str, values)) + "}" for values in zip(*batch, strict=True)]
            cursor.execute(sql, [now, *arrays])


def build_recent_usage(*, now: datetime | None = None, days_back: int = 35, days_ahead: int = 92) -> int:
    """The window the reports change in most: the last weeks (no-shows, refunds) and the months booked ahead."""
    now = now or timezone.now()
    today = now.astimezone(HALL_TZ).date()
    return build_usage(first=today - timedelta(days=days_back), last=today + timedelta(days=days_ahead), now=now)
