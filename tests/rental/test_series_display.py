"""A weekly series shows as one: the ↻ marker, each booking's list of the series' dates with their status,
and the booking form's fee for all the free dates before they are booked."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import series, services
from bookings.models import Booking
from tenants.models import Organization
from tests.factories import seoul
from tests.rental.factories import MONDAY_10, book, client_for


def weekly(member, room, count):
    return series.create_series(
        requested_by=member,
        space=room,
        start=MONDAY_10,
        end=MONDAY_10 + timedelta(hours=2),
        title="Weekly stand-up",
        attendees=4,
        recurrence=series.Recurrence(weekdays=("MO",), count=count),
    )


def test_the_booking_page_lists_the_dates_of_its_series_with_their_status(room, member, manager, member_client):
    _series, bookings, _skipped = weekly(member, room, 3)
    first, second, third = bookings
    services.approve_booking(booking=first, manager=manager)
    services.cancel_booking(booking=third, user=member)

    body = member_client.get(f"/bookings/{second.pk}/").content.decode()

    assert "↻" in body and "weekly series" in body
    section = body[body.index('id="series-heading"') :]
    assert "The series has 3 dates" in section
    items = re.findall(r"<li[^>]*>(.*?)</li>", section[: section.index("</ol>")], re.S)
    assert len(items) == 3
    assert f'href="/bookings/{first.pk}/"' in items[0] and "Approved" in items[0]
    # The date shown is marked, not linked.
    assert "2026-12-14" in items[1] and "this date" in items[1] and "href=" not in items[1]
    assert "Pending" in items[1]
    assert f'href="/bookings/{third.pk}/"' in items[2] and "Cancelled" in items[2]


def test_a_single_booking_shows_no_series(room, member, member_client):
    booking = book(member, room, MONDAY_10)

    body = member_client.get(f"/bookings/{booking.pk}/").content.decode()

    assert "↻" not in body
    assert "series-heading" not in body


def test_my_bookings_marks_the_dates_of_a_series(room, member, member_client):
    weekly(member, room, 2)
    single = book(member, room, seoul(2026, 12, 8, 10))

    # Upcoming and past follow the database's clock, not the frozen one: both tabs together hold every date.
    body = "".join(member_client.get("/bookings/", {"when": when}).content.decode() for when in ("upcoming", "past"))

    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    marked = [row for row in rows if "↻" in row]
    assert len(marked) == 2
    assert all("Weekly stand-up" in row and "weekly series" in row for row in marked)
    assert not any(single.title in row for row in marked)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("viewer", ["member", "manager"])
def test_the_booking_page_runs_as_many_queries_for_a_long_series(room, member, manager, viewer):
    _series, short, _skipped = weekly(member, room, 2)
    _series, long, _skipped = series.create_series(
        requested_by=member,
        space=room,
        start=MONDAY_10 + timedelta(hours=4),
        end=MONDAY_10 + timedelta(hours=5),
        title="Long series",
        attendees=4,
        recurrence=series.Recurrence(weekdays=("MO",), count=6),
    )
    client = client_for(member if viewer == "member" else manager)

    assert _queries(client, f"/bookings/{short[0].pk}/") == _queries(client, f"/bookings/{long[0].pk}/")


def test_the_booking_form_shows_the_fee_of_all_the_free_dates_before_booking(room, member, member_client, stranger):
    book(stranger, room, MONDAY_10 + timedelta(weeks=2))
    form = {
        "title": "Weekly stand-up",
        "date": "2026-12-07",
        "start_time": "10:00",
        "end_time": "12:00",
        "attendees": "4",
        "repeat": "on",
        "weekdays": ["MO"],
        "interval": "1",
        "count": "4",
    }

    body = member_client.post(f"/spaces/{room.slug}/book/", form).content.decode()

    # Three free dates of two hours at 15,000 won an hour; the startup earns no reduction.
    assert "3 of 4 dates can be booked" in body
    total = re.search(r'<p class="series-total">(.*?)</p>', body, re.S).group(1)
    assert "Fee for the 3 free dates:" in total
    assert "<strong>90,000 won</strong>" in total
    assert "reduction" not in total
    assert Booking.objects.filter(requested_by=member).count() == 0


def test_the_series_fee_reads_base_less_reduction_equals_total(room, organization, member_client):
    organization.kind = Organization.Kind.COOPERATIVE  # social economy: 30% off at the Innovation Town
    organization.save(update_fields=["kind"])
    form = {
        "title": "Weekly stand-up",
        "date": "2026-12-07",
        "start_time": "10:00",
        "end_time": "11:00",
        "attendees": "4",
        "repeat": "on",
        "weekdays": ["MO"],
        "interval": "1",
        "count": "2",
    }

    body = member_client.post(f"/spaces/{room.slug}/book/", form).content.decode()

    total = " ".join(re.search(r'<p class="series-total">(.*?)</p>', body, re.S).group(1).split())
    assert "30,000 won − 30% reduction (social-economy organization) = <strong>21,000 won</strong>" in total


def test_a_free_rooms_series_shows_no_fee(free_room, member_client):
    form = {
        "title": "Weekly stand-up",
        "date": "2026-12-07",
        "start_time": "10:00",
        "end_time": "11:00",
        "attendees": "4",
        "repeat": "on",
        "weekdays": ["MO"],
        "interval": "1",
        "count": "2",
    }

    body = member_client.post(f"/spaces/{free_room.slug}/book/", form).content.decode()

    assert "2 of 2 dates can be booked" in body
    assert "series-total" not in body
