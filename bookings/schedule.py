"""The hall at a glance: rooms × time, laid out for a page.

One layout serves the finder's grid (a facility's or a building's day, all its rooms), a room's day and week,
and the managers' calendar (a facility by day or by week). Each (room, day) is a *lane* spanning the same hours,
so hour columns line up down the page. A lane holds positioned items: bookings of their true length, closures,
the hours the room is shut, the past, and the free times, each a link to the room's form prefilled with it.

Everything is computed in whole minutes from the schedule's first midnight, so laying out a facility's week is
integer arithmetic over rows that three queries return: the rooms, the bookings of the period and its closures.
Who may read a booking's title is decided here: its booker's people and the facility's managers; everyone else
reads "Booked".
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bookings import selectors
from bookings.models import Booking
from bookings.rules import HALL_TZ, holiday_name
from common.db import EpochMinute
from hall.models import Space
from hall.opening_hours import WEEKDAYS, parse_opening_hours
from hall.selectors import facilities_managed_by
from tenants.models import Membership

DAY_MINUTES = 24 * 60
# Positions are classes of a static stylesheet (the CSP allows no style attributes): quarter percents.
POSITION_STEPS = 400
DEFAULT_HOURS = (9, 18)
_SLUG_MARK = "room-slug-mark"
# "HH:MM" for every minute of a day and its end, made once.
CLOCK = [f"{m // 60:02d}:{m % 60:02d}" for m in range(DAY_MINUTES + 1)]

# Item kinds, also their CSS class suffixes.
APPROVED, PENDING, MINE, CLOSED, SHUT, PAST, FREE = "approved", "pending", "mine", "closed", "shut", "past", "free"


@dataclass(slots=True)
class Item:
    kind: str
    start: int  # minutes since the lane's midnight
    end: int
    left: int  # position class, quarter percents of the lane
    width: int
    label: str = ""
    detail: str = ""
    url: str = ""
    booking_id: int | None = None
    repeats: bool = False
    pending: bool = False
    suggest_end: int = 0  # free times: the end a click proposes

    @property
    def suggest_end_text(self) -> str:
        return CLOCK[self.suggest_end] if self.suggest_end < DAY_MINUTES else "24:00"

    @property
    def start_text(self) -> str:
        return CLOCK[self.start]

    @property
    def end_text(self) -> str:
        return CLOCK[self.end] if self.end < DAY_MINUTES else "24:00"

    @property
    def is_block(self) -> bool:
        return self.kind in (APPROVED, PENDING, MINE, CLOSED)


@dataclass(slots=True)
class Lane:
    space: Space
    day: date
    holiday: str | None
    book_url: str  # the room's form, without the time; empty where nothing can be booked
    by_whole_day: bool
    slot: int
    min_length: int
    max_length: int
    default_length: int
    items: list[Item] = field(default_factory=list)
    is_closed: bool = False  # not open at all that day

    @property
    def iso(self) -> str:
        return self.day.isoformat()

    @property
    def blocks(self) -> list[Item]:
        return [item for item in self.items if item.is_block]

    @property
    def free(self) -> list[Item]:
        return [item for item in self.items if item.kind == FREE]


@dataclass(slots=True)
class Row:
    label: str
    url: str
    space: Space | None
    day: date | None
    lanes: list[Lane]


@dataclass
class Schedule:
    days: list[date]
    first_hour: int
    last_hour: int
    rows: list[Row]
    by_day: bool  # rows are the days of one room (a room's page), else the rooms
    holidays: dict[date, str]

    @property
    def day_heads(self) -> list[tuple[date, str | None]]:
        return [(day, self.holidays.get(day)) for day in self.days]

    @property
    def lanes_per_row(self) -> int:
        return len(self.rows[0].lanes) if self.rows else 0

    @property
    def hours(self) -> list[str]:
        return [f"{hour:02d}" for hour in range(self.first_hour, self.last_hour)]

    @property
    def hour_count(self) -> int:
        return self.last_hour - self.first_hour

    @property
    def is_empty(self) -> bool:
        return not self.rows


@dataclass(slots=True)
class _Room:
    """A room's rules in minutes, read once per schedule."""

    space: Space
    open_minutes: dict[int, list[tuple[int, int]]]  # weekday → intervals
    open_on_holidays: bool
    by_day: bool
    slot: int
    min_length: int
    max_length: int
    notice: int
    days_ahead: int
    url: str
    default_length: int


def _open_minutes(opening_hours: dict) -> dict[int, list[tuple[int, int]]]:
    parsed = parse_opening_hours(opening_hours)
    return {
        index: [
            (opens.hour * 60 + opens.minute, DAY_MINUTES if closes == time.max else closes.hour * 60 + closes.minute)
            for opens, closes in parsed[name]
        ]
        for index, name in enumerate(WEEKDAYS)
    }


def _room(space: Space, hours_of: dict, room_url: str) -> _Room:
    policy = space.policy
    # Rooms mostly keep their facility's hours: each distinct set is read once.
    key = ("facility", space.facility_id) if space.opening_hours is None else ("space", space.pk)
    if key not in hours_of:
        hours_of[key] = _open_minutes(policy.opening_hours)
    open_minutes = hours_of[key]
    return _Room(
        space=space,
        open_minutes=open_minutes,
        open_on_holidays=policy.open_on_holidays,
        by_day=policy.booking_unit == Space.BookingUnit.DAY,
        slot=policy.slot_minutes,
        min_length=policy.min_duration_minutes,
        max_length=policy.max_duration_minutes,
        notice=policy.min_notice_minutes,
        days_ahead=policy.max_days_ahead,
        url=room_url.replace(_SLUG_MARK, space.slug),
        default_length=min(
            -(-max(60, policy.min_duration_minutes) // policy.slot_minutes) * policy.slot_minutes,
            policy.max_duration_minutes,
        ),
    )


def _hour_span(rooms: list[_Room], weekdays: set[int]) -> tuple[int, int]:
    """The hours the schedule shows: from the earliest opening to the latest closing of its rooms and days."""
    opens, closes = DAY_MINUTES, 0
    for room in rooms:
        if room.by_day:
            continue
        for weekday in weekdays:
            for start, end in room.open_minutes[weekday]:
                opens, closes = min(opens, start), max(closes, end)
    if closes <= opens:
        return DEFAULT_HOURS
    return opens // 60, -(-closes // 60)


class _Viewer:
    """What the reader may see: their own people's bookings and the facilities they manage."""

    def __init__(self, user, managed_facility_ids: set[int] | None = None):
        self.user_id = getattr(user, "pk", None) if user is not None and user.is_authenticated else None
        self.organization_ids: set[int] = set()
        self.managed_facility_ids: set[int] = set()
        if self.user_id is not None:
            self.organization_ids = set(
                Membership.objects.filter(user_id=self.user_id).values_list("organization_id", flat=True)
            )
            if managed_facility_ids is None:
                managed_facility_ids = set(facilities_managed_by(user).values_list("pk", flat=True))
            self.managed_facility_ids = managed_facility_ids

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_facility_ids)


def _booking_rows(space_ids: list[int], start: datetime, end: datetime):
    # `space_id + 0` keeps the room list out of the GiST index's first column, so PostgreSQL reads the
    # period once from the index and filters the rooms, instead of walking the same pages once per room.
    return (
        selectors.overlapping_bookings(start=start, end=end)
        .alias(room=F("space_id") + 0)
        .filter(room__in=space_ids)
        .order_by("start")
        .annotate(start_minute=EpochMinute("start"), end_minute=EpochMinute("end"))
        .values_list(
            "pk",
            "space_id",
            "start_minute",
            "end_minute",
            "status",
            "title",
            "requested_by_id",
            "organization_id",
            "organization__name",
            "organization__name_en",
            "series_id",
        )
    )


def _closure_rows(rooms: list[_Room], start: datetime, end: datetime):
    facility_ids = {room.space.facility_id for room in rooms}
    return (
        selectors.overlapping_closures(start=start, end=end)
        .filter(Q(space_id__in=[room.space.pk for room in rooms]) | Q(space__isnull=True, facility_id__in=facility_ids))
        .annotate(start_minute=EpochMinute("start"), end_minute=EpochMinute("end"))
        .values_list("space_id", "facility_id", "start_minute", "end_minute", "reason")
    )


def build_schedule(
    *,
    spaces: list[Space],
    first_day: date,
    days: int,
    user=None,
    by_day: bool = False,
    now: datetime | None = None,
    managed_facility_ids: set[int] | None = None,
) -> Schedule:
    """Lay out ``spaces`` over ``days`` days from ``first_day``: two queries for the rooms' bookings and
    closures, plus two for who the reader is (one when the caller knows the facilities they manage,
    from ``hall.selectors.facilities_managed_by``), whatever the number of rooms, days and bookings."""
    now = now or timezone.now()
    day_list = [first_day + timedelta(days=offset) for offset in range(days)]
    origin = datetime.combine(first_day, time(0, 0), tzinfo=HALL_TZ)
    period_end = datetime.combine(first_day + timedelta(days=days), time(0, 0), tzinfo=HALL_TZ)
    hours_of: dict = {}
    room_url = reverse("bookings:space_detail", kwargs={"slug": _SLUG_MARK})
    rooms = [_room(space, hours_of, room_url) for space in spaces]
    first_hour, last_hour = _hour_span(rooms, {day.weekday() for day in day_list})
    span_start, span_end = first_hour * 60, last_hour * 60
    holidays = {day: name for day in day_list if (name := holiday_name(day))}
    viewer = _Viewer(user, managed_facility_ids)
    booking_url = reverse("bookings:booking_detail", args=[0])[: -len("0/")] + "{}/"
    today = timezone.localdate(now)
    now_minutes = int(now.timestamp()) // 60 - int(origin.timestamp()) // 60

    # The bookings and closures of each lane (room, day), in minutes from the first midnight: each row is
    # placed once in the days it touches, so a lane reads only its own.
    origin_minutes = int(origin.timestamp()) // 60
    last_index = days - 1
    by_lane: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for row in _booking_rows([room.space.pk for room in rooms], origin, period_end):
        start, end = row[2] - origin_minutes, row[3] - origin_minutes
        entry = (start, end, *row[:2], *row[4:])
        for index in range(max(start // DAY_MINUTES, 0), min((end - 1) // DAY_MINUTES, last_index) + 1):
            by_lane[row[1], index].append(entry)
    closures_by_lane: dict[tuple[str, int, int], list[tuple]] = defaultdict(list)
    for space_id, facility_id, start_at, end_at, reason in _closure_rows(rooms, origin, period_end):
        start, end = start_at - origin_minutes, end_at - origin_minutes
        key = ("space", space_id) if space_id is not None else ("facility", facility_id)
        for index in range(max(start // DAY_MINUTES, 0), min((end - 1) // DAY_MINUTES, last_index) + 1):
            closures_by_lane[(*key, index)].append((start, end, reason))
    english = (get_language() or "ko").startswith("en")
    booked_label, pending_label, closed_label = _("Booked"), _("Awaiting approval"), _("Closed")

    def position(start: int, end: int, lane_start: int, lane_span: int) -> tuple[int, int]:
        half = lane_span // 2
        left = ((start - lane_start) * POSITION_STEPS + half) // lane_span
        right = ((end - lane_start) * POSITION_STEPS + half) // lane_span
        return left, max(1, right - left)

    rows: list[Row] = []
    lanes_of_room: dict[int, list[Lane]] = {}
    for room in rooms:
        space = room.space
        manages = space.facility_id in viewer.managed_facility_ids
        horizon = today + timedelta(days=room.days_ahead)
        lanes = []
        for index, day in enumerate(day_list):
            midnight = index * DAY_MINUTES
            if room.by_day:
                lane_start, lane_end = 0, DAY_MINUTES
                open_intervals = [(0, DAY_MINUTES)]
            else:
                lane_start, lane_end = span_start, span_end
                open_intervals = room.open_minutes[day.weekday()]
                if day in holidays and not room.open_on_holidays:
                    open_intervals = []
            lane_span = lane_end - lane_start
            bookable = room.space.is_bookable and today <= day <= horizon
            lane = Lane(
                space=space,
                day=day,
                holiday=holidays.get(day),
                book_url=room.url if bookable else "",
                by_whole_day=room.by_day,
                slot=room.slot,
                min_length=room.min_length,
                max_length=room.max_length,
                default_length=room.default_length,
                is_closed=not open_intervals,
            )
            items = lane.items
            # Shut: the lane's hours outside the room's opening intervals.
            cursor = lane_start
            for opens, closes in open_intervals:
                if opens > cursor:
                    items.append(
                        Item(SHUT, cursor, min(opens, lane_end), *position(cursor, opens, lane_start, lane_span))
                    )
                cursor = max(cursor, closes)
            if cursor < lane_end:
                items.append(Item(SHUT, cursor, lane_end, *position(cursor, lane_end, lane_start, lane_span)))
            # The past, greyed.
            past_until = min(now_minutes - midnight, lane_end)
            if past_until > lane_start:
                items.append(
                    Item(PAST, lane_start, past_until, *position(lane_start, past_until, lane_start, lane_span))
                )
            busy: list[tuple[int, int]] = []
            # Closures, with their reason.
            for start, end, reason in closures_by_lane.get(("space", space.pk, index), []) + closures_by_lane.get(
                ("facility", space.facility_id, index), []
            ):
                start, end = max(start - midnight, lane_start), min(end - midnight, lane_end)
                if end > start:
                    items.append(
                        Item(CLOSED, start, end, *position(start, end, lane_start, lane_span), closed_label, reason)
                    )
                    busy.append((start, end))
            # Bookings of their true length, cut to the lane.
            for (
                start,
                end,
                pk,
                _space_id,
                status,
                title,
                booker_id,
                org_id,
                org_name,
                org_name_en,
                series,
            ) in by_lane.get((space.pk, index), ()):
                start, end = max(start - midnight, lane_start), min(end - midnight, lane_end)
                if end <= start:
                    continue
                mine = booker_id == viewer.user_id or org_id in viewer.organization_ids
                is_pending = status != Booking.Status.APPROVED
                if mine or manages:
                    label = title
                    detail = (org_name_en if english and org_name_en else org_name) or ""
                    url = booking_url.format(pk)
                else:
                    label, detail, url = (pending_label if is_pending else booked_label), "", ""
                items.append(
                    Item(
                        MINE if mine else (PENDING if is_pending else APPROVED),
                        start,
                        end,
                        *position(start, end, lane_start, lane_span),
                        label,
                        detail,
                        url,
                        pk,
                        series is not None,
                        is_pending,
                    )
                )
                busy.append((start, end))
            # Free times: open, not past the notice, not busy; long enough to book.
            if lane.book_url and open_intervals:
                earliest = now_minutes - midnight + room.notice
                busy.sort()
                for opens, closes in open_intervals:
                    free_start = max(opens, lane_start)
                    for busy_start, busy_end in [*busy, (closes, closes)]:
                        if busy_end <= free_start:
                            continue
                        free_end = min(busy_start, closes, lane_end)
                        _add_free(items, room, free_start, free_end, earliest, lane_start, lane_span, position)
                        free_start = max(free_start, busy_end)
                        if free_start >= closes:
                            break
            lanes.append(lane)
        lanes_of_room[space.pk] = lanes
        if not by_day:
            rows.append(Row(label=space.display_name, url=room.url, space=space, day=None, lanes=lanes))
    if by_day:
        # A room's page: one row a day.
        for room in rooms:
            for lane in lanes_of_room[room.space.pk]:
                rows.append(Row(label="", url="", space=room.space, day=lane.day, lanes=[lane]))
    return Schedule(
        days=day_list, first_hour=first_hour, last_hour=last_hour, rows=rows, by_day=by_day, holidays=holidays
    )


def _add_free(items, room: _Room, start: int, end: int, earliest: int, lane_start: int, lane_span: int, position):
    if room.by_day:
        # A room let by the day is free for the day or not at all.
        if start <= 0 and end >= DAY_MINUTES and earliest <= 0:
            items.append(
                Item(FREE, 0, DAY_MINUTES, *position(0, DAY_MINUTES, lane_start, lane_span), suggest_end=DAY_MINUTES)
            )
        return
    # On the room's time grid, from the earliest time that can still be booked.
    slot = room.slot
    start = max(start, earliest)
    start = -(-start // slot) * slot
    end = end // slot * slot if end < DAY_MINUTES else end
    if end - start < max(room.min_length, slot):
        return
    suggest_end = min(end, start + room.default_length)
    items.append(Item(FREE, start, end, *position(start, end, lane_start, lane_span), suggest_end=suggest_end))
