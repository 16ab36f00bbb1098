"""A manager reads the usage report of their facilities in a browser: the summary, the charts drawn by Chart.js
(under the Content-Security-Policy), the heatmap and the tables, on a phone and on a wide screen, then takes the
figures home as an Excel file."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from bookings.models import Booking
from bookings.rules import HALL_TZ
from hall.models import Space
from reports.forms import month_of
from reports.services import build_usage
from tests.e2e.helpers import (
    LANGUAGES,
    TOWN_MANAGER,
    VIEWPORTS,
    axe_violations,
    describe_violations,
    exact,
    sign_in,
    speaks,
)
from tests.e2e.test_no_sideways_scroll import OVERFLOW_JS
from tests.factories import BookingFactory, OrganizationFactory, enable_totp

pytestmark = pytest.mark.browser

# Chart.js draws on its canvas: a chart is there once Chart.js knows the canvas and some of its pixels are painted.
CHARTS_DRAWN_JS = """() => {
  const canvases = [...document.querySelectorAll("canvas[data-chart]")];
  return canvases.length > 0 && canvases.every((canvas) => {
    if (!window.Chart || !window.Chart.getChart(canvas) || canvas.width === 0 || canvas.height === 0) return false;
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let index = 3; index < pixels.length; index += 4) if (pixels[index] !== 0) return true;
    return false;
  });
}"""
WIDE = {"width": 1440, "height": 900}
CHART_LABELS = {
    "spaces": "Bar chart: occupancy by space. The table below has its numbers.",
    "months": "Bar chart: revenue and refunds by month. The table has its numbers.",
    "reductions": "Doughnut chart: reductions by category, in won. The table has its numbers.",
    "organizations": "Bar chart: booked hours of the most active organizations. The table has its numbers.",
}


@pytest.fixture
def figures(site):
    """A month of the Innovation Town's rooms in use: paid, reduced, cancelled and no-show bookings of a few
    organizations, built as the nightly task builds them."""
    first, last = month_of(timezone.localdate())
    organizations = [OrganizationFactory(name=f"보고서 단체 {n}", name_en=f"Report group {n}") for n in range(4)]
    rooms = list(Space.objects.filter(facility__slug="innovation-town", is_bookable=True).order_by("slug")[:6])
    statuses = [Booking.Status.APPROVED] * 4 + [Booking.Status.CANCELLED, Booking.Status.NO_SHOW]
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    for n, day in enumerate(day for day in days if day.weekday() < 5):
        start = datetime.combine(day, time(9 + n % 8), tzinfo=HALL_TZ)
        status = statuses[n % len(statuses)]
        cancelled = status == Booking.Status.CANCELLED
        reduced = n % 3 == 0
        BookingFactory(
            space=rooms[n % len(rooms)],
            organization=organizations[n % len(organizations)],
            start=start,
            end=start + timedelta(hours=1 + n % 3),
            status=status,
            fee=30_000,
            reduction_percent=50 if reduced else 0,
            reduction_category="social_economy" if reduced else "",
            amount_due=15_000 if reduced else 30_000,
            payment_status=Booking.PaymentStatus.REFUNDED if cancelled else Booking.PaymentStatus.PAID,
            refund_amount=10_000 if cancelled else None,
        )
    build_usage(first=first, last=last)
    return {"first": first, "last": last}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_manager_reads_the_report_with_its_charts_and_takes_it_home(journey, figures, lang, viewport):
    run = journey("reports")
    speaks(TOWN_MANAGER, lang)
    manager = run.new_page()
    if viewport == "desktop":
        manager.set_viewport_size(WIDE)
    sign_in(run, manager, TOWN_MANAGER, secret=enable_totp(User.objects.get(email=TOWN_MANAGER)))

    manager.goto("/manage/reports/")
    expect(manager.get_by_role("heading", level=1)).to_have_text(exact(run.t("Usage report")))
    manager.wait_for_function(CHARTS_DRAWN_JS)
    for name, label in CHART_LABELS.items():
        expect(manager.locator(f'canvas[data-chart="{name}"][role="img"]')).to_have_attribute(
            "aria-label", run.t(label)
        )
    # The heatmap is a table of shaded cells, one orientation per screen width.
    heatmap = manager.locator(".heatmap-narrow" if viewport == "phone" else ".heatmap-wide")
    expect(heatmap.locator("td.heat-5").first).to_be_visible()
    expect(manager.get_by_text(run.t("Some days of this period are not built yet."))).to_have_count(0)
    run.shot(manager, "01-report")

    found = manager.evaluate(OVERFLOW_JS)
    assert found["scrollWidth"] <= found["width"], found
    assert not found["out"] and not found["hiding"], found
    violations = axe_violations(manager)
    assert not violations, "axe-core:\n" + describe_violations({f"reports ({lang}, {viewport})": violations})

    # Last month, from its quick link; then the month's figures as an Excel file with the same filter.
    with manager.expect_navigation():
        manager.locator("nav.report-periods").get_by_role("link", name=exact(run.t("Last month"))).click()
    previous_first, previous_last = month_of(figures["first"] - timedelta(days=1))
    expect(manager.locator("#id_from")).to_have_value(previous_first.isoformat())
    expect(manager.locator("#id_to")).to_have_value(previous_last.isoformat())
    run.shot(manager, "02-last-month")
    with manager.expect_download() as download:
        manager.get_by_role("button", name=exact(run.t("Export to Excel"))).click()
    assert download.value.suggested_filename == (
        f"dongnam-report-{previous_first.isoformat()}-{previous_last.isoformat()}.xlsx"
    )
