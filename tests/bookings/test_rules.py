"""The booking rules at their edges. "Now" is Tuesday 2026-12-01 09:00 in Seoul throughout."""

from datetime import UTC, datetime, timedelta

import pytest

from bookings import rules
from bookings.services import BookingRequest, check_booking
from hall.models import Space
from tests.factories import FROZEN_NOW, ClosureFactory, SpaceFactory, seoul

NOW = FROZEN_NOW
ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def codes(space, start, end, *, attendees=1, now=NOW, closures=()):
    violations = rules.check_rules(space=space, start=start, end=end, attendees=attendees, now=now, closures=closures)
    return {violation.code for violation in violations}


@pytest.fixture
def gallery(town):
    """A room let by whole days, like the Art Center's galleries."""
    return SpaceFactory(
        facility=town,
        slug="test-gallery",
        kind=Space.Kind.GALLERY,
        capacity=80,
        booking_unit=Space.BookingUnit.DAY,
        slot_minutes=1440,
        min_duration_minutes=1440,
        max_duration_minutes=14 * 1440,
        min_notice_minutes=1440,
    )


# --- opening hours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (seoul(2026, 12, 7, 9), seoul(2026, 12, 7, 10)),  # Monday, from opening
        (seoul(2026, 12, 7, 20), seoul(2026, 12, 7, 22)),  # Monday, until closing
        (seoul(2026, 12, 5, 9), seoul(2026, 12, 5, 10)),  # Saturday, from opening
        (seoul(2026, 12, 5, 17), seoul(2026, 12, 5, 18)),  # Saturday, until closing
    ],
)
def test_a_booking_from_opening_or_until_closing_time_is_accepted(space, start, end):
    assert codes(space, start, end) == set()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (seoul(2026, 12, 7, 8, 30), seoul(2026, 12, 7, 9, 30)),  # Monday, starts before opening
        (seoul(2026, 12, 7, 21, 30), seoul(2026, 12, 7, 22, 30)),  # Monday, ends after closing
        (seoul(2026, 12, 5, 17, 30), seoul(2026, 12, 5, 18, 30)),  # Saturday closes at 18:00
        (seoul(2026, 12, 5, 18), seoul(2026, 12, 5, 19)),  # Saturday evening
        (seoul(2026, 12, 6, 10), seoul(2026, 12, 6, 11)),  # Sunday is closed
    ],
)
def test_a_booking_outside_the_opening_hours_is_refused(space, start, end):
    assert codes(space, start, end) == {"outside_opening_hours"}


def test_ending_one_minute_after_closing_is_refused(space):
    start = seoul(2026, 12, 7, 21)

    assert codes(space, start, seoul(2026, 12, 7, 22)) == set()
    assert "outside_opening_hours" in codes(space, start, seoul(2026, 12, 7, 22, 1))
    assert "outside_opening_hours" in codes(space, seoul(2026, 12, 5, 17), seoul(2026, 12, 5, 18, 1))


def test_a_booking_across_midnight_is_refused_even_in_a_room_open_around_the_clock(town):
    room = SpaceFactory(facility=town, opening_hours=ALL_DAY, max_duration_minutes=1440)

    assert codes(room, seoul(2026, 12, 7, 23), seoul(2026, 12, 8, 0)) == set()  # ends at midnight: fine
    assert codes(room, seoul(2026, 12, 7, 23), seoul(2026, 12, 8, 1)) == {"outside_opening_hours"}
    assert codes(room, seoul(2026, 12, 7, 22), seoul(2026, 12, 7, 23)) == set()


def test_a_room_with_its_own_hours_follows_them_rather_than_the_facility(town):
    evenings = {**{day: [["18:00", "23:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}, "sat": [], "sun": []}
    room = SpaceFactory(facility=town, opening_hours=evenings)

    assert codes(room, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 11)) == {"outside_opening_hours"}
    assert codes(room, seoul(2026, 12, 7, 22), seoul(2026, 12, 7, 23)) == set()


def test_times_are_read_in_seoul_whatever_offset_they_carry(space):
    # 01:00 UTC is 10:00 in Seoul (open); 14:00 UTC is 23:00 in Seoul (closed).
    assert codes(space, datetime(2026, 12, 7, 1, tzinfo=UTC), datetime(2026, 12, 7, 2, tzinfo=UTC)) == set()
    assert codes(space, datetime(2026, 12, 7, 14, tzinfo=UTC), datetime(2026, 12, 7, 15, tzinfo=UTC)) == {
        "outside_opening_hours"
    }


# --- public holidays -----------------------------------------------------------------------


@pytest.mark.parametrize("day", [seoul(2026, 12, 25, 10), seoul(2027, 1, 1, 10)])
def test_a_korean_public_holiday_is_refused(space, day):
    # Both are Fridays, inside the opening hours and the 60-day horizon.
    assert codes(space, day, day + timedelta(hours=1)) == {"on_holiday"}


def test_the_day_before_a_holiday_is_bookable(space):
    assert codes(space, seoul(2026, 12, 24, 10), seoul(2026, 12, 24, 11)) == set()


def test_a_space_open_on_holidays_takes_bookings_on_them(town):
    room = SpaceFactory(facility=town, open_on_holidays=True)

    assert codes(room, seoul(2026, 12, 25, 10), seoul(2026, 12, 25, 11)) == set()


def test_a_facility_open_on_holidays_passes_it_on_to_its_spaces(town, space):
    town.open_on_holidays = True
    town.save()
    space.refresh_from_db()

    assert codes(space, seoul(2026, 12, 25, 10), seoul(2026, 12, 25, 11)) == set()


def test_holiday_message_names_the_holiday(space):
    violations = rules.check_rules(
        space=space, start=seoul(2026, 12, 25, 10), end=seoul(2026, 12, 25, 11), attendees=1, now=NOW
    )

    assert len(violations) == 1
    assert rules.holiday_name(seoul(2026, 12, 25).date()) in violations[0].message


# --- granularity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (seoul(2026, 12, 7, 10, 15), seoul(2026, 12, 7, 11, 15)),
        (seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 11, 15)),
        (seoul(2026, 12, 7, 10, 45), seoul(2026, 12, 7, 11, 30)),
        (seoul(2026, 12, 7, 10) + timedelta(seconds=30), seoul(2026, 12, 7, 11)),
    ],
)
def test_times_off_the_30_minute_grid_are_refused(space, start, end):
    assert codes(space, start, end) == {"not_on_grid"}


def test_times_on_the_half_hour_are_on_the_grid(space):
    assert codes(space, seoul(2026, 12, 7, 10, 30), seoul(2026, 12, 7, 11, 30)) == set()


def test_a_finer_grid_of_the_space_accepts_quarter_hours(town):
    room = SpaceFactory(facility=town, slot_minutes=15)

    assert codes(room, seoul(2026, 12, 7, 10, 15), seoul(2026, 12, 7, 11, 15)) == set()
    assert codes(room, seoul(2026, 12, 7, 10, 20), seoul(2026, 12, 7, 11, 20)) == {"not_on_grid"}


# --- duration ------------------------------------------------------------------------------


def test_the_default_minimum_and_maximum_durations_are_inclusive(space):
    assert codes(space, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 10, 30)) == set()  # 30 minutes
    assert codes(space, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 18)) == set()  # 480 minutes


def test_longer_than_the_maximum_is_too_long(space):
    assert codes(space, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 18, 30)) == {"too_long"}


def test_shorter_than_the_space_minimum_is_too_short(town):
    room = SpaceFactory(facility=town, min_duration_minutes=60, max_duration_minutes=120)

    assert codes(room, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 10, 30)) == {"too_short"}
    assert codes(room, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 11)) == set()
    assert codes(room, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12)) == set()
    assert codes(room, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12, 30)) == {"too_long"}


# --- horizon, notice and the past ----------------------------------------------------------


def test_the_last_bookable_moment_is_exactly_max_days_ahead(space):
    # 60 days after Tuesday 2026-12-01 09:00 is Saturday 2027-01-30 09:00.
    last = NOW + timedelta(days=60)
    assert last == seoul(2027, 1, 30, 9)

    assert codes(space, last, last + timedelta(hours=1)) == set()
    later = last + timedelta(minutes=30)
    assert codes(space, later, later + timedelta(hours=1)) == {"too_far_ahead"}


def test_a_space_can_shorten_the_horizon(town):
    room = SpaceFactory(facility=town, max_days_ahead=7)

    assert codes(room, seoul(2026, 12, 8, 9), seoul(2026, 12, 8, 10)) == set()
    assert codes(room, seoul(2026, 12, 8, 9, 30), seoul(2026, 12, 8, 10, 30)) == {"too_far_ahead"}


def test_minimum_notice_is_counted_from_now(space):
    # The default notice is 60 minutes: 10:00 today is fine at 09:00, 09:30 is too soon.
    assert codes(space, seoul(2026, 12, 1, 10), seoul(2026, 12, 1, 11)) == set()
    assert codes(space, seoul(2026, 12, 1, 9, 30), seoul(2026, 12, 1, 10, 30)) == {"too_soon"}


def test_starting_right_now_is_too_soon_not_in_the_past(space):
    assert codes(space, NOW, NOW + timedelta(hours=1)) == {"too_soon"}


def test_a_longer_notice_of_the_space(town):
    room = SpaceFactory(facility=town, min_notice_minutes=1440)

    assert codes(room, seoul(2026, 12, 1, 21), seoul(2026, 12, 1, 22)) == {"too_soon"}
    assert codes(room, seoul(2026, 12, 2, 9), seoul(2026, 12, 2, 10)) == set()


def test_a_start_in_the_past_is_refused(space):
    assert codes(space, seoul(2026, 11, 30, 10), seoul(2026, 11, 30, 11)) == {"in_past"}


def test_a_start_one_minute_ago_is_in_the_past(space):
    assert "in_past" in codes(space, NOW - timedelta(minutes=1), NOW + timedelta(minutes=59))


# --- capacity and bookability --------------------------------------------------------------


def test_attendees_up_to_the_capacity_are_accepted(space):
    assert space.capacity == 12
    start, end = seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 11)

    assert codes(space, start, end, attendees=12) == set()
    assert codes(space, start, end, attendees=13) == {"over_capacity"}


def test_an_unbookable_space_refuses_every_booking(town):
    room = SpaceFactory(facility=town, is_bookable=False)

    assert codes(room, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 11)) == {"not_bookable"}


def test_every_broken_rule_is_reported_at_once(space):
    found = codes(space, seoul(2026, 12, 6, 10, 15), seoul(2026, 12, 6, 19, 15), attendees=50)

    assert found == {"outside_opening_hours", "not_on_grid", "too_long", "over_capacity"}


# --- closures ------------------------------------------------------------------------------


def _check(space, start, end):
    request = BookingRequest(space=space, start=start, end=end, attendees=1, title="Meeting")
    return {v.code for v in check_booking(user=None, request=request, organization=None, now=NOW)}


def test_a_closure_of_the_whole_facility_closes_its_spaces(space, town):
    ClosureFactory(facility=town, start=seoul(2026, 12, 7, 0), end=seoul(2026, 12, 8, 0))

    assert _check(space, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 11)) == {"closed"}
    assert _check(space, seoul(2026, 12, 8, 10), seoul(2026, 12, 8, 11)) == set()


def test_a_closure_of_one_space_leaves_its_neighbours_open(space, town):
    neighbour = SpaceFactory(facility=town)
    ClosureFactory(space=space, start=seoul(2026, 12, 7, 12), end=seoul(2026, 12, 7, 14))

    assert _check(space, seoul(2026, 12, 7, 13), seoul(2026, 12, 7, 15)) == {"closed"}
    assert _check(neighbour, seoul(2026, 12, 7, 13), seoul(2026, 12, 7, 15)) == set()


def test_a_booking_touching_a_closure_is_not_closed(space):
    ClosureFactory(space=space, start=seoul(2026, 12, 7, 12), end=seoul(2026, 12, 7, 14))

    assert _check(space, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12)) == set()
    assert _check(space, seoul(2026, 12, 7, 14), seoul(2026, 12, 7, 16)) == set()


def test_a_closure_of_another_facility_does_not_close_this_one(space, art_center):
    ClosureFactory(facility=art_center, start=seoul(2026, 12, 7, 0), end=seoul(2026, 12, 8, 0))

    assert _check(space, seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 11)) == set()


def test_the_closed_message_gives_the_closure_reason(space):
    closure = ClosureFactory(space=space, start=seoul(2026, 12, 7, 0), end=seoul(2026, 12, 8, 0), reason="Floor waxing")

    violations = rules.check_rules(
        space=space,
        start=seoul(2026, 12, 7, 10),
        end=seoul(2026, 12, 7, 11),
        attendees=1,
        now=NOW,
        closures=[closure],
    )

    assert [v.code for v in violations] == ["closed"]
    assert "Floor waxing" in violations[0].message


# --- spaces booked by the day --------------------------------------------------------------


def test_a_gallery_takes_whole_local_days(gallery):
    # Any weekday, Sunday included: a day-unit space has no hourly opening hours.
    assert codes(gallery, seoul(2026, 12, 7), seoul(2026, 12, 8)) == set()
    assert codes(gallery, seoul(2026, 12, 5), seoul(2026, 12, 7)) == set()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (seoul(2026, 12, 7, 10), seoul(2026, 12, 8, 10)),
        (seoul(2026, 12, 7), seoul(2026, 12, 8, 12)),
        # Midnight UTC is 09:00 in Seoul, not a local day.
        (datetime(2026, 12, 7, 0, tzinfo=UTC), datetime(2026, 12, 8, 0, tzinfo=UTC)),
    ],
)
def test_a_gallery_refuses_part_days(gallery, start, end):
    assert codes(gallery, start, end) == {"not_on_grid"}


def test_a_gallery_refuses_less_than_a_day(gallery):
    assert codes(gallery, seoul(2026, 12, 7), seoul(2026, 12, 7, 12)) == {"not_on_grid", "too_short"}


def test_a_gallery_refuses_more_than_two_weeks(gallery):
    assert codes(gallery, seoul(2026, 12, 7), seoul(2026, 12, 21)) == set()
    assert codes(gallery, seoul(2026, 12, 7), seoul(2026, 12, 22)) == {"too_long"}


def test_a_gallery_needs_a_days_notice(gallery):
    assert codes(gallery, seoul(2026, 12, 2), seoul(2026, 12, 3)) == {"too_soon"}
    assert codes(gallery, seoul(2026, 12, 3), seoul(2026, 12, 4)) == set()


# --- nonsense ranges -----------------------------------------------------------------------


def test_year_9999_is_too_far_ahead_without_crashing(space):
    start = datetime(9999, 12, 31, 10, tzinfo=rules.HALL_TZ)
    end = datetime(9999, 12, 31, 11, tzinfo=rules.HALL_TZ)

    assert codes(space, start, end) == {"too_far_ahead"}
    assert _check(space, start, end) == {"too_far_ahead"}
    assert rules.hours_allow(space, start, end) is False


def test_year_9999_at_the_last_moment_does_not_overflow(space):
    start = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
    end = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)

    assert codes(space, start, end) == {"too_far_ahead"}
    assert _check(space, start, end) == {"too_far_ahead"}


def test_year_1_is_in_the_past_without_crashing(space):
    start = datetime(1, 1, 1, 0, tzinfo=rules.HALL_TZ)  # 15:00 UTC on the last day of year 0
    end = datetime(1, 1, 1, 1, tzinfo=rules.HALL_TZ)

    assert codes(space, start, end) == {"in_past"}
    assert _check(space, start, end) == {"in_past"}
    assert rules.hours_allow(space, start, end) is False


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (seoul(2026, 12, 7, 11), seoul(2026, 12, 7, 10)),
        (seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 10)),
    ],
)
def test_an_end_not_after_the_start_is_an_invalid_range(space, start, end):
    assert codes(space, start, end) == {"invalid_range"}
    assert _check(space, start, end) == {"invalid_range"}
