"""The managers' reports page (/manage/reports/): their facilities' figures for a period, its filter and quick
periods, the note and button for days not built yet."""

import json
import re
from datetime import date
from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from reports import tasks
from reports.models import SpaceDay
from tests.factories import FROZEN_NOW
from tests.reports.report_data import DECEMBER, FIRST, LAST, december, grow

URL = reverse("reports:overview")
BUILD = reverse("reports:build")

# FROZEN_NOW is Tuesday 2026-12-01, 09:00 in Seoul: "this month" is December 2026.


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


def _page(client, query=DECEMBER) -> str:
    response = client.get(URL, query)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def _figure(body: str, label: str) -> str:
    """The number of the summary figure with this label."""
    match = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd class=\"report-number\">(.*?)</dd>", body, flags=re.S)
    assert match, label
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


def _charts(body: str) -> dict:
    match = re.search(r'<script id="report-charts" type="application/json">(.*?)</script>', body, flags=re.S)
    assert match
    return json.loads(match.group(1))


def test_a_manager_sees_the_figures_of_their_facilities_only(client, manager, figures):
    signed_in(client, manager)

    body = _page(client)

    assert "Report room" in body
    assert "Report hall" in body
    assert "Other gallery" not in body
    assert "Art Center" not in body  # not offered in the facility filter either
    assert _figure(body, "Bookings") == "3"
    assert _figure(body, "Revenue") == "50,000 won"
    assert _figure(body, "Refunds") == "30,000 won"
    assert _figure(body, "Net revenue") == "20,000 won"
    assert _figure(body, "Cancellation rate") == "33.3%"
    assert _figure(body, "No-show rate") == "33.3%"
    assert _figure(body, "Reductions granted") == "1"
    assert "Figures as of" in body
    assert "not built yet" not in body


def test_an_admin_sees_every_facility(client, admin_user, figures):
    signed_in(client, admin_user)

    body = _page(client)

    assert "Report room" in body
    assert "Other gallery" in body
    assert _figure(body, "Revenue") == "100,000 won"


def test_one_facility_can_be_chosen(client, admin_user, figures, art_center):
    signed_in(client, admin_user)

    body = _page(client, {**DECEMBER, "facility": art_center.slug})

    assert "Other gallery" in body
    assert "Report room" not in body
    query = f"facility={art_center.slug}&amp;from=2026-12-01&amp;to=2026-12-31"
    assert f'href="/manage/reports/export.xlsx?{query}"' in body
    assert f'href="/manage/reports/export.csv?{query}"' in body


def test_the_tables_group_spaces_by_facility_with_subtotals_and_list_the_money_by_month(client, manager, figures):
    signed_in(client, manager)

    body = _page(client)

    subtotal = re.search(r'<tr class="report-subtotal">\s*<th scope="row">Subtotal.*?</tr>', body, flags=re.S)
    assert subtotal and ">50,000</td>" in subtotal.group(0) and ">30,000</td>" in subtotal.group(0)
    assert "December 2026" in body
    assert "Social-economy organization" in body
    assert "Studio Night" in body


def test_the_heatmap_shades_its_cells_from_a_fixed_set_of_classes(client, manager, figures):
    signed_in(client, manager)

    body = _page(client)

    shades = set(re.findall(r'<td class="(heat-\d)">', body))
    assert shades <= {f"heat-{level}" for level in range(6)}
    # Monday 10:00–12:00 and Tuesday 14:00–16:00 are the busiest hours: an hour each.
    assert "heat-5" in shades and "heat-0" in shades
    assert 'style="' not in body


def test_the_charts_get_their_data_as_json_and_load_chart_js_on_this_page_only(client, manager, figures):
    signed_in(client, manager)

    body = _page(client)
    charts = _charts(body)

    assert "vendor/chartjs/chart.umd.min.js" in body
    assert "js/reports.js" in body
    assert charts["spaces"]["labels"] == ["Report hall", "Report room"]
    assert charts["months"]["datasets"][0]["data"] == [50_000]
    assert charts["organizations"]["labels"] == ["Studio Night"]
    assert body.count('role="img"') == 4
    assert "chart.umd.min.js" not in client.get("/manage/").content.decode()


def test_the_quick_periods_link_this_and_last_month_and_year(client, manager, figures):
    signed_in(client, manager)

    body = _page(client, {})  # the current month by default

    for first, last in [
        ("2026-12-01", "2026-12-31"),
        ("2026-11-01", "2026-11-30"),
        ("2026-01-01", "2026-12-31"),
        ("2025-01-01", "2025-12-31"),
    ]:
        assert f'href="{URL}?from={first}&amp;to={last}"' in body
    assert re.search(r'<a href="[^"]*from=2026-12-01&amp;to=2026-12-31" aria-current="page">This month</a>', body)
    assert 'value="2026-12-01"' in body and 'value="2026-12-31"' in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-12-31", "to": "2026-12-01"}, "The last day must not be before the first."),
        ({"from": "0001-01-01", "to": "2026-12-01"}, "Choose dates between the years 2000 and 2100."),
        ({"from": "2020-01-01", "to": "2026-12-31"}, "Choose a period of at most three years."),
        ({"from": "2026-13-01"}, "Enter a valid date."),
        ({**DECEMBER, "facility": "art-center"}, "Select a valid choice."),
    ],
)
def test_a_bad_filter_is_a_400_that_says_what_is_wrong(client, manager, figures, query, message):
    signed_in(client, manager)

    response = client.get(URL, query)

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "data-error-summary" in body
    assert "Report room" not in body


def test_the_page_is_in_korean_for_a_korean_reader(client, manager, figures):
    signed_in(client, manager, language="ko")

    body = _page(client)

    assert "이용 현황 보고서" in body
    assert "가동률" in body
    assert "50,000원" in body


def test_members_get_403_and_strangers_must_sign_in(client, startup_member, figures):
    response = client.get(URL, DECEMBER)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    signed_in(client, startup_member)
    assert client.get(URL, DECEMBER).status_code == 403
    assert client.get(reverse("reports:export_csv"), DECEMBER).status_code == 403
    assert client.post(BUILD, DECEMBER).status_code == 403


def test_the_page_reads_the_same_number_of_queries_whatever_the_data(
    client, manager, figures, town, django_assert_num_queries
):
    signed_in(client, manager)
    client.get(URL, DECEMBER)  # the session and content types are loaded once
    # Session and user, the TOTP guide (two) and the page's manager check, the header's links (two) and the bell;
    # then the facilities of the filter, the report's six (its spaces, then five parts), the facility filter's
    # options and the approval count of the manager tabs.
    expected = 8 + 9

    grow(town, 2)
    with django_assert_num_queries(expected):
        small = _page(client)
    grow(town, 18)
    with django_assert_num_queries(expected):
        large = _page(client)

    assert _figure(small, "Bookings") == "5"
    assert _figure(large, "Bookings") == "23"


def test_days_not_built_are_said_and_can_be_built_now(client, manager, figures, django_capture_on_commit_callbacks):
    signed_in(client, manager)
    january = {"from": "2027-01-01", "to": "2027-01-31"}

    body = _page(client, january)
    assert "The figures of this period are not built yet." in body
    assert "Build these figures now" in body

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(BUILD, january)

    assert len(callbacks) == 1
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?{urlencode(january)}"
    assert SpaceDay.objects.filter(day__gte=date(2027, 1, 1), day__lte=date(2027, 1, 31)).exists()
    after = client.get(response["Location"]).content.decode()
    assert "The figures of this period are being built." in after
    assert "not built yet" not in after


def test_the_build_button_queues_the_task_with_the_period(
    client, manager, figures, monkeypatch, django_capture_on_commit_callbacks
):
    signed_in(client, manager)
    queued = []
    monkeypatch.setattr(tasks.rebuild_usage, "delay", lambda *args: queued.append(args))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(BUILD, {"from": "2027-02-01", "to": "2027-02-28"})
    assert queued == []  # only once the request's transaction commits
    for callback in callbacks:
        callback()

    assert queued == [("2027-02-01", "2027-02-28")]


def test_a_period_too_long_to_build_at_once_is_refused(client, manager, figures, monkeypatch):
    signed_in(client, manager)
    queued = []
    monkeypatch.setattr(tasks.rebuild_usage, "delay", lambda *args: queued.append(args))
    long_period = {"from": "2025-01-01", "to": "2027-06-30"}

    body = _page(client, long_period)
    assert "Build these figures now" not in body
    assert "choose a period of at most 800 days" in body

    response = client.post(BUILD, long_period, follow=True)

    assert queued == []
    assert "Figures are built for at most 800 days at once" in response.content.decode()


def test_the_build_refuses_a_bad_period_with_a_400(client, manager, figures):
    signed_in(client, manager)

    response = client.post(BUILD, {"from": "2027-02-28", "to": "2027-02-01"})

    assert response.status_code == 400
    assert "The last day must not be before the first." in response.content.decode()


def test_a_facility_without_rooms_to_book_says_so(client, admin_user, hall):
    signed_in(client, admin_user)

    body = _page(client, {**DECEMBER, "facility": "art-center"})

    assert "These facilities have no room to book" in body
    assert "Build these figures now" not in body
    assert FIRST.isoformat() in body and LAST.isoformat() in body


def test_a_period_already_queued_is_not_queued_twice(
    client, manager, figures, monkeypatch, django_capture_on_commit_callbacks
):
    signed_in(client, manager)
    queued = []
    monkeypatch.setattr(tasks.rebuild_usage, "delay", lambda *args: queued.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(BUILD, {"from": "2027-02-01", "to": "2027-02-28"})
        second = client.post(BUILD, {"from": "2027-02-01", "to": "2027-02-28"})

    assert queued == [("2027-02-01", "2027-02-28")]
    assert second.status_code == 302
    assert "already being built" in client.get(second["Location"]).content.decode()
