"""axe-core finds no serious or critical accessibility problem on the main pages, in Korean and English."""

from datetime import datetime, time

import pytest
from playwright.sync_api import expect

from accounts.models import User
from bookings import services
from bookings.rules import HALL_TZ
from hall.models import Space
from tenants.models import LeaseContract
from tests.e2e.helpers import (
    LANGUAGES,
    MEMBER,
    TENANT,
    TOWN_MANAGER,
    axe_violations,
    describe_violations,
    next_open_weekday,
    sign_in,
    speaks,
    switch_language,
)
from tests.factories import enable_totp

pytestmark = pytest.mark.browser


@pytest.fixture
def bookings(site):
    """The member's bookings in Meeting room B: one approved (with its notification), one pending."""
    member = User.objects.get(email=MEMBER)
    manager = User.objects.get(email=TOWN_MANAGER)
    enable_totp(manager)  # managing the facility needs the second factor, in the services too
    room = Space.objects.get(slug="town-meeting-b")
    day = next_open_weekday()

    def book(title, start, end):
        return services.create_booking(
            requested_by=member,
            space=room,
            start=datetime.combine(day, start, tzinfo=HALL_TZ),
            end=datetime.combine(day, end, tzinfo=HALL_TZ),
            title=title,
            attendees=8,
        )

    approved = services.approve_booking(booking=book("Team workshop", time(10), time(12)), manager=manager)
    pending = book("Investor meeting", time(14), time(16))
    return {"approved": approved, "pending": pending}


@pytest.mark.parametrize("viewport", ["desktop"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_main_pages_have_no_serious_or_critical_violations(journey, bookings, lang, viewport):
    run = journey("a11y")
    found: dict[str, list[dict]] = {}
    checked = []

    def check(page, name, path):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        run.shot(page, name)
        checked.append(name)
        violations = axe_violations(page)
        if violations:
            found[f"{name} ({path}, {lang})"] = violations

    visitor = run.new_page()
    visitor.goto("/")
    if lang != "ko":
        switch_language(visitor, lang)
    check(visitor, "home", "/")
    check(visitor, "space-list", "/spaces/?kind=meeting_room&capacity_min=10")
    check(visitor, "login", "/accounts/login/")

    for email in (MEMBER, TENANT, TOWN_MANAGER):
        speaks(email, lang)

    member = run.new_page()
    sign_in(run, member, MEMBER)
    day = bookings["approved"].start.astimezone(HALL_TZ).date().isoformat()
    check(member, "space-detail", "/spaces/town-meeting-b/")
    check(member, "space-week", "/spaces/town-meeting-b/?view=week")
    check(member, "gallery-month", "/spaces/art-gallery-1/")
    check(member, "grid", f"/spaces/schedule/?facility=innovation-town&date={day}")
    check(member, "my-bookings", "/bookings/")
    check(member, "booking-detail", bookings["approved"].get_absolute_url())
    check(member, "notifications", "/notifications/")

    tenant = run.new_page()
    sign_in(run, tenant, TENANT)
    contract = LeaseContract.objects.get(organization__memberships__user__email=TENANT)
    check(tenant, "contract", contract.get_absolute_url())

    manager = run.new_page()
    sign_in(run, manager, TOWN_MANAGER, secret=enable_totp(User.objects.get(email=TOWN_MANAGER)))
    check(manager, "approval-queue", "/manage/approvals/")
    expect(manager.locator("table.queue tbody tr")).to_have_count(1)
    check(manager, "calendar-day", f"/manage/calendar/?date={day}")
    check(manager, "calendar-week", f"/manage/calendar/?view=week&date={day}")
    check(manager, "reports", "/manage/reports/")

    assert len(checked) == 15
    assert not found, "axe-core found serious or critical violations:\n" + describe_violations(found)
