"""The rooms × time grid in a browser: a drag (or a tap) on free time opens the room's form with the time
filled in and books it; the manager opens the booking from its block on the calendar and approves it."""

import re
from datetime import datetime, time

import pytest
from playwright.sync_api import expect

from accounts.models import User
from bookings.models import Booking
from bookings.rules import HALL_TZ
from tests.e2e.helpers import LANGUAGES, MEMBER, TOWN_MANAGER, VIEWPORTS, exact, next_open_weekday, sign_in, speaks
from tests.factories import enable_totp

pytestmark = pytest.mark.browser

ROOM = "town-meeting-b"  # bookings need the manager's approval
TITLES = {"ko": "고객 인터뷰", "en": "Customer interviews"}


def lane_of(page, slug: str, day):
    row = page.locator(".sched-row").filter(has=page.locator(f'.sched-name a[href^="/spaces/{slug}/"]'))
    return row.locator(f'.sched-lane[data-date="{day.isoformat()}"]')


REVEAL_JS = """(lane, minute) => {
  const scroller = lane.closest(".sched-scroll");
  const from = Number(lane.dataset.from) * 60, to = Number(lane.dataset.to) * 60;
  const laneBox = lane.getBoundingClientRect(), box = scroller.getBoundingClientRect();
  const x = laneBox.left + ((minute - from) / (to - from)) * laneBox.width;
  scroller.scrollLeft += x - (box.left + box.width / 2);
}"""


def point_at(lane, minute: int) -> tuple[float, float]:
    """Where on the screen a minute of the day lies in a lane (its hours are data-from to data-to), once the
    grid has scrolled it into the middle of its box (on a phone the grid scrolls within itself)."""
    lane.scroll_into_view_if_needed()
    lane.evaluate(REVEAL_JS, minute)
    box = lane.bounding_box()
    first, last = int(lane.get_attribute("data-from")) * 60, int(lane.get_attribute("data-to")) * 60
    return box["x"] + (minute - first) / (last - first) * box["width"], box["y"] + box["height"] / 2


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_drag_on_the_grid_books_that_time_and_the_manager_approves_it_from_its_block(journey, lang, viewport):
    run = journey("schedule")
    speaks(MEMBER, lang)
    speaks(TOWN_MANAGER, lang)
    day = next_open_weekday()
    title = TITLES[lang]
    # The demo hall's own bookings leave the room free that afternoon.
    Booking.objects.filter(
        space__slug=ROOM,
        start__lt=datetime.combine(day, time(18), tzinfo=HALL_TZ),
        end__gt=datetime.combine(day, time(14), tzinfo=HALL_TZ),
    ).delete()

    member = run.new_page()
    sign_in(run, member, MEMBER)
    member.goto(
        f"/spaces/?facility=innovation-town&capacity_min=4&available_from={day.isoformat()}T15:00"
        f"&available_to={day.isoformat()}T16:00"
    )
    member.get_by_role("button", name=exact(run.t("See rooms × times at a glance"))).click()
    expect(member.get_by_role("heading", level=1)).to_have_text(exact(run.t("Rooms at a glance")))
    lane = lane_of(member, ROOM, day)
    expect(lane).to_have_count(1)
    run.shot(member, "01-grid")

    if viewport == "desktop":
        # Press at 15:10, drag to 16:50: the form gets 15:00–17:00 on the room's 30-minute grid.
        start_x, y = point_at(lane, 15 * 60 + 10)
        end_x, _ = point_at(lane, 16 * 60 + 50)
        member.mouse.move(start_x, y)
        member.mouse.down()
        member.mouse.move((start_x + end_x) / 2, y, steps=4)
        member.mouse.move(end_x, y, steps=4)
        expect(lane.locator(".sched-selection")).to_have_text("15:00–17:00")
        with member.expect_navigation():
            member.mouse.up()
        expected = ("15:00", "17:00")
    else:
        # A tap at 15:10 proposes an hour from 15:00.
        x, y = point_at(lane, 15 * 60 + 10)
        with member.expect_navigation():
            member.mouse.click(x, y)
        expected = ("15:00", "16:00")

    form = member.locator("form[action$='/book/']")
    expect(form.locator("[name=date]")).to_have_value(day.isoformat())
    expect(form.locator("[name=start_time]")).to_have_value(expected[0])
    expect(form.locator("[name=end_time]")).to_have_value(expected[1])
    expect(form.locator("[name=attendees]")).to_have_value("4")
    form.locator("[name=title]").fill(title)
    run.shot(member, "02-form-filled-from-the-grid")
    with member.expect_navigation():
        form.get_by_role("button", name=exact(run.t("Request booking"))).click()

    booking = Booking.objects.get(title=title)
    assert booking.space.slug == ROOM
    assert (booking.start, booking.end) == tuple(
        datetime.combine(day, time.fromisoformat(moment), tzinfo=HALL_TZ) for moment in expected
    )
    assert booking.status == Booking.Status.PENDING

    # The manager finds it on the calendar as a block of its length and approves it from there.
    manager = run.new_page()
    sign_in(run, manager, TOWN_MANAGER, secret=enable_totp(User.objects.get(email=TOWN_MANAGER)))
    manager.goto(f"/manage/calendar/?date={day.isoformat()}")
    block = lane_of(manager, ROOM, day).locator(".sched-item.sched-pending").filter(has_text=title)
    expect(block).to_have_count(1)
    expect(block).to_have_attribute("title", re.compile(rf"^{expected[0]}–{expected[1]} {title}"))
    run.shot(manager, "03-calendar")
    with manager.expect_navigation():
        block.click()
    with manager.expect_navigation():
        manager.locator("main").get_by_role("button", name=exact(run.t("Approve"))).first.click()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED

    # The member's grid now shows it as theirs.
    member.goto(f"/spaces/schedule/?facility=innovation-town&date={day.isoformat()}")
    expect(lane_of(member, ROOM, day).locator(".sched-item.sched-mine").filter(has_text=title)).to_have_count(1)
    run.shot(member, "04-grid-with-the-booking")

    # Cancelling asks first; going back changes nothing.
    member.goto(booking.get_absolute_url())
    member.locator("main").get_by_role("button", name=exact(run.t("Cancel this booking…"))).click()
    expect(member.get_by_role("heading", level=1)).to_have_text(exact(run.t("Cancel the booking?")))
    run.shot(member, "05-cancel-asks-first")
    member.get_by_role("button", name=exact(run.t("No, keep it"))).click()
    expect(member).to_have_url(f"{run.base_url}{booking.get_absolute_url()}")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
