"""The reports page as files: CSV and Excel, with the page's filter, in the reader's language, figures as numbers
and names that a spreadsheet shows as text."""

import csv
import io
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from reports.services import build_usage
from tests.factories import FROZEN_NOW, SpaceFactory
from tests.reports.report_data import DECEMBER, FIRST, LAST, december

CSV = reverse("reports:export_csv")
XLSX = reverse("reports:export_xlsx")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _language_restored():
    yield
    # A request leaves its reader's language active in the thread; the next test starts in the default one.
    translation.deactivate()


@pytest.fixture
def figures(town, art_center):
    return december(town, art_center)


def signed_in(client, user, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return user


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _section(rows: list[list[str]], title: str) -> list[list[str]]:
    """The header and rows under a section's title line, up to the blank line that ends it."""
    start = rows.index([title]) + 1
    end = next((index for index in range(start, len(rows)) if not rows[index]), len(rows))
    return rows[start:end]


def _workbook(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content))


def _rows_by_name(sheet, column: int = 1) -> dict:
    return {row[column].value: [cell.value for cell in row] for row in sheet.iter_rows(min_row=2)}


def test_the_csv_has_every_section_of_the_page_with_numbers_as_numbers(client, manager, figures):
    signed_in(client, manager)

    response = client.get(CSV, DECEMBER)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dongnam-report-2026-12-01-2026-12-31.csv"'
    rows = _csv_rows(response)
    spaces = _section(rows, "Occupancy by space")
    assert spaces[0][:4] == ["Facility", "Space", "Open hours", "Booked hours"]
    room = next(row for row in spaces if row[1] == "Report room")
    # Booked hours, occupancy (%), bookings, cancellations, no-shows; revenue, refunds.
    assert room[3:8] == ["4.0", room[4], "2", "0", "1"]
    assert float(room[4]) > 0
    assert room[11:13] == ["10000", "0"]
    assert _section(rows, "Revenue by month")[1] == ["2026-12", "50000", "30000", "20000"]
    assert _section(rows, "Reductions by category")[1] == ["Social-economy organization", "1", "10000"]
    assert _section(rows, "Most active organizations")[1] == ["Studio Night", "2", "4.0"]
    heatmap = _section(rows, "Booked hours by weekday and hour")
    assert heatmap[0][:2] == ["Weekday", "00:00"] and len(heatmap) == 8
    assert heatmap[1][0] == "Monday" and heatmap[1][11:13] == ["1.0", "1.0"]  # 10:00–12:00
    assert "Other gallery" not in response.content.decode()


def test_a_csv_cell_a_spreadsheet_would_run_is_written_as_text(client, manager, figures, town):
    signed_in(client, manager)
    SpaceFactory(facility=town, slug="formula-room", name="=cmd|' /C calc'!A0", name_en="=cmd")
    build_usage(first=FIRST, last=LAST)
    rows = _csv_rows(client.get(CSV, DECEMBER))

    names = [row[1] for row in _section(rows, "Occupancy by space")[1:]]
    assert "'=cmd" in names
    assert "=cmd" not in names


def test_the_xlsx_has_a_sheet_per_section_with_figures_as_numbers(client, manager, figures, town):
    signed_in(client, manager)
    SpaceFactory(facility=town, slug="formula-room", name="=cmd", name_en='=HYPERLINK("http://x")')
    build_usage(first=FIRST, last=LAST)

    response = client.get(XLSX, DECEMBER)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dongnam-report-2026-12-01-2026-12-31.xlsx"'
    workbook = _workbook(response)
    assert workbook.sheetnames == [
        "Summary",
        "Spaces",
        "Facilities",
        "Months",
        "Reductions",
        "Organizations",
        "Weekdays and hours",
    ]
    spaces = workbook["Spaces"]
    assert all(cell.font.bold for cell in spaces[1])
    assert spaces.freeze_panes == "A2"
    header = [cell.value for cell in spaces[1]]
    room = _rows_by_name(spaces)["Report room"]
    figures_of_room = dict(zip(header, room, strict=True))
    assert figures_of_room["Booked hours"] == 4.0
    assert figures_of_room["Bookings"] == 2
    assert figures_of_room["No-shows"] == 1
    assert figures_of_room["Revenue (KRW)"] == 10_000
    assert isinstance(figures_of_room["Occupancy (%)"], float) and 0 < figures_of_room["Occupancy (%)"] < 1
    occupancy_cell = spaces.cell(row=list(_rows_by_name(spaces)).index("Report room") + 2, column=5)
    assert occupancy_cell.number_format == "0.0%"
    # A name that starts like a formula is text, not a formula.
    assert '\'=HYPERLINK("http://x")' in _rows_by_name(spaces)
    assert all(cell.data_type != "f" for row in spaces.iter_rows() for cell in row)
    # Columns are wide enough for their header.
    assert spaces.column_dimensions["B"].width >= len("Report room")

    months = workbook["Months"]
    month, revenue, refunds, net = (cell.value for cell in months[2])
    assert month == datetime(2026, 12, 1)
    assert (revenue, refunds, net) == (50_000, 30_000, 20_000)
    facilities = _rows_by_name(workbook["Facilities"])
    assert facilities["All"][0] == "All" and facilities["All"][4] == 4.0
    assert workbook["Reductions"]["C2"].value == 10_000
    assert workbook["Organizations"]["A2"].value == "Studio Night"
    heatmap = workbook["Weekdays and hours"]
    assert heatmap["A2"].value == "Monday" and heatmap["L2"].value == 1.0
    summary = _rows_by_name(workbook["Summary"], column=0)
    assert summary["Revenue (KRW)"][1] == 50_000
    assert summary["Every day built"][1] == "Yes"


def test_the_xlsx_speaks_korean_to_a_korean_reader(client, manager, figures):
    signed_in(client, manager, language="ko")

    workbook = _workbook(client.get(XLSX, DECEMBER))

    assert workbook.sheetnames[:3] == ["요약", "공간", "시설"]
    assert [cell.value for cell in workbook["공간"][1]][:4] == ["시설", "공간", "운영 시간", "예약 시간"]
    assert "보고서 회의실" in _rows_by_name(workbook["공간"])


def test_an_export_of_one_facility_is_named_after_it(client, admin_user, figures, art_center):
    signed_in(client, admin_user)

    response = client.get(XLSX, {**DECEMBER, "facility": art_center.slug})

    name = "dongnam-report-art-center-2026-12-01-2026-12-31.xlsx"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert list(_rows_by_name(_workbook(response)["Spaces"])) == ["Other gallery"]


def test_an_export_with_a_bad_filter_is_a_400(client, manager, figures, art_center):
    signed_in(client, manager)

    assert client.get(CSV, {"from": "2026-12-31", "to": "2026-12-01"}).status_code == 400
    assert client.get(XLSX, {**DECEMBER, "facility": art_center.slug}).status_code == 400
