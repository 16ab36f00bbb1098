"""A manager closes a booked room for maintenance and cancels the booking; the booker learns it from the bell."""

from datetime import datetime, time

import pytest
from playwright.sync_api import expect

from accounts.models import User
from bookings import services
from bookings.models import Booking, Closure
from bookings.rules import HALL_TZ
from hall.models import Space
from notifications.services import unread_count
from tests.e2e.helpers import (
    LANGUAGES,
    MEMBER,
    TOWN_MANAGER,
    VIEWPORTS,
    bell,
    exact,
    header_link,
    next_open_weekday,
    sign_in,
    speaks,
)
from tests.factories import enable_totp

pytestmark = pytest.mark.browser

TITLES = {"ko": "팀 워크숍", "en": "Team workshop"}
REASONS = {"ko": "냉난방기 정기 점검", "en": "Air-conditioning maintenance"}
ROOM = {"ko": "회의실 B", "en": "Meeting room B"}


@pytest.fixture
def booked(site, lang):
    """The member's approved booking of Meeting room B, 10:00–12:00 on the next open weekday."""
    member = speaks(MEMBER, lang)
    manager = speaks(TOWN_MANAGER, lang)
    enable_totp(manager)  # managing the facility needs the second factor, in the services too
    day = next_open_weekday()
    booking = services.create_booking(
        requested_by=member,
        space=Space.objects.get(slug="town-meeting-b"),
        start=datetime.combine(day, time(10), tzinfo=HALL_TZ),
        end=datetime.combine(day, time(12), tzinfo=HALL_TZ),
        title=TITLES[lang],
        attendees=6,
    )
    return services.approve_booking(booking=booking, manager=manager)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_manager_closes_a_booked_room_and_the_booker_sees_the_cancellation_in_the_bell(
    journey, booked, mailoutbox, lang, viewport
):
    run = journey("closure")
    member_user = User.objects.get(email=MEMBER)
    day = booked.start.astimezone(HALL_TZ).date()
    title = TITLES[lang]
    reason = REASONS[lang]

    # The booker is signed in; the bell counts what they have not read yet (the approval).
    member = run.new_page()
    sign_in(run, member, MEMBER, step="01")
    unread = unread_count(member_user)
    assert unread >= 1
    expect(bell(member).locator(".bell-count")).to_have_text(exact(f"{unread} {run.t('unread')}"))
    run.shot(member, "02-bell-before")

    # The manager closes the room for the day of the booking.
    manager = run.new_page()
    sign_in(run, manager, TOWN_MANAGER, secret=enable_totp(User.objects.get(email=TOWN_MANAGER)), step="03")
    header_link(run, manager, "Manage").click()
    manager.locator("nav.manage-nav").get_by_role("link", name=exact(run.t("Closures"))).click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text(run.t("Closures"))
    form = manager.locator("section[aria-labelledby=new-closure] form")
    form.locator("[name=space]").select_option(str(booked.space_id))
    expect(form.locator("[name=space] option:checked")).to_contain_text(ROOM[lang])
    form.locator("[name=reason]").fill(reason)
    form.locator("[name=start]").fill(f"{day.isoformat()}T09:00")
    form.locator("[name=end]").fill(f"{day.isoformat()}T18:00")
    run.shot(manager, "04-closure-form")
    with manager.expect_navigation():
        form.get_by_role("button", name=exact(run.t("Save the closure"))).click()

    closure = Closure.objects.get(reason=reason)
    assert closure.space_id == booked.space_id
    assert closure.start == datetime.combine(day, time(9), tzinfo=HALL_TZ)
    assert closure.end == datetime.combine(day, time(18), tzinfo=HALL_TZ)
    expect(manager).to_have_url(f"{run.base_url}{closure.get_absolute_url()}")
    expect(manager.locator(".messages")).to_contain_text(
        run.t("The closure was saved. Check the bookings it hits below.")
    )
    expect(manager.get_by_role("heading", level=1)).to_have_text(exact(reason))
    hit = manager.locator("section[aria-labelledby=hit-heading] tbody tr")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text(title)
    expect(hit).to_contain_text(f"{day.isoformat()} 10:00–12:00")
    expect(hit.locator(".badge")).to_have_text(exact(run.label(Booking.Status.APPROVED)))
    run.shot(manager, "05-closure")

    # ... and cancels the booking it hits from the closure page, after a confirmation that lists it.
    ask = manager.get_by_role(
        "button",
        name=exact(
            run.nt(
                "Cancel this booking and tell the booker…",
                "Cancel these %(counter)s bookings and tell the bookers…",
                1,
            )
        ),
    )
    with manager.expect_navigation():
        ask.click()
    expect(manager.get_by_role("heading", level=1)).to_have_text(exact(run.t("Cancel the bookings the closure hits?")))
    expect(manager.locator("article.confirm tbody tr")).to_contain_text(title)
    cancel = manager.get_by_role(
        "button",
        name=exact(
            run.nt(
                "Yes, cancel this booking and tell the booker",
                "Yes, cancel these %(counter)s bookings and tell the bookers",
                1,
            )
        ),
    )
    with manager.expect_navigation():
        cancel.click()
    expect(manager.locator(".messages")).to_contain_text(
        run.t("%(count)d bookings cancelled; the bookers see the reason.", count=1)
    )
    expect(manager.get_by_text(run.t("No active booking falls in this period."))).to_be_visible()
    run.shot(manager, "06-cancelled")

    booked.refresh_from_db()
    assert booked.status == Booking.Status.CANCELLED
    assert booked.cancelled_by.email == TOWN_MANAGER
    assert booked.cancel_reason == run.t("The space is closed: %(reason)s", reason=reason)

    # The booker is mailed too, in their language, with a link to the booking on this site.
    subject = f"{run.t('[Dongnam]')} {run.t('Your booking was cancelled: the space is closed')}"
    mails = [mail for mail in mailoutbox if mail.subject == subject]
    assert [mail.to for mail in mails] == [[MEMBER]]
    assert f"{run.base_url}{booked.get_absolute_url()}" in mails[0].body
    assert run.t("Reason: %(reason)s", reason=booked.cancel_reason) in mails[0].body

    # The booker's bell counts one more; the inbox says why.
    member.reload()
    expect(bell(member).locator(".bell-count")).to_have_text(exact(f"{unread + 1} {run.t('unread')}"))
    run.shot(member, "07-bell")
    bell(member).click()
    expect(member).to_have_url(f"{run.base_url}/notifications/")
    expect(member.get_by_role("heading", level=1)).to_have_text(exact(run.t("Notifications")))
    newest = member.locator(".inbox li").first
    expect(newest).to_have_class("unread")
    expect(newest.locator("strong")).to_have_text(exact(subject))
    expect(newest).to_contain_text(run.t("Title: %(title)s", title=title))
    expect(newest).to_contain_text(run.t("Reason: %(reason)s", reason=booked.cancel_reason))
    run.shot(member, "08-notifications")

    # Its link opens the cancelled booking (and reads the notification).
    with member.expect_navigation():
        newest.get_by_role("link", name=exact(run.t("Open the booking"))).click()
    expect(member).to_have_url(f"{run.base_url}{booked.get_absolute_url()}")
    expect(member.locator("hgroup .badge")).to_have_text(exact(run.label(Booking.Status.CANCELLED)))
    expect(member.locator("main")).to_contain_text(booked.cancel_reason)
    expect(bell(member).locator(".bell-count")).to_have_text(exact(f"{unread} {run.t('unread')}"))
    run.shot(member, "09-cancelled-booking")
