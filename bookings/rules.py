"""The rules a booking must follow, as pure functions over a space's policy.

``check_rules`` returns every violation (the booking form and a dry run show them all); the services
decide whether a manager may override them. The overlap invariant is not a rule here: it is checked,
and held by the database, inside the booking transaction (bookings.services).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hall.models import BookingPolicy, Space
from hall.opening_hours import WEEKDAYS, parse_opening_hours

HALL_TZ = ZoneInfo("Asia/Seoul")
# Dates past this are refused before any arithmetic, so year 9999 cannot overflow a time-zone shift.
LATEST_YEAR = 2100
# Dates before this are in the past and refused the same way: year 1 cannot be shifted to UTC either.
EARLIEST_YEAR = 2000


# No-shows count by the booking's start within this window: for the facility's limit and on the approval queue.
NO_SHOW_WINDOW = timedelta(days=90)


def in_calendar(*moments: date) -> bool:
    """Whether every date or datetime lies in years the rules, timelines and queries can compute with."""
    return all(EARLIEST_YEAR <= moment.year <= LATEST_YEAR for moment in moments)


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    field: str | None = None  # the form field the message belongs to, if any


@lru_cache(maxsize=64)
def _korean_holidays(year: int, language: str) -> holidays.HolidayBase:
    return holidays.country_holidays("KR", years=year, language="ko" if language == "ko" else "en_US")


def holiday_name(day: date) -> str | None:
    """The Korean public holiday on that date (substitute holidays included), in the reader's language."""
    language = (get_language() or "ko")[:2]
    return _korean_holidays(day.year, language).get(day)


def local(moment: datetime) -> datetime:
    return moment.astimezone(HALL_TZ)


def month_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The calendar month (Asia/Seoul) around a moment, as aware datetimes."""
    day = local(moment).date().replace(day=1)
    following = day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1)
    return datetime.combine(day, time(0, 0), tzinfo=HALL_TZ), datetime.combine(following, time(0, 0), tzinfo=HALL_TZ)


def _minutes_since_midnight(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _within_opening_hours(policy: BookingPolicy, start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies inside one opening interval of one local day."""
    start_local, end_local = local(start), local(end)
    day = start_local.date()
    intervals = parse_opening_hours(policy.opening_hours)[WEEKDAYS[day.weekday()]]
    # An interval may close at 24:00 (time.max); a booking ending at the next midnight fits it.
    if end_local.date() == day:
        end_time = end_local.time()
    elif end_local.date() == day + timedelta(days=1) and end_local.time() == time(0, 0):
        end_time = time.max
    else:
        return False
    start_time = start_local.time()
    return any(opens <= start_time and end_time <= closes for opens, closes in intervals)


def hours_allow(space: Space, start: datetime, end: datetime) -> bool:
    """Whether the space can be used for exactly this period: opening hours and public holidays for
    hourly spaces; whole days for spaces booked by the day."""
    if not in_calendar(start, end) or end <= start:
        return False
    policy = space.policy
    if policy.booking_unit == Space.BookingUnit.DAY:
        # Booked by whole days only: a gallery is no answer to "two hours on Tuesday afternoon".
        return all(local(moment).time() == time(0, 0) for moment in (start, end))
    if not _within_opening_hours(policy, start, end):
        return False
    return policy.open_on_holidays or holiday_name(local(start).date()) is None


def check_rules(
    *,
    space: Space,
    start: datetime,
    end: datetime,
    attendees: int,
    now: datetime,
    is_tenant: bool = False,
    closures=(),
) -> list[Violation]:
    """Every rule the proposed booking breaks; an empty list means it may be booked.

    ``closures`` are the closures that overlap [start, end) for this space (bookings.selectors).
    """
    if start.year > LATEST_YEAR or end.year > LATEST_YEAR:
        return [Violation("too_far_ahead", _("Bookings can be made at most a few months ahead."), "start")]
    if start.year < EARLIEST_YEAR or end.year < EARLIEST_YEAR:
        return [Violation("in_past", _("The start is in the past."), "start")]
    if end <= start:
        return [Violation("invalid_range", _("The end must be after the start."), "end")]

    policy = space.policy
    violations: list[Violation] = []
    if not space.is_bookable:
        violations.append(Violation("not_bookable", _("This space does not take bookings.")))

    if start < now:
        violations.append(Violation("in_past", _("The start is in the past."), "start"))
    elif start < now + timedelta(minutes=policy.min_notice_minutes):
        violations.append(
            Violation(
                "too_soon",
                _("Book at least %(minutes)d minutes before the start.") % {"minutes": policy.min_notice_minutes},
                "start",
            )
        )
    days_ahead = policy.tenant_max_days_ahead if is_tenant else policy.max_days_ahead
    if start > now + timedelta(days=days_ahead):
        violations.append(
            Violation(
                "too_far_ahead",
                _("This space can be booked at most %(days)d days ahead.") % {"days": days_ahead},
                "start",
            )
        )

    minutes = int((end - start).total_seconds() // 60)
    if minutes < policy.min_duration_minutes:
        violations.append(
            Violation(
                "too_short",
                _("A booking here lasts at least %(minutes)d minutes.") % {"minutes": policy.min_duration_minutes},
                "end",
            )
        )
    if minutes > policy.max_duration_minutes:
        violations.append(
            Violation(
                "too_long",
                _("A booking here lasts at most %(minutes)d minutes.") % {"minutes": policy.max_duration_minutes},
                "end",
            )
        )

    step = policy.slot_minutes
    start_local, end_local = local(start), local(end)
    off_grid = any(
        moment.second or moment.microsecond or _minutes_since_midnight(moment) % step
        for moment in (start_local, end_local)
    )
    if off_grid:
        if policy.booking_unit == Space.BookingUnit.DAY:
            message = _("This space is booked by whole days, from midnight to midnight.")
        else:
            message = _("Start and end must fall on the %(minutes)d-minute grid (e.g. 10:00, 10:%(minutes)02d).") % {
                "minutes": step
            }
        violations.append(Violation("not_on_grid", message, "start"))

    if policy.booking_unit == Space.BookingUnit.SLOT:
        if not _within_opening_hours(policy, start, end):
            violations.append(
                Violation("outside_opening_hours", _("The space is not open for the whole of this time."), "start")
            )
        if not policy.open_on_holidays:
            name = holiday_name(start_local.date())
            if name:
                violations.append(
                    Violation("on_holiday", _("The space is closed on %(holiday)s.") % {"holiday": name}, "start")
                )

    for closure in closures:
        violations.append(
            Violation(
                "closed",
                _("The space is closed from %(start)s to %(end)s: %(reason)s")
                % {
                    "start": local(closure.start).strftime("%Y-%m-%d %H:%M"),
                    "end": local(closure.end).strftime("%Y-%m-%d %H:%M"),
                    "reason": closure.reason,
                },
            )
        )
        break  # one closure explains it; the manager's closure page lists them all

    if attendees > space.capacity:
        violations.append(
            Violation(
                "over_capacity",
                _("This space holds at most %(capacity)d people.") % {"capacity": space.capacity},
                "attendees",
            )
        )
    return violations
