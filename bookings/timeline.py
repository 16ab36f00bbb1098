"""The day and week timelines of a space: open hours, busy blocks and free times, laid out for a page."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bookings import selectors
from bookings.rules import HALL_TZ, holiday_name, local
from hall.models import Space
from hall.opening_hours import WEEKDAYS, parse_opening_hours


@dataclass
class Block:
    start: datetime
    end: datetime
    kind: str  # pending, approved, closed, mine
    left: float  # percent of the day's bar
    width: float


@dataclass
class DayTimeline:
    day: date
    holiday: str | None
    opens: time | None
    closes: time | None
    blocks: list[Block] = field(default_factory=list)
    free: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return self.opens is None


def _day_span(space: Space, day: date) -> tuple[time | None, time | None]:
    policy = space.policy
    if policy.booking_unit == Space.BookingUnit.DAY:
        return time(0, 0), time.max
    intervals = parse_opening_hours(policy.opening_hours)[WEEKDAYS[day.weekday()]]
    if not intervals or (not policy.open_on_holidays and holiday_name(day)):
        return None, None
    return intervals[0][0], intervals[-1][1]


def _at(day: date, moment: time) -> datetime:
    if moment == time.max:
        return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=HALL_TZ)
    return datetime.combine(day, moment, tzinfo=HALL_TZ)


def build_timeline(*, space: Space, first_day: date, days: int, user=None) -> list[DayTimeline]:
    """Timelines for ``days`` days from ``first_day``; two queries whatever the number of bookings."""
    range_start = _at(first_day, time(0, 0))
    range_end = _at(first_day + timedelta(days=days), time(0, 0))
    periods = selectors.busy_periods(space=space, start=range_start, end=range_end)
    my_org_ids = set()
    if user is not None and user.is_authenticated:
        my_org_ids = set(user.memberships.values_list("organization_id", flat=True))

    timelines = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        opens, closes = _day_span(space, day)
        timeline = DayTimeline(day=day, holiday=holiday_name(day), opens=opens, closes=closes)
        if opens is not None:
            bar_start, bar_end = _at(day, opens), _at(day, closes)
            total = (bar_end - bar_start).total_seconds()
            cursor = bar_start
            for period in periods:
                start, end = max(local(period["start"]), bar_start), min(local(period["end"]), bar_end)
                if end <= start:
                    continue
                kind = period["kind"]
                booking = period.get("booking")
                if (
                    booking
                    and user is not None
                    and (
                        booking["requested_by_id"] == getattr(user, "pk", None)
                        or booking["organization_id"] in my_org_ids
                    )
                ):
                    kind = "mine"
                timeline.blocks.append(
                    Block(
                        start=start,
                        end=end,
                        kind=kind,
                        left=round((start - bar_start).total_seconds() / total * 100, 3),
                        width=round((end - start).total_seconds() / total * 100, 3),
                    )
                )
                if start > cursor:
                    timeline.free.append((cursor, start))
                cursor = max(cursor, end)
            if cursor < bar_end:
                timeline.free.append((cursor, bar_end))
        timelines.append(timeline)
    return timelines
