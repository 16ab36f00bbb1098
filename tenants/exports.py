"""The manager's outcome table as files: CSV (common.csv_export) and Excel (XLSX, openpyxl).

Both carry the same header and rows, in the reader's language. In the XLSX, as in the CSV, text that a
spreadsheet would run as a formula is neutralized (``safe_cell``): openpyxl stores any text starting with
``=`` as a formula.
"""

import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from common.csv_export import csv_response, safe_cell
from tenants.outcomes import FIGURES, OutcomeTable

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's limit on the name of a sheet.
SHEET_TITLE_LENGTH = 31


def outcome_header() -> list[str]:
    header = [_("Facility"), _("Organization"), _("Business registration number"), _("Units"), _("Year"), _("Status")]
    for _name, label in FIGURES:
        header += [
            str(label),
            _("%(figure)s: change from the year before") % {"figure": label},
            _("%(figure)s: change from the year before (%%)") % {"figure": label},
        ]
    return [*header, _("Intellectual property: details"), _("Products: details"), _("Filed at")]


def outcome_rows(table: OutcomeTable) -> Iterator[list]:
    for row in table.rows:
        cells = [
            table.facility.display_name,
            row.organization.display_name,
            row.organization.business_number_display,
            ", ".join(row.units),
            table.year,
            _("Filed") if row.filed else _("Not filed"),
        ]
        for figure in row.figures:
            cells += [figure.value, figure.difference, figure.percent]
        report = row.report
        cells += [
            report.ip_note if report else "",
            report.products_note if report else "",
            timezone.localtime(report.updated).strftime("%Y-%m-%d %H:%M") if report else "",
        ]
        yield cells


def _filename(table: OutcomeTable, extension: str) -> str:
    return f"outcomes-{table.facility.slug}-{table.year}.{extension}"


def outcomes_csv(table: OutcomeTable) -> HttpResponse:
    return csv_response(filename=_filename(table, "csv"), header=outcome_header(), rows=outcome_rows(table))


def _xlsx_cell(value):
    value = safe_cell(value)
    if isinstance(value, str):
        # Control characters cannot be stored in the file's XML; a name pasted with one would break the export.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _width(value) -> int:
    """Roughly the columns a value takes: Hangul and other wide characters count twice."""
    return sum(2 if ord(character) > 0x1100 else 1 for character in str(value if value is not None else ""))


def xlsx_response(*, filename: str, sheet_title: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """One sheet: a bold, frozen header row, then the rows; whole numbers shown with thousands separators."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:SHEET_TITLE_LENGTH]
    header = [_xlsx_cell(title) for title in header]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [min(max(_width(title), 8), 40) for title in header]
    for values in rows:
        sheet.append([_xlsx_cell(value) for value in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, int):
                cell.number_format = "#,##0"
            elif isinstance(cell.value, float):
                cell.number_format = "0.0"
            widths[cell.column - 1] = min(max(widths[cell.column - 1], _width(cell.value) + 2), 40)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def outcomes_xlsx(table: OutcomeTable) -> HttpResponse:
    return xlsx_response(
        filename=_filename(table, "xlsx"),
        sheet_title=f"{table.year}",
        header=outcome_header(),
        rows=outcome_rows(table),
    )
