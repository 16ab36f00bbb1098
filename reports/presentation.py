"""What the reports page shows around the figures: the quick periods, the facilities' groups of spaces, the
heatmap's shades and the charts' data. Plain functions of a ``Report``; no queries."""

from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from django.urls import reverse
from django.utils import formats
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports.forms import month_of
from reports.models import HOURS
from reports.selectors import Report, UsageRow

# The heatmap's cells are shaded in this many steps above "none" (CSS classes heat-0 to heat-5).
HEAT_LEVELS = 5
# The bar charts' heights (CSS classes chart-rows-N): the smallest that holds this many bars.
BAR_ROWS = (5, 10, 20, 40, 80)


@dataclass
class QuickPeriod:
    label: str
    first: date
    last: date
    url: str
    current: bool


def quick_periods(*, today: date, facility: str, first: date | None, last: date | None) -> list[QuickPeriod]:
    """This month, last month, this year and last year, for the facility chosen (empty: all)."""
    this_month = month_of(today)
    last_month = month_of(this_month[0] - timedelta(days=1))
    periods = [
        (_("This month"), *this_month),
        (_("Last month"), *last_month),
        (_("This year"), date(today.year, 1, 1), date(today.year, 12, 31)),
        (_("Last year"), date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    ]
    overview = reverse("reports:overview")
    quick = []
    for label, period_first, period_last in periods:
        query = {"facility": facility} if facility else {}
        query |= {"from": period_first.isoformat(), "to": period_last.isoformat()}
        current = (period_first, period_last) == (first, last)
        quick.append(QuickPeriod(label, period_first, period_last, f"{overview}?{urlencode(query)}", current))
    return quick


@dataclass
class FacilityGroup:
    """A facility's spaces in the table by space, with the facility's subtotal."""

    facility: UsageRow
    spaces: list[UsageRow]


def facility_groups(report: Report) -> list[FacilityGroup]:
    usage = report.utilization
    groups = {row.key: FacilityGroup(facility=row, spaces=[]) for row in usage.facilities}
    for space in usage.spaces:
        groups[space.parent_key].spaces.append(space)
    return list(groups.values())


@dataclass
class HeatCell:
    hours: float
    level: int


@dataclass
class HeatRow:
    label: str  # the weekday abbreviated (월, Mon) or the hour (09), as the row's heading shows it
    name: str  # in full (월요일, 09:00–10:00), for screen readers
    cells: list[HeatCell]


def heat_level(hours: float, peak: float) -> int:
    """0 for no booked time, else 1 to HEAT_LEVELS by the share of the busiest cell."""
    if hours <= 0 or peak <= 0:
        return 0
    return min(HEAT_LEVELS, max(1, ceil(hours / peak * HEAT_LEVELS)))


def heat_hours(report: Report) -> range:
    """The hours from the first to the last that any day has booked time in: the night before and after, empty
    every day, is left out. Empty when nothing was booked."""
    booked = [hour for hour in HOURS if any(day[hour] > 0 for day in report.heatmap.hours)]
    return range(booked[0], booked[-1] + 1) if booked else range(0)


def hour_name(hour: int) -> str:
    return f"{hour:02d}:00–{hour + 1:02d}:00"


def heat_rows(report: Report, hours: range) -> list[HeatRow]:
    """The heatmap by weekday (Monday first), each hour's booked hours with its shade."""
    peak = report.heatmap.peak
    return [
        HeatRow(
            label=str(WEEKDAYS_ABBR[weekday]),
            name=str(WEEKDAYS[weekday]),
            cells=[
                HeatCell(report.heatmap.hours[weekday][hour], heat_level(report.heatmap.hours[weekday][hour], peak))
                for hour in hours
            ],
        )
        for weekday in range(7)
    ]


def heat_columns(rows: list[HeatRow], hours: range) -> list[HeatRow]:
    """The same cells by hour (a row per hour, a column per weekday): the orientation that fits a phone."""
    return [
        HeatRow(label=f"{hour:02d}", name=hour_name(hour), cells=[row.cells[index] for row in rows])
        for index, hour in enumerate(hours)
    ]


def bar_rows_class(count: int) -> str:
    """The CSS class that gives a horizontal bar chart the height for ``count`` bars."""
    for rows in BAR_ROWS:
        if count <= rows:
            return f"chart-rows-{rows}"
    return f"chart-rows-{BAR_ROWS[-1]}"


def chart_data(report: Report) -> dict:
    """What static/js/reports.js draws, in the reader's language (labels) and as plain numbers; ``drawn`` is
    false for a chart with nothing to show."""
    usage = report.utilization
    month_label = pgettext("month in a chart's axis, a date format", "M Y")
    charts = {
        # How a tooltip writes a value; the script puts the number, in the reader's format, for %(amount)s.
        "formats": {"won": _("%(amount)s won"), "hours": _("%(amount)s hours"), "percent": "%(amount)s%"},
        "spaces": {
            "type": "bar",
            "horizontal": True,
            "unit": "percent",
            "labels": [space.name for space in usage.spaces],
            "groups": [space.parent for space in usage.spaces],
            "datasets": [
                {"label": _("Occupancy (%)"), "data": [round(space.occupancy * 100, 1) for space in usage.spaces]}
            ],
        },
        "months": {
            "type": "bar",
            "horizontal": False,
            "unit": "won",
            "labels": [formats.date_format(row.month, month_label) for row in report.months],
            "datasets": [
                {"label": _("Revenue (KRW)"), "data": [row.revenue for row in report.months]},
                {"label": _("Refunds (KRW)"), "data": [row.refunds for row in report.months]},
            ],
        },
        "reductions": {
            "type": "doughnut",
            "unit": "won",
            "labels": [capfirst(row.label) for row in report.reductions],
            "datasets": [{"label": _("Reductions (KRW)"), "data": [row.amount for row in report.reductions]}],
        },
        "organizations": {
            "type": "bar",
            "horizontal": True,
            "unit": "hours",
            "labels": [row.name for row in report.organizations],
            "datasets": [{"label": _("Booked hours"), "data": [row.booked_hours for row in report.organizations]}],
        },
    }
    for chart in charts.values():
        if "datasets" in chart:
            # A chart of nothing but zeros says nothing the table does not: the page leaves it out.
            chart["drawn"] = any(value for dataset in chart["datasets"] for value in dataset["data"])
    return charts


@dataclass
class HeatTable:
    """The heatmap as the page's tables: weekdays × hours (wide screens) and hours × weekdays (phones)."""

    hours: list[tuple[str, str]]  # each column's heading: (09, 09:00–10:00)
    weekdays: list[tuple[str, str]]  # (월, 월요일)
    by_weekday: list[HeatRow]
    by_hour: list[HeatRow]


def heat_table(report: Report) -> HeatTable:
    hours = heat_hours(report)
    by_weekday = heat_rows(report, hours)
    return HeatTable(
        hours=[(f"{hour:02d}", hour_name(hour)) for hour in hours],
        weekdays=[(row.label, row.name) for row in by_weekday],
        by_weekday=by_weekday,
        by_hour=heat_columns(by_weekday, hours),
    )
