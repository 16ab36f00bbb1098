"""A startup member finds and books a meeting room; the manager approves it; the member takes it home (ICS)."""

import re
from datetime import datetime, time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from bookings.models import Booking
from bookings.rules import HALL_TZ
from tests.e2e.helpers import (
    LANGUAGES,
    MEMBER,
    TOWN_MANAGER,
    VIEWPORTS,
    exact,
    header_link,
    next_open_weekday,
    sign_in,
    speaks,
)
from tests.factories import enable_totp

pytestmark = pytest.mark.browser

TITLES = {"ko": "투자 유치 회의", "en": "Investor meeting"}
ROOM = {"ko": "회의실 B", "en": "Meeting room B"}
FACILITY = {"ko": "경남사회적경제혁신타운", "en": "Gyeongnam Social Economy Innovation Town"}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_member_books_a_room_the_manager_approves_it_and_the_member_downloads_it(journey, lang, viewport):
    run = journey("booking")
    speaks(MEMBER, lang)
    speaks(TOWN_MANAGER, lang)
    day = next_open_weekday()
    title = TITLES[lang]

    member = run.new_page()
    sign_in(run, member, MEMBER, step="01")

    # Find a room for 10 people, 14:00–16:00 on the day.
    header_link(run, member, "Find a room").click()
    expect(member.get_by_role("heading", level=1)).to_have_text(exact(run.t("Find a room")))
    filters = member.locator("form.filters")
    filters.locator("[name=kind]").select_option("meeting_room")
    filters.locator("[name=capacity_min]").fill("10")
    filters.locator("[name=available_from]").fill(f"{day.isoformat()}T14:00")
    filters.locator("[name=available_to]").fill(f"{day.isoformat()}T16:00")
    with member.expect_navigation():
        filters.get_by_role("button", name=exact(run.t("Search"))).click()
    expect(member.get_by_text(run.nt("%(counter)s space found", "%(counter)s spaces found", 2))).to_be_visible()
    cards = member.locator(".grid-cards article")
    expect(cards).to_have_count(2)
    card = cards.filter(has=member.get_by_role("link", name=exact(ROOM[lang])))
    expect(card).to_contain_text(FACILITY[lang])
    expect(card).to_contain_text(run.nt("up to %(counter)s person", "up to %(counter)s people", 12))
    run.shot(member, "02-search")

    # Book it from its page.
    card.get_by_role("heading").get_by_role("link").click()
    expect(member.get_by_role("heading", level=1)).to_have_text(exact(ROOM[lang]))
    form = member.locator("form[action$='/book/']")
    # The search's day, times and people came along: the form opens with them.
    expect(form.locator("[name=date]")).to_have_value(day.isoformat())
    expect(form.locator("[name=start_time]")).to_have_value("14:00")
    expect(form.locator("[name=end_time]")).to_have_value("16:00")
    expect(form.locator("[name=attendees]")).to_have_value("10")
    form.locator("[name=title]").fill(title)
    form.locator("[name=purpose]").fill("Seed round" if lang == "en" else "시드 투자 상담")
    run.shot(member, "03-booking-form")
    with member.expect_navigation():
        form.get_by_role("button", name=exact(run.t("Request booking"))).click()

    booking = Booking.objects.get(title=title)
    assert booking.space.slug == "town-meeting-b"
    assert booking.start == datetime.combine(day, time(14), tzinfo=HALL_TZ)
    assert booking.end == datetime.combine(day, time(16), tzinfo=HALL_TZ)
    assert booking.attendees == 10
    assert booking.status == Booking.Status.PENDING
    expect(member).to_have_url(f"{run.base_url}{booking.get_absolute_url()}")
    expect(member.locator(".messages")).to_contain_text(
        run.t("Your booking was sent to the facility's manager for approval.")
    )
    expect(member.get_by_role("heading", level=1)).to_have_text(exact(title))
    expect(member.locator("hgroup .badge")).to_have_text(exact(run.label(Booking.Status.PENDING)))
    expect(member.locator("hgroup .badge")).to_have_class("badge badge-pending")
    run.shot(member, "04-pending")

    # The Innovation Town's manager signs in with two factors and approves it in the queue.
    manager = run.new_page()
    sign_in(run, manager, TOWN_MANAGER, secret=enable_totp(User.objects.get(email=TOWN_MANAGER)), step="05")
    header_link(run, manager, "Manage").click()
    # The tab carries the number waiting: "Approvals (1 awaiting approval)".
    approvals_tab = manager.locator("nav.manage-nav").get_by_role(
        "link", name=re.compile(rf"^\s*{re.escape(run.t('Approvals'))}(\s|$)")
    )
    expect(approvals_tab).to_contain_text("1")
    approvals_tab.click()
    expect(manager.get_by_role("heading", level=1)).to_have_text(exact(run.t("Bookings awaiting approval")))
    row = manager.locator("table.queue tbody tr").filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"{day.isoformat()}")
    expect(row).to_contain_text("14:00")
    expect(row).to_contain_text(ROOM[lang])
    run.shot(manager, "06-approval-queue")
    with manager.expect_navigation():
        row.get_by_role("button", name=exact(run.t("Approve"))).click()
    expect(manager.locator(".messages")).to_contain_text(run.t("Approved: %(booking)s", booking=title))
    expect(manager.get_by_text(run.t("Nothing awaits approval."))).to_be_visible()
    run.shot(manager, "07-approved")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert booking.decided_by.email == TOWN_MANAGER

    # The member sees it approved ...
    member.reload()
    expect(member.locator("hgroup .badge")).to_have_text(exact(run.label(Booking.Status.APPROVED)))
    expect(member.locator("hgroup .badge")).to_have_class("badge badge-approved")
    run.shot(member, "08-approved")

    # ... and in "My bookings", where the calendar (ICS) is downloaded.
    header_link(run, member, "My bookings").click()
    expect(member.get_by_role("heading", level=1)).to_have_text(exact(run.t("My bookings")))
    mine = member.locator("table tbody tr").filter(has_text=title)
    expect(mine).to_have_count(1)
    expect(mine.locator(".badge")).to_have_text(exact(run.label(Booking.Status.APPROVED)))
    expect(mine).to_contain_text(f"{day.isoformat()}")
    run.shot(member, "09-my-bookings")

    link = member.get_by_role("link", name=exact(run.t("Download (ICS)")))
    href = link.get_attribute("href")
    assert href.startswith(f"{run.base_url}/calendar/") and href.endswith(".ics")
    with member.expect_response(href) as response_info, member.expect_download() as download_info:
        link.click()
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    ics = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in ics
    assert "TZID:Asia/Seoul" in ics
    assert f"DTSTART;TZID=Asia/Seoul:{day:%Y%m%d}T140000" in ics
    assert f"DTEND;TZID=Asia/Seoul:{day:%Y%m%d}T160000" in ics
    assert f"SUMMARY:{title}" in ics
    assert f"UID:booking-{booking.pk}@dongnam" in ics
    assert "STATUS:CONFIRMED" in ics
