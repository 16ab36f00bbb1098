"""On a phone (390×844) no page scrolls sideways, nothing sticks out past the window and no table hides columns in a
scroll box: the member's, the tenant's and the manager's main pages, in Korean and in English."""

from datetime import datetime, time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User
from bookings import services
from bookings.rules import HALL_TZ
from hall.models import Space
from tenants import services as tenancy
from tenants.models import LeaseContract, Organization
from tests.e2e.helpers import (
    MEMBER,
    SCREENSHOTS,
    TENANT,
    TOWN_MANAGER,
    Journey,
    next_open_weekday,
    sign_in,
    speaks,
    switch_language,
)
from tests.factories import enable_totp

pytestmark = pytest.mark.browser

# A box that scrolls or clips sideways keeps what is inside it from pushing the page; one that is meant to scroll
# sideways says so (.overflow-auto or data-scroll-x). A table is never meant to hide columns that way on a phone
# unless its box says data-scroll-x.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const page = document.scrollingElement;
  const describe = (element) => {
    const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    const classes = typeof element.className === "string" && element.className ? `.${element.className}` : "";
    const right = Math.round(element.getBoundingClientRect().right);
    return `<${element.tagName.toLowerCase()}${classes}> "${text}" reaches ${right}px`;
  };
  const contained = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (box.matches(".overflow-auto, [data-scroll-x]")) return true;
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  const wide = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.right > width + 1;
  };
  const out = [...document.body.querySelectorAll("*")].filter((element) => wide(element) && !contained(element));
  const hiding = [...document.querySelectorAll("main table")]
    .filter((table) => wide(table) && !table.closest("[data-scroll-x]"));
  return {
    scrollWidth: page.scrollWidth,
    width: page.clientWidth,
    out: out.slice(0, 5).map(describe),
    hiding: hiding.map(describe),
  };
}"""


@pytest.fixture
def bookings(site):
    """Something on every list: the member's approved (unpaid), pending and refunded bookings of Meeting room B, a
    closure over the pending one, and the tenant's open renewal request."""
    member = speaks(MEMBER, "ko")
    tenant = speaks(TENANT, "ko")
    manager = speaks(TOWN_MANAGER, "ko")
    enable_totp(manager)  # managing the facility needs the second factor, in the services too
    room = Space.objects.get(slug="town-meeting-b")
    day = next_open_weekday()

    def book(title, start, end, on=day):
        return services.create_booking(
            requested_by=member,
            space=room,
            start=datetime.combine(on, start, tzinfo=HALL_TZ),
            end=datetime.combine(on, end, tzinfo=HALL_TZ),
            title=title,
            attendees=8,
        )

    approved = services.approve_booking(booking=book("Team workshop", time(10), time(12)), manager=manager)
    pending = book("Investor meeting with a rather long title", time(14), time(16))
    refunded = services.approve_booking(booking=book("Product demo", time(16), time(18)), manager=manager)
    services.record_payment(booking=refunded, manager=manager, reference="KB-0001")
    services.cancel_booking(booking=refunded, user=member, reason="Moved online")
    closure = services.create_closure(
        manager=manager,
        facility=room.facility,
        space=room,
        start=datetime.combine(day, time(13), tzinfo=HALL_TZ),
        end=datetime.combine(day, time(17), tzinfo=HALL_TZ),
        reason="Air-conditioning maintenance",
    )
    contract = LeaseContract.objects.get(organization__memberships__user=tenant, status=LeaseContract.Status.ACTIVE)
    renewal = tenancy.request_renewal(
        contract=contract, user=tenant, term_months=tenancy.renewal_terms(contract)[0], note="Same terms, please."
    )
    return {
        "member": [
            "/",
            reverse("bookings:space_list"),
            room.get_absolute_url(),
            reverse("bookings:my_bookings"),
            approved.get_absolute_url(),
            reverse("bookings:cancel_booking", args=[approved.pk]),
            reverse("notifications:list"),
            reverse("accounts:profile"),
            reverse("tenants:organization_list"),
            reverse("tenants:organization_detail", args=[Organization.objects.get(memberships__user=member).pk]),
        ],
        "tenant": [
            reverse("tenants:contract_list"),
            contract.get_absolute_url(),
            renewal.get_absolute_url(),
            reverse("tenants:organization_detail", args=[contract.organization_id]),
        ],
        "manager": [
            reverse("hall:manage_dashboard"),
            reverse("bookings:approval_queue"),
            pending.get_absolute_url(),
            reverse("bookings:payments"),
            reverse("bookings:facility_calendar"),
            reverse("bookings:closure_list"),
            closure.get_absolute_url(),
            reverse("tenants:renewal_queue"),
            renewal.get_absolute_url(),
            reverse("tenants:manage_contracts"),
            reverse("tenants:unit_list"),
            reverse("bookings:space_policy", args=[room.slug]),
        ],
        "room": room,
    }


def test_no_page_scrolls_sideways_on_a_phone(browser, site, bookings):
    run = Journey(browser=browser, base_url=site.url, name="sideways", lang="ko", viewport="phone")
    failures = []
    visited = 0

    def check(page, role, where):
        nonlocal visited
        visited += 1
        found = page.evaluate(OVERFLOW_JS)
        problems = []
        if found["scrollWidth"] > found["width"] + 1:
            problems.append(f"the page is {found['scrollWidth']}px wide in a {found['width']}px window")
        problems += [f"sticks out: {item}" for item in found["out"]]
        problems += [f"a table hides columns in a scroll box: {item}" for item in found["hiding"]]
        if problems:
            name = f"sideways-{role}-{run.lang}-{visited:02d}.png"
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
            failures.append(f"{role}, {run.lang}, {where} (var/e2e/{name}):\n    " + "\n    ".join(problems))

    def visit(page, role):
        if role == "member":
            # A booking form sent empty comes back with its errors listed at the top.
            page.goto(bookings["room"].get_absolute_url())
            with page.expect_response(lambda response: response.request.method == "POST"):
                page.locator("form[action$='/book/'] button[type=submit]").first.click()
            expect(page.locator("[data-error-summary]")).to_be_focused()
            check(page, role, "the booking form with errors")
        for path in bookings[role]:
            response = page.goto(path)
            assert response.status == 200, f"{role}: {path} answered {response.status}"
            expect(page.locator("html")).to_have_attribute("lang", run.lang)
            check(page, role, path)

    try:
        for role, email in (("member", MEMBER), ("tenant", TENANT), ("manager", TOWN_MANAGER)):
            run.lang = "ko"
            page = run.new_page()
            manager = role == "manager"
            sign_in(run, page, email, secret=enable_totp(User.objects.get(email=email)) if manager else None)
            visit(page, role)
            switch_language(page, "en")
            run.lang = "en"
            visit(page, role)
    finally:
        run.close()

    assert visited == 2 * (sum(len(bookings[role]) for role in ("member", "tenant", "manager")) + 1)
    assert not failures, "Pages that do not fit a 390px phone:\n" + "\n".join(failures)
