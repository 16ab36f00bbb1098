"""``/api/v1/reports/``: the figures for the facilities' managers, and a clear 4xx for anyone or anything else."""

from datetime import date, timedelta

import pytest
import time_machine

from reports import services
from tests.factories import BookingFactory, SpaceFactory, seoul

UTILIZATION = "/api/v1/reports/utilization/"
HEATMAP = "/api/v1/reports/heatmap/"
WEEK = {"from": "2026-12-21", "to": "2026-12-27"}


@pytest.fixture
def figures(town, art_center):
    room = SpaceFactory(facility=town, slug="town-room")
    gallery_room = SpaceFactory(facility=art_center, slug="art-room")
    BookingFactory(
        space=room, start=seoul(2026, 12, 22, 10), end=seoul(2026, 12, 22, 13), amount_due=30_000, payment_status="paid"
    )
    BookingFactory(space=gallery_room, start=seoul(2026, 12, 22, 10))
    services.build_usage(first=date(2026, 12, 1), last=date(2026, 12, 31))
    return {"room": room, "gallery_room": gallery_room}


def test_a_manager_reads_one_row_per_space_of_their_facilities(api_client, manager, figures, town):
    api_client.force_login(manager)

    response = api_client.get(UTILIZATION, {"facility": town.slug, **WEEK})

    assert response.status_code == 200
    body = response.json()
    assert (body["facility"], body["from"], body["to"], body["complete"]) == (
        town.slug,
        "2026-12-21",
        "2026-12-27",
        True,
    )
    assert [row["space"] for row in body["results"]] == ["town-room"]
    row = body["results"][0]
    # Weekdays 09:00–22:00, Saturday 09:00–18:00, Christmas and Sunday closed: 4 × 13 + 9 hours.
    assert row == {
        "space": "town-room",
        "space_name": figures["room"].name,
        "facility": town.slug,
        "open_hours": 61.0,
        "booked_hours": 3.0,
        "occupancy": round(3 / 61, 4),
        "bookings": 1,
        "cancellations": 0,
        "no_shows": 0,
        "revenue": 30_000,
        "refunds": 0,
    }


def test_without_a_facility_every_managed_one_is_read(api_client, admin_user, figures):
    api_client.force_login(admin_user)

    response = api_client.get(UTILIZATION, WEEK)

    assert response.status_code == 200
    assert {row["space"] for row in response.json()["results"]} == {"town-room", "art-room"}


def test_the_heatmap_is_seven_days_of_24_hours(api_client, manager, figures, town):
    api_client.force_login(manager)

    response = api_client.get(HEATMAP, {"facility": town.slug, **WEEK})

    assert response.status_code == 200
    hours = response.json()["hours"]
    assert [len(row) for row in hours] == [24] * 7
    assert hours[1][10:13] == [1.0, 1.0, 1.0]  # Tuesday 10:00–13:00


@time_machine.travel(seoul(2026, 12, 22, 9), tick=False)
def test_the_period_defaults_to_the_current_month(api_client, manager, figures):
    api_client.force_login(manager)

    body = api_client.get(UTILIZATION).json()

    assert (body["from"], body["to"]) == ("2026-12-01", "2026-12-31")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-12-27", "to": "2026-12-21"}, "to"),
        ({"from": "2026-13-01"}, "from"),
        ({"from": "2020-01-01", "to": "2026-12-31"}, "to"),
        ({"from": "1999-12-31", "to": "2000-01-02"}, "__all__"),
        ({"facility": "art-center", **WEEK}, "facility"),
        ({"facility": "no-such-place", **WEEK}, "facility"),
        ({"form": "2026-12-01"}, "form"),
    ],
)
def test_a_bad_filter_is_a_400_that_says_what(api_client, manager, figures, query, field):
    api_client.force_login(manager)

    response = api_client.get(UTILIZATION, query)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_members_get_403_and_strangers_must_sign_in(api_client, startup_member, figures):
    assert api_client.get(UTILIZATION, WEEK).status_code in (401, 403)
    api_client.force_login(startup_member)
    for url in (UTILIZATION, HEATMAP):
        response = api_client.get(url, WEEK)
        assert response.status_code == 403


def test_a_manager_without_two_factor_gets_403_mfa_required(api_client, manager_without_totp, figures):
    api_client.force_login(manager_without_totp)

    response = api_client.get(UTILIZATION, WEEK)

    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_days_not_built_are_reported(api_client, manager, figures, town):
    api_client.force_login(manager)

    body = api_client.get(UTILIZATION, {"from": "2026-12-01", "to": str(date(2027, 1, 1) + timedelta(days=3))}).json()

    assert body["complete"] is False
