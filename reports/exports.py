"""The reports page as files: CSV (through common.csv_export) and Excel (XLSX, openpyxl).

Both carry the same sections as the page, in the reader's language: the summary, the spaces, the facilities
and buildings, money by month, reductions by category, the most active organizations and the weekday × hour
figures. Figures are numbers a spreadsheet can add up; in the XLSX a share is a fraction shown as a
percentage, in the CSV a percentage. Text a spreadsheet would run as a formula (a space called ``=cmd``) is
neutralized in both (``safe_cell``): openpyxl, too, stores any text starting with ``=`` as a formula.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bookings.rules import HALL_TZ
from common.csv_export import BYTE_ORDER_MARK, SafeCSVWriter, safe_cell
from reports.models import HOURS
from reports.selectors import Report, UsageRow

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's limit on the name of a sheet.
SHEET_TITLE_LENGTH = 31
WIDEST_COLUMN = 40


# How a column's values are written. A share (0–1) is a percentage: 0.432 in the XLSX, shown as 43.2 %, and
# 43.2 in the CSV (its heading says "%").
class Kind:
    TEXT = "text"
    COUNT = "count"
    HOURS = "hours"
    SHARE = "share"
    WON = "won"
    DAYS = "days"
    DATE = "date"
    MONTH = "month"
    MOMENT = "moment"


XLSX_FORMATS = {
    Kind.COUNT: "#,##0",
    Kind.HOURS: "#,##0.0#",
    Kind.SHARE: "0.0%",
    Kind.WON: "#,##0",
    Kind.DAYS: "0.0",
    Kind.DATE: "yyyy-mm-dd",
    Kind.MONTH: "yyyy-mm",
    Kind.MOMENT: "yyyy-mm-dd hh:mm",
}


@dataclass
class Cell:
    """A value written as ``kind`` whatever its column's kind (the summary's rows differ)."""

    value: object
    kind: str


@dataclass
class Section:
    key: str
    sheet: str  # the XLSX sheet's name: at most 31 characters
    title: str  # the CSV's line above the section
    header: list[str]
    kinds: list[str]
    rows: list[list] = field(default_factory=list)


# The figures of a space, facility, building or of all, as the columns of a row.
FIGURES = [
    (gettext_lazy("Open hours"), "open_hours", Kind.HOURS),
    (gettext_lazy("Booked hours"), "booked_hours", Kind.HOURS),
    (gettext_lazy("Occupancy (%)"), "occupancy", Kind.SHARE),
    (gettext_lazy("Bookings"), "bookings", Kind.COUNT),
    (gettext_lazy("Cancellations"), "cancellations", Kind.COUNT),
    (gettext_lazy("No-shows"), "no_shows", Kind.COUNT),
    (gettext_lazy("Cancellation rate (%)"), "cancellation_rate", Kind.SHARE),
    (gettext_lazy("No-show rate (%)"), "no_show_rate", Kind.SHARE),
    (gettext_lazy("Average lead time (days)"), "lead_days", Kind.DAYS),
    (gettext_lazy("Revenue (KRW)"), "revenue", Kind.WON),
    (gettext_lazy("Refunds (KRW)"), "refunds", Kind.WON),
    (gettext_lazy("Net revenue (KRW)"), "net_revenue", Kind.WON),
    (gettext_lazy("Reductions granted"), "reductions", Kind.COUNT),
    (gettext_lazy("Reductions (KRW)"), "reduction_amount", Kind.WON),
]
FIGURE_KINDS = [kind for _title, _attribute, kind in FIGURES]


def _figure_header() -> list[str]:
    return [str(title) for title, _attribute, _kind in FIGURES]


def _figures(row: UsageRow) -> list:
    return [getattr(row, attribute) for _title, attribute, _kind in FIGURES]


def _local(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: the hall's wall-clock time.
    return timezone.localtime(moment, HALL_TZ).replace(tzinfo=None) if moment else None


def sections(report: Report, *, facility_name: str) -> list[Section]:
    usage, total = report.utilization, report.utilization.total
    summary = Section(
        "summary",
        _("Summary"),
        _("Summary"),
        [pgettext("heading of a report summary", "Figure"), _("Value")],
        [Kind.TEXT, Kind.TEXT],
        [
            [_("From"), Cell(report.first, Kind.DATE)],
            [_("To"), Cell(report.last, Kind.DATE)],
            [_("Facility"), facility_name],
            [_("Figures as of"), Cell(_local(usage.built_at), Kind.MOMENT)],
            [_("Every day built"), _("Yes") if usage.complete else _("No")],
            *[
                [title, Cell(value, kind)]
                for title, value, kind in zip(_figure_header(), _figures(total), FIGURE_KINDS, strict=True)
            ],
        ],
    )
    spaces = Section(
        "spaces",
        _("Spaces"),
        _("Occupancy by space"),
        [_("Facility"), _("Space"), *_figure_header()],
        [Kind.TEXT, Kind.TEXT, *FIGURE_KINDS],
        [[row.parent, row.name, *_figures(row)] for row in usage.spaces],
    )
    level_facility, level_building, level_all = _("Facility"), _("Building"), _("All")
    facilities = Section(
        "facilities",
        _("Facilities"),
        _("Facilities and buildings"),
        [_("Level"), _("Name"), _("Building"), *_figure_header()],
        [Kind.TEXT, Kind.TEXT, Kind.TEXT, *FIGURE_KINDS],
        [
            *[[level_facility, row.name, row.parent, *_figures(row)] for row in usage.facilities],
            *[[level_building, row.name, "", *_figures(row)] for row in usage.buildings],
            [level_all, _("All"), "", *_figures(total)],
        ],
    )
    months = Section(
        "months",
        pgettext("sheet of a report", "Months"),
        _("Revenue by month"),
        [_("Month"), _("Revenue (KRW)"), _("Refunds (KRW)"), _("Net revenue (KRW)")],
        [Kind.MONTH, Kind.WON, Kind.WON, Kind.WON],
        [[row.month, row.revenue, row.refunds, row.net] for row in report.months],
    )
    reduction_total = report.reduction_total
    reductions = Section(
        "reductions",
        pgettext("sheet of a report", "Reductions"),
        _("Reductions by category"),
        [_("Category"), _("Reductions granted"), _("Reductions (KRW)")],
        [Kind.TEXT, Kind.COUNT, Kind.WON],
        [
            *[[capfirst(row.label), row.count, row.amount] for row in report.reductions],
            [_("All"), reduction_total.count, reduction_total.amount],
        ],
    )
    organizations = Section(
        "organizations",
        pgettext("sheet of a report", "Organizations"),
        _("Most active organizations"),
        [_("Organization"), _("Bookings"), _("Booked hours")],
        [Kind.TEXT, Kind.COUNT, Kind.HOURS],
        [[row.name, row.bookings, row.booked_hours] for row in report.organizations],
    )
    heatmap = Section(
        "heatmap",
        pgettext("sheet of a report", "Weekdays and hours"),
        _("Booked hours by weekday and hour"),
        [_("Weekday"), *[f"{hour:02d}:00" for hour in HOURS]],
        [Kind.TEXT, *[Kind.HOURS for _hour in HOURS]],
        [[str(WEEKDAYS[weekday]), *report.heatmap.hours[weekday]] for weekday in range(7)],
    )
    return [summary, spaces, facilities, months, reductions, organizations, heatmap]


def filename(*, first: date, last: date, facility_slug: str, extension: str) -> str:
    facility = f"{facility_slug}-" if facility_slug else ""
    return f"dongnam-report-{facility}{first.isoformat()}-{last.isoformat()}.{extension}"


def _kinds(section: Section, row: list) -> Iterable[tuple[object, str]]:
    for value, kind in zip(row, section.kinds, strict=True):
        yield (value.value, value.kind) if isinstance(value, Cell) else (value, kind)


# --- CSV ------------------------------------------------------------------------------------------


def _csv_value(value, kind: str):
    if value is None:
        return ""
    if kind == Kind.SHARE:
        return round(value * 100, 1)
    if kind == Kind.MONTH:
        return value.strftime("%Y-%m")
    if kind == Kind.DATE:
        return value.isoformat()
    if kind == Kind.MOMENT:
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def report_csv(report: Report, *, facility_name: str, name: str) -> HttpResponse:
    """One file, the sections one after the other: each a title line, its header and its rows, then a blank
    line. Every cell goes through the writer that keeps a cell such as "=HYPERLINK(...)" from running."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write(BYTE_ORDER_MARK)
    writer = SafeCSVWriter(response)
    for index, section in enumerate(sections(report, facility_name=facility_name)):
        if index:
            writer.writerow([])
        writer.writerow([section.title])
        writer.writerow(section.header)
        for row in section.rows:
            writer.writerow([_csv_value(value, kind) for value, kind in _kinds(section, row)])
    return response


# --- XLSX -----------------------------------------------------------------------------------------


def _xlsx_value(value):
    if isinstance(value, date):  # a date or a moment: Excel's own, formatted by the cell
        return value
    value = safe_cell(value)
    if isinstance(value, str):
        # Control characters cannot be stored in the file's XML; a name pasted with one would break the export.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _width(value) -> int:
    """Roughly the columns a value takes: Hangul and other wide characters count twice."""
    if isinstance(value, float):
        value = f"{value:,.2f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    elif isinstance(value, datetime | date):
        value = "0000-00-00 00:00" if isinstance(value, datetime) else "0000-00-00"
    return sum(2 if ord(character) > 0x1100 else 1 for character in str(value if value is not None else ""))


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet's name.
    for character in "[]:*?/\\":
        title = title.replace(character, " ")
    return title[:SHEET_TITLE_LENGTH]


def report_xlsx(report: Report, *, facility_name: str, name: str) -> HttpResponse:
    """A sheet per section: a bold, frozen header row, then the rows, numbers formatted by their kind."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for section in sections(report, facility_name=facility_name):
        sheet = workbook.create_sheet(_sheet_title(section.sheet))
        header = [_xlsx_value(title) for title in section.header]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        widths = [min(max(_width(title), 6), WIDEST_COLUMN) for title in header]
        for row in section.rows:
            values = list(_kinds(section, row))
            sheet.append([_xlsx_value(value) for value, _kind in values])
            for cell, (value, kind) in zip(sheet[sheet.max_row], values, strict=True):
                number_format = XLSX_FORMATS.get(kind)
                if number_format and value is not None:
                    cell.number_format = number_format
                widths[cell.column - 1] = min(max(widths[cell.column - 1], _width(value) + 1), WIDEST_COLUMN)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
