"""The space rules page's opening hours: a row of from–to times per weekday, errors on their day's row."""

import re

import pytest

from audit.models import AuditEntry
from tests.factories import enable_totp

URL = "/manage/spaces/{slug}/policy/"


@pytest.fixture
def signed_in_manager(client, manager):
    manager.language = "en"
    manager.save(update_fields=["language"])
    enable_totp(manager)
    client.force_login(manager)
    return manager


def rules(*, source="own", **days):
    """The page's form as posted, with ``mon=[("09:00", "12:00"), …]`` for each weekday given."""
    data = {
        "is_bookable": "on",
        "fee": "0",
        "requires_approval": "unknown",
        "open_on_holidays": "unknown",
        "opening_hours-source": source,
    }
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        ranges = days.get(day, [])
        data[f"opening_hours-{day}-from"] = [start for start, _end in ranges] or [""]
        data[f"opening_hours-{day}-to"] = [end for _start, end in ranges] or [""]
    return data


def row(body, day):
    """The HTML of one weekday's row."""
    rows = [part for part in body.split('<div class="opening-hours-day') if f'"id_opening_hours-{day}"' in part]
    assert len(rows) == 1, f"no row for {day}"
    return rows[0]


def test_the_page_shows_a_row_of_time_pairs_per_weekday(client, signed_in_manager, space):
    body = client.get(URL.format(slug=space.slug)).content.decode()

    for day, label in [("mon", "Monday"), ("sat", "Saturday"), ("sun", "Sunday")]:
        html = row(body, day)
        assert label in html
        # Two ranges a day without any script: two "from" and two "to" time inputs at half-hour steps.
        assert html.count(f'name="opening_hours-{day}-from"') == 2
        assert html.count(f'name="opening_hours-{day}-to"') == 2
        assert 'type="time" step="1800"' in html
        assert "data-opening-hours-add" in html
    # The space follows its facility: the rows show the facility's hours, Sunday closed.
    assert re.search(r'value="inherit"[^>]*checked', body)
    assert 'value="09:00"' in row(body, "mon") and 'value="22:00"' in row(body, "mon")
    assert re.search(r"data-opening-hours-closed>\s*Closed", row(body, "sun"))
    assert "<textarea" not in body


def test_two_ranges_a_day_are_saved_and_empty_ones_ignored(client, signed_in_manager, space):
    response = client.post(
        URL.format(slug=space.slug),
        rules(
            mon=[("13:00", "18:00"), ("09:00", "12:00")],
            tue=[("09:00", "12:00"), ("", "")],
            sat=[("10:00", "00:00")],
        ),
    )

    assert response.status_code == 302
    space.refresh_from_db()
    assert space.opening_hours == {
        "mon": [["09:00", "12:00"], ["13:00", "18:00"]],
        "tue": [["09:00", "12:00"]],
        "wed": [],
        "thu": [],
        "fri": [],
        "sat": [["10:00", "24:00"]],
        "sun": [],
    }
    entry = AuditEntry.objects.get(action="space.policy_changed")
    assert entry.before == {"opening_hours": None}
    # Saved hours come back in the rows; midnight as the end of a day reads 00:00.
    body = client.get(URL.format(slug=space.slug)).content.decode()
    assert re.search(r'value="own"[^>]*checked', body)
    assert 'value="13:00"' in row(body, "mon")
    assert 'value="00:00"' in row(body, "sat")
    assert re.search(r"data-opening-hours-closed hidden", row(body, "mon"))
    assert re.search(r"data-opening-hours-closed>\s*Closed", row(body, "wed"))


def test_choosing_the_facilitys_hours_again_clears_the_own_ones(client, signed_in_manager, space):
    space.opening_hours = {"mon": [["09:00", "12:00"]]}
    space.save(update_fields=["opening_hours"])

    response = client.post(URL.format(slug=space.slug), rules(source="inherit", mon=[("09:00", "12:00")]))

    assert response.status_code == 302
    space.refresh_from_db()
    assert space.opening_hours is None
    assert space.policy.opening_hours["mon"] == [["09:00", "22:00"]]


def test_saving_unchanged_hours_records_no_change(client, signed_in_manager, space):
    space.opening_hours = {"mon": [["09:00", "12:00"]], "sun": []}
    space.save(update_fields=["opening_hours"])

    response = client.post(URL.format(slug=space.slug), rules(mon=[("09:00", "12:00")]))

    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="space.policy_changed").exists()


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        ([("18:00", "09:00")], "the closing time must be after the opening time"),
        ([("09:00", "13:00"), ("12:00", "18:00")], "intervals overlap"),
        ([("25:00", "26:00")], "is not an interval like"),
        ([("09:00", "")], "both a start and an end"),
    ],
)
def test_a_wrong_range_is_refused_on_its_days_row_and_nothing_is_saved(
    client, signed_in_manager, space, ranges, message
):
    data = rules(mon=[("09:00", "18:00")], wed=ranges)
    data["fee"] = "5000"
    response = client.post(URL.format(slug=space.slug), data)

    assert response.status_code == 400
    body = response.content.decode()
    wednesday = row(body, "wed")
    assert message in wednesday
    assert 'aria-invalid="true"' in wednesday
    assert message not in row(body, "mon")
    # What was typed stays in the row to be corrected.
    assert f'value="{ranges[0][0]}"' in wednesday
    space.refresh_from_db()
    assert space.opening_hours is None
    assert space.fee != 5000
    assert not AuditEntry.objects.filter(action="space.policy_changed").exists()


def test_errors_on_two_days_each_stay_on_their_row(client, signed_in_manager, space):
    response = client.post(
        URL.format(slug=space.slug), rules(tue=[("12:00", "10:00")], fri=[("09:00", "12:00"), ("11:00", "13:00")])
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Tuesday: the closing time must be after the opening time." in row(body, "tue")
    assert "Friday: intervals overlap." in row(body, "fri")
    assert "intervals overlap" not in row(body, "tue")
