"""The one way the project writes CSV files people download.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some of them, a tab or a
carriage return first) as a formula: an organization called ``=HYPERLINK(...)`` would become a live link
in a manager's Excel. Following OWASP's advice on CSV injection, such a text cell is written with a
leading single quote, which spreadsheets show as text and do not evaluate.

Only text is neutralized. Numbers the system writes itself (``int``, ``Decimal``, ``float``) stay numbers,
so a negative "days left" or a refund stays a number a spreadsheet can sum; a number that arrives as text
(say a user typed "-1") is text and is neutralized like any other.
"""

import csv
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# A byte-order mark lets Excel, the tool most offices open these with, read the Korean text as UTF-8.
BYTE_ORDER_MARK = "\ufeff"


def safe_cell(value) -> object:
    """A cell value a spreadsheet shows and never evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class SafeCSVWriter:
    """``csv.writer`` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_response(*, filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """A CSV download for Excel: UTF-8 with a byte-order mark, every cell neutralized."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BYTE_ORDER_MARK)
    writer = SafeCSVWriter(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
