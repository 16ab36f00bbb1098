"""Opening hours: for each weekday a list of ``["HH:MM", "HH:MM"]`` intervals; an empty list is closed.

Stored as JSON on a facility (the default) and optionally on a space (its own hours).
"""

import itertools
from datetime import time

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}

# The hall's hours: 09:00–22:00 on weekdays, 09:00–18:00 on Saturdays, closed on Sundays.
HALL_OPENING_HOURS = {
    **{day: [["09:00", "22:00"]] for day in WEEKDAYS[:5]},
    "sat": [["09:00", "18:00"]],
    "sun": [],
}


def default_opening_hours() -> dict:
    return {day: [list(interval) for interval in intervals] for day, intervals in HALL_OPENING_HOURS.items()}


def _parse_time(value) -> time:
    if not isinstance(value, str):
        raise ValueError
    hours, minutes = value.split(":")
    if len(hours) != 2 or len(minutes) != 2:
        raise ValueError
    if hours == "24" and minutes == "00":
        return time.max
    return time(int(hours), int(minutes))


def parse_opening_hours(value) -> dict[str, list[tuple[time, time]]]:
    """Validate the JSON shape and return the intervals as ``time`` pairs, sorted per day."""
    if not isinstance(value, dict):
        raise ValidationError(_("Opening hours must map each weekday to a list of intervals."))
    unknown = set(value) - set(WEEKDAYS)
    if unknown:
        raise ValidationError(
            _("Unknown weekday(s): %(days)s. Use mon, tue, wed, thu, fri, sat, sun."),
            params={"days": ", ".join(sorted(unknown))},
        )
    return {day: parse_day_hours(value.get(day, []), day=day) for day in WEEKDAYS}


def parse_day_hours(intervals, *, day: str) -> list[tuple[time, time]]:
    """One weekday's intervals as sorted ``time`` pairs; ``day`` names the weekday in the error messages
    (the JSON key, or its label where the form shows the error on that weekday's row)."""
    if not isinstance(intervals, list):
        raise ValidationError(_("The hours of %(day)s must be a list."), params={"day": day})
    pairs = []
    for interval in intervals:
        try:
            opens, closes = (_parse_time(part) for part in interval)
        except (TypeError, ValueError):
            raise ValidationError(
                _('%(day)s: %(interval)s is not an interval like ["09:00", "18:00"].'),
                params={"day": day, "interval": interval},
            ) from None
        if closes <= opens:
            raise ValidationError(_("%(day)s: the closing time must be after the opening time."), params={"day": day})
        pairs.append((opens, closes))
    pairs.sort()
    for (_o1, c1), (o2, _c2) in itertools.pairwise(pairs):
        if o2 < c1:
            raise ValidationError(_("%(day)s: intervals overlap."), params={"day": day})
    return pairs


def minutes_since_midnight(moment: time) -> int:
    """A time of day in whole minutes; ``time.max`` (24:00) is 1440."""
    return 24 * 60 if moment == time.max else moment.hour * 60 + moment.minute


def opening_minutes(value) -> list[tuple[int, int, int]]:
    """The intervals of valid opening hours as ``(weekday, opens, closes)``: the weekday as ``date.weekday()``
    (0 is Monday), the times in minutes since midnight (24:00 is 1440)."""
    parsed = parse_opening_hours(value)
    return [
        (weekday, minutes_since_midnight(opens), minutes_since_midnight(closes))
        for weekday, day in enumerate(WEEKDAYS)
        for opens, closes in parsed[day]
    ]


def validate_opening_hours(value) -> None:
    parse_opening_hours(value)


def format_opening_hours(value) -> list[tuple[str, str]]:
    """(weekday label, "09:00–22:00" or "closed") rows for display."""
    rows = []
    for day in WEEKDAYS:
        intervals = value.get(day, []) if isinstance(value, dict) else []
        text = ", ".join(f"{opens}–{closes}" for opens, closes in intervals) if intervals else None
        rows.append((WEEKDAY_LABELS[day], text))
    return rows
