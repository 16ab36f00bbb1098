"""The booking rules on rooms built in memory: no database, so `make test-fast` runs them in seconds.

The rooms have the hall's default policy (weekdays 09:00–22:00, Saturday 09:00–18:00, closed on Sunday and
public holidays, a 30-minute grid, 30 minutes to 8 hours, 60 days ahead, an hour's notice).
"Now" is Tuesday 2026-12-01 09:00 in Seoul. tests/bookings/test_rules.py tests the same rules on saved rooms.
"""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.utils import translation

from bookings import rules
from hall.models import Facility, Space
from tests.factories import FROZEN_NOW, seoul

pytestmark = pytest.mark.fast

NOW = FROZEN_NOW


def room(*, facility: Facility | None = None, **fields) -> Space:
    return Space(facility=facility or Facility(slug="town"), slug="room", capacity=12, **fields)


def gallery() -> Space:
    return room(
        booking_unit=Space.BookingUnit.DAY,
        slot_minutes=1440,
        min_duration_minutes=1440,
        max_duration_minutes=14 * 1440,
        min_notice_minutes=1440,
    )


def codes(space, start, end, *, attendees=1, now=NOW, closures=(), is_tenant=False):
    violations = rules.check_rules(
        space=space, start=start, end=end, attendees=attendees, now=now, closures=closures, is_tenant=is_tenant
    )
    return {violation.code for violation in violations}


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (seoul(2026, 12, 7, 9), seoul(2026, 12, 7, 10), set()),  # Monday, from opening
        (seoul(2026, 12, 7, 21), seoul(2026, 12, 7, 22), set()),  # Monday, until closing
        (seoul(2026, 12, 7, 8, 30), seoul(2026, 12, 7, 9, 30), {"outside_opening_hours"}),
        (seoul(2026, 12, 7, 21), seoul(2026, 12, 7, 22, 30), {"outside_opening_hours"}),
        (seoul(2026, 12, 5, 17, 30), seoul(2026, 12, 5, 18, 30), {"outside_opening_hours"}),  # Saturday
        (seoul(2026, 12, 6, 10), seoul(2026, 12, 6, 11), {"outside_opening_hours"}),  # Sunday
    ],
)
def test_opening_hours_are_inclusive_at_both_ends(start, end, expected):
    assert codes(room(), start, end) == expected


def test_times_are_read_in_seoul_whatever_offset_they_carry():
    # 01:00 UTC is 10:00 in Seoul (open); 14:00 UTC is 23:00 in Seoul (closed).
    assert codes(room(), datetime(2026, 12, 7, 1, tzinfo=UTC), datetime(2026, 12, 7, 2, tzinfo=UTC)) == set()
    assert codes(room(), datetime(2026, 12, 7, 14, tzinfo=UTC), datetime(2026, 12, 7, 15, tzinfo=UTC)) == {
        "outside_opening_hours"
    }


def test_a_room_open_around_the_clock_takes_a_booking_until_midnight_but_not_across_it():
    all_day = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    space = room(opening_hours=all_day, max_duration_minutes=1440)

    assert codes(space, seoul(2026, 12, 7, 23), seoul(2026, 12, 8, 0)) == set()
    assert codes(space, seoul(2026, 12, 7, 23), seoul(2026, 12, 8, 1)) == {"outside_opening_hours"}


def test_a_korean_public_holiday_is_refused_and_named_in_the_readers_language():
    christmas = seoul(2026, 12, 25, 10)

    with translation.override("en"):
        [violation] = rules.check_rules(
            space=room(), start=christmas, end=christmas + timedelta(hours=1), attendees=1, now=NOW
        )
    assert violation.code == "on_holiday"
    assert "Christmas" in violation.message
    assert codes(room(), seoul(2026, 12, 24, 10), seoul(2026, 12, 24, 11)) == set()


def test_a_facility_open_on_holidays_passes_it_on_unless_the_room_says_otherwise():
    facility = Facility(slug="town", open_on_holidays=True)
    christmas = seoul(2026, 12, 25, 10)

    assert codes(room(facility=facility), christmas, christmas + timedelta(hours=1)) == set()
    assert codes(room(facility=facility, open_on_holidays=False), christmas, christmas + timedelta(hours=1)) == {
        "on_holiday"
    }


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (seoul(2026, 12, 7, 10, 15), seoul(2026, 12, 7, 11, 15)),
        (seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 10, 45)),
    ],
)
def test_times_off_the_30_minute_grid_are_refused(start, end):
    assert codes(room(), start, end) == {"not_on_grid"}


def test_durations_are_bounded_inclusively():
    start = seoul(2026, 12, 7, 10)

    assert codes(room(), start, start + timedelta(minutes=30)) == set()
    assert codes(room(), start, start + timedelta(hours=8)) == set()
    assert codes(room(), start, start + timedelta(hours=8, minutes=30)) == {"too_long"}
    assert codes(room(min_duration_minutes=60), start, start + timedelta(minutes=30)) == {"too_short"}


def test_notice_and_horizon_are_counted_from_now():
    assert codes(room(), NOW, NOW + timedelta(hours=1)) == {"too_soon"}
    assert codes(room(), NOW + timedelta(hours=1), NOW + timedelta(hours=2)) == set()
    assert codes(room(), seoul(2026, 11, 30, 10), seoul(2026, 11, 30, 11)) == {"in_past"}  # yesterday
    last_day = NOW + timedelta(days=60)
    assert codes(room(), last_day, last_day + timedelta(hours=1)) == set()
    assert codes(room(), last_day + timedelta(minutes=30), last_day + timedelta(hours=1, minutes=30)) == {
        "too_far_ahead"
    }


def test_tenants_may_book_further_ahead():
    start = seoul(2027, 2, 15, 10)  # a Monday 76 days ahead

    assert codes(room(), start, start + timedelta(hours=1)) == {"too_far_ahead"}
    assert codes(room(), start, start + timedelta(hours=1), is_tenant=True) == set()


def test_more_attendees_than_the_capacity_are_refused():
    start = seoul(2026, 12, 7, 10)

    assert codes(room(), start, start + timedelta(hours=1), attendees=12) == set()
    assert codes(room(), start, start + timedelta(hours=1), attendees=13) == {"over_capacity"}


def test_an_unbookable_room_refuses_every_booking():
    start = seoul(2026, 12, 7, 10)

    assert codes(room(is_bookable=False), start, start + timedelta(hours=1)) == {"not_bookable"}


def test_a_closure_gives_its_reason():
    start = seoul(2026, 12, 7, 10)
    closure = SimpleNamespace(start=start, end=start + timedelta(hours=4), reason="정기 점검")

    [violation] = rules.check_rules(
        space=room(), start=start, end=start + timedelta(hours=1), attendees=1, now=NOW, closures=[closure]
    )
    assert violation.code == "closed"
    assert "정기 점검" in violation.message


def test_a_gallery_takes_whole_local_days_only():
    space = gallery()

    assert codes(space, seoul(2026, 12, 7), seoul(2026, 12, 9)) == set()
    assert codes(space, seoul(2026, 12, 7, 9), seoul(2026, 12, 8, 9)) == {"not_on_grid"}
    assert codes(space, seoul(2026, 12, 7), seoul(2026, 12, 22)) == {"too_long"}


@pytest.mark.parametrize(
    ("start", "expected"),
    [(datetime(9999, 12, 31, 10, tzinfo=UTC), "too_far_ahead"), (datetime(1, 1, 1, 10, tzinfo=UTC), "in_past")],
)
def test_dates_far_outside_the_calendar_are_refused_without_crashing(start, expected):
    assert codes(room(), start, start + timedelta(hours=1)) == {expected}
    assert rules.hours_allow(room(), start, start + timedelta(hours=1)) is False


def test_an_end_not_after_the_start_is_an_invalid_range():
    start = seoul(2026, 12, 7, 10)

    assert codes(room(), start, start) == {"invalid_range"}
    assert codes(room(), start, start - timedelta(hours=1)) == {"invalid_range"}
