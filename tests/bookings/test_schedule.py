"""The rooms × time grid: the layout (bookings.schedule) and the pages built on it."""

import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from bookings.models import Booking
from bookings.schedule import build_schedule
from hall.models import Space
from tenants.models import Membership
from tests.factories import BookingFactory, ClosureFactory, SpaceFactory, UserFactory, enable_totp, seoul

pytestmark = pytest.mark.usefixtures("frozen_now")

MONDAY = date(2026, 12, 7)


def items_of(lane, kind):
    return [item for item in lane.items if item.kind == kind]


def one_day(space, user=None, day=MONDAY):
    with translation.override("en"):
        schedule = build_schedule(spaces=[space], first_day=day, days=1, user=user)
    return schedule.rows[0].lanes[0]


def org_of(user):
    return Membership.objects.get(user=user).organization


# --- the layout ---------------------------------------------------------------------------------------


def test_a_booking_is_a_block_of_its_true_length_on_the_hour_columns(space):
    BookingFactory(space=space, start=seoul(2026, 12, 7, 10), end=seoul(2026, 12, 7, 12, 30))

    schedule = build_schedule(spaces=[space], first_day=MONDAY, days=1)
    (block,) = items_of(schedule.rows[0].lanes[0], "approved")

    # The hall's hours are 09:00–22:00: 13 columns; 10:00–12:30 starts 1/13 in and is 2.5/13 long.
    assert (schedule.first_hour, schedule.last_hour) == (9, 22)
    assert (block.start_text, block.end_text) == ("10:00", "12:30")
    assert block.left == round(400 * 60 / 780)
    assert block.left + block.width == round(400 * 210 / 780)


def test_a_member_sees_other_peoples_bookings_as_booked_without_their_title(space, startup_member):
    BookingFactory(space=space, title="Secret board meeting")
    BookingFactory(
        space=space,
        title="Quiet pitch",
        status=Booking.Status.PENDING,
        start=seoul(2026, 12, 7, 14),
        end=seoul(2026, 12, 7, 15),
    )

    lane = one_day(space, startup_member)

    assert [(item.kind, item.label, item.url) for item in lane.blocks] == [
        ("approved", "Booked", ""),
        ("pending", "Awaiting approval", ""),
    ]


def test_the_members_own_and_their_organizations_bookings_are_theirs_with_title(space, startup_member):
    colleague = UserFactory()
    Membership.objects.create(user=colleague, organization=org_of(startup_member), role=Membership.Role.MEMBER)
    mine = BookingFactory(space=space, requested_by=startup_member, title="Our demo day")
    BookingFactory(
        space=space,
        requested_by=colleague,
        organization=org_of(startup_member),
        title="Team retro",
        start=seoul(2026, 12, 7, 15),
        end=seoul(2026, 12, 7, 16),
    )

    lane = one_day(space, startup_member)

    assert [(item.kind, item.label) for item in lane.blocks] == [("mine", "Our demo day"), ("mine", "Team retro")]
    assert lane.blocks[0].url == f"/bookings/{mine.pk}/"


def test_the_facilitys_manager_reads_titles_and_organizations_and_opens_the_booking(space, manager, startup_member):
    booking = BookingFactory(
        space=space, requested_by=startup_member, organization=org_of(startup_member), title="Investor demo"
    )

    (block,) = one_day(space, manager).blocks

    assert block.label == "Investor demo"
    assert block.detail == org_of(startup_member).name_en or org_of(startup_member).name
    assert block.url == f"/bookings/{booking.pk}/"


def test_a_manager_without_two_factor_reads_no_titles(space, manager_without_totp):
    BookingFactory(space=space, title="Investor demo")

    (block,) = one_day(space, manager_without_totp).blocks

    assert block.label == "Booked"


def test_free_times_are_on_the_rooms_grid_around_bookings_and_closures(space):
    BookingFactory(space=space, start=seoul(2026, 12, 7, 10), end=seoul(2026, 12, 7, 12))
    ClosureFactory(space=space, start=seoul(2026, 12, 7, 15), end=seoul(2026, 12, 7, 17), reason="Aircon repair")

    lane = one_day(space)

    assert [(item.start_text, item.end_text) for item in lane.free] == [
        ("09:00", "10:00"),
        ("12:00", "15:00"),
        ("17:00", "22:00"),
    ]
    (closed,) = items_of(lane, "closed")
    assert (closed.start_text, closed.end_text, closed.detail) == ("15:00", "17:00", "Aircon repair")


def test_a_click_on_free_time_proposes_an_hour_within_the_free_time(space):
    BookingFactory(space=space, start=seoul(2026, 12, 7, 9, 30), end=seoul(2026, 12, 7, 12))

    lane = one_day(space)

    assert [item.start_text for item in lane.free] == ["09:00", "12:00"]
    assert [item.suggest_end_text for item in lane.free] == ["09:30", "13:00"]


def test_the_past_is_greyed_and_free_time_starts_after_the_notice(space):
    # At 13:10 with an hour's notice on a 30-minute grid, the first time to book is 14:30.
    with time_machine.travel(seoul(2026, 12, 1, 13, 10), tick=False):
        lane = one_day(space, day=date(2026, 12, 1))

    (past,) = items_of(lane, "past")
    assert (past.start_text, past.end_text) == ("09:00", "13:10")
    assert [(item.start_text, item.end_text) for item in lane.free] == [("14:30", "22:00")]


def test_a_day_gone_by_has_no_free_time_and_is_all_past(space):
    lane = one_day(space, day=date(2026, 11, 30))

    assert lane.free == []
    (past,) = items_of(lane, "past")
    assert (past.start_text, past.end_text) == ("09:00", "22:00")


def test_sunday_and_public_holidays_are_closed(space):
    sunday = one_day(space, day=date(2026, 12, 6))
    christmas = one_day(space, day=date(2026, 12, 25))

    assert sunday.is_closed and sunday.free == []
    assert christmas.is_closed and christmas.holiday == "Christmas Day"


def test_days_beyond_the_booking_horizon_offer_no_free_time(space):
    # Bookable 60 days ahead from 2026-12-01.
    assert one_day(space, day=date(2027, 1, 29)).free
    assert one_day(space, day=date(2027, 2, 1)).free == []


def test_a_room_let_by_the_day_is_free_for_the_whole_day_or_not(town):
    gallery = SpaceFactory(facility=town, booking_unit=Space.BookingUnit.DAY, min_notice_minutes=0)
    BookingFactory(space=gallery, start=seoul(2026, 12, 8), end=seoul(2026, 12, 10))

    with translation.override("en"):
        schedule = build_schedule(spaces=[gallery], first_day=MONDAY, days=4, by_day=True)
    lanes = [row.lanes[0] for row in schedule.rows]

    assert [bool(lane.free) for lane in lanes] == [True, False, False, True]
    assert [len(lane.blocks) for lane in lanes] == [0, 1, 1, 0]


def test_the_week_of_a_facility_takes_the_same_queries_whatever_its_size(town, manager):
    ClosureFactory(space=None, facility=town, start=seoul(2026, 12, 9, 12), end=seoul(2026, 12, 9, 13))

    def queries(rooms: int, bookings_per_room: int) -> int:
        spaces = [SpaceFactory(facility=town) for _ in range(rooms)]
        for space in spaces:
            for day in range(bookings_per_room):
                start = seoul(2026, 12, 7 + day, 10)
                BookingFactory(space=space, start=start, end=start.replace(hour=11))
        with CaptureQueriesContext(connection) as captured:
            schedule = build_schedule(spaces=spaces, first_day=MONDAY, days=7, user=manager)
        blocks = sum(len(lane.blocks) for row in schedule.rows for lane in row.lanes)
        assert blocks == rooms * (bookings_per_room + 1)  # and the facility's closure in each room
        return len(captured)

    assert queries(2, 1) == queries(12, 6) == 4


# --- the pages ----------------------------------------------------------------------------------------


def page(client, url, status=200, **params):
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def test_the_finder_grid_shows_every_room_of_the_facility_fitting_the_people(client, town):
    SpaceFactory(facility=town, name_en="Small booth", capacity=4)
    big = SpaceFactory(facility=town, name_en="Seminar room", capacity=40)
    BookingFactory(space=big, title="Private", start=seoul(2026, 12, 7, 13), end=seoul(2026, 12, 7, 15))

    body = page(client, "/spaces/schedule/", facility="innovation-town", date="2026-12-07", attendees=10)

    assert "Seminar room" in body and "Small booth" not in body
    assert "Private" not in body
    assert re.search(r'class="sched-item sched-approved[^"]*"[^>]*title="13:00–15:00 Booked"', body)
    # A free time leads to the room's form with the day, the times and the people filled in.
    assert f'href="/spaces/{big.slug}/?date=2026-12-07&amp;start=09:00&amp;end=10:00&amp;attendees=10#book"' in body


def test_the_finder_grid_shows_a_building_s_rooms(client, hall):
    art_room = SpaceFactory(facility=hall["art-center"], name_en="Practice room")
    lab_room = SpaceFactory(facility=hall["content-korea-lab"], name_en="Podcast booth")

    body = page(client, "/spaces/schedule/", building="main", date="2026-12-07")

    assert art_room.name_en in body and lab_room.name_en not in body


@pytest.mark.parametrize(
    "params",
    [{"date": "2026-13-40"}, {"date": "9999-01-01"}, {"facility": "nowhere"}, {"attendees": "-3"}],
)
def test_the_finder_grid_answers_400_with_a_message_for_what_it_cannot_read(client, town, params):
    body = page(client, "/spaces/schedule/", status=400, **params)

    assert 'class="form-errors"' in body


def test_the_room_page_prefills_the_form_with_what_the_grid_carried(client, startup_member, space):
    client.force_login(startup_member)

    body = page(client, f"/spaces/{space.slug}/", date="2026-12-08", start="13:00", end="15:30", attendees=6)

    assert 'name="date" value="2026-12-08"' in body
    assert 'name="start_time" value="13:00' in body
    assert 'name="end_time" value="15:30' in body
    assert re.search(r'name="attendees" value="6"', body)


def test_the_room_page_ignores_carried_values_it_cannot_read(client, startup_member, space):
    client.force_login(startup_member)

    body = page(client, f"/spaces/{space.slug}/", date="2026-02-30", start="25:00", end="x", attendees="many")

    assert 'name="date" value="2026-12-01"' in body
    assert 'name="start_time" value=' not in body
    assert re.search(r'name="attendees" value="1"', body)


def test_the_room_page_of_a_gallery_is_a_month(client, town):
    gallery = SpaceFactory(facility=town, booking_unit=Space.BookingUnit.DAY, name_en="Gallery one")

    body = page(client, f"/spaces/{gallery.slug}/", date="2026-12-15")

    assert 'class="sched-month"' in body
    assert body.count('<td class="sched-out"') == 4  # Nov 30 and Jan 1–3 around December 2026
    assert "December 2026" in body


def test_the_managers_week_shows_all_rooms_with_titles_and_seven_days(client, manager, space):
    manager.language = "en"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    BookingFactory(space=space, title="Investor demo", start=seoul(2026, 12, 9, 10), end=seoul(2026, 12, 9, 12))

    body = page(client, "/manage/calendar/", facility="innovation-town", view="week", date="2026-12-09")

    assert body.count('class="sched-dayhead') == 7
    assert "12/7 (Mon)" in body and "12/13 (Sun)" in body
    assert "Investor demo" in body


def test_a_manager_cannot_open_another_facilitys_calendar(client, other_manager, town):
    client.force_login(other_manager)

    page(client, "/manage/calendar/", status=403, facility="innovation-town")


def test_the_managers_calendar_refuses_an_unknown_facility_with_400(client, manager):
    client.force_login(manager)

    page(client, "/manage/calendar/", status=400, facility="nowhere")


def test_the_admin_with_totp_sees_the_calendar(client, admin_user, town):
    enable_totp(admin_user)
    client.force_login(admin_user)

    page(client, "/manage/calendar/", facility="art-center")
