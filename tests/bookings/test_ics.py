"""Calendar feeds: a space's public feed and a user's private one."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from bookings.models import Booking, CalendarFeed
from tenants.models import Membership
from tests.factories import BookingFactory, SpaceFactory

SEOUL = ZoneInfo("Asia/Seoul")


def local_day(days: int, hour: int) -> datetime:
    """A whole hour some days from now, in Seoul (the feeds cover 30 days back to a year ahead)."""
    return (timezone.localtime() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def events(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return calendar, list(calendar.walk("VEVENT"))


@pytest.fixture
def bookings(space, startup_member):
    organization = Membership.objects.get(user=startup_member).organization
    approved = BookingFactory(
        space=space,
        requested_by=startup_member,
        organization=organization,
        title="Secret merger talks",
        purpose="Acquire the competitor",
        start=local_day(3, 10),
        end=local_day(3, 12),
    )
    pending = BookingFactory(
        space=space,
        requested_by=startup_member,
        organization=organization,
        title="Pending planning",
        status=Booking.Status.PENDING,
        start=local_day(4, 10),
    )
    BookingFactory(space=space, title="Cancelled chat", status=Booking.Status.CANCELLED, start=local_day(5, 10))
    BookingFactory(space=space, title="Rejected party", status=Booking.Status.REJECTED, start=local_day(6, 10))
    BookingFactory(space=SpaceFactory(facility=space.facility), title="Elsewhere", start=local_day(3, 10))
    return {"approved": approved, "pending": pending, "organization": organization}


def test_the_space_feed_is_a_calendar_of_its_approved_bookings_only(client, space, bookings):
    calendar, found = events(client.get(f"/spaces/{space.slug}/calendar.ics"))

    assert [str(event["UID"]) for event in found] == [f"booking-{bookings['approved'].pk}@dongnam"]
    assert str(calendar["VERSION"]) == "2.0"


def test_the_space_feed_tells_nothing_about_who_booked(client, space, bookings, startup_member):
    response = client.get(f"/spaces/{space.slug}/calendar.ics", HTTP_ACCEPT_LANGUAGE="en")
    _calendar, [event] = events(response)

    body = response.content.decode()
    for secret in (
        "Secret merger talks",
        "Acquire the competitor",
        bookings["organization"].name,
        bookings["organization"].name_en,
        startup_member.email,
        startup_member.name,
        "Pending planning",
    ):
        assert secret not in body
    assert str(event["SUMMARY"]) == "Booked"
    assert "DESCRIPTION" not in event


def test_the_space_feed_gives_times_in_seoul(client, space, bookings):
    response = client.get(f"/spaces/{space.slug}/calendar.ics")
    calendar, [event] = events(response)

    start = event["DTSTART"]
    assert start.params["TZID"] == "Asia/Seoul"
    assert start.dt == bookings["approved"].start
    assert (start.dt.hour, start.dt.minute) == (10, 0)
    assert start.dt.utcoffset() == timedelta(hours=9)
    assert event["DTEND"].dt == bookings["approved"].end
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    assert f"DTSTART;TZID=Asia/Seoul:{bookings['approved'].start.astimezone(SEOUL):%Y%m%dT%H%M%S}" in (
        response.content.decode()
    )


def test_the_feed_of_an_unknown_space_is_404(client, space):
    assert client.get("/spaces/no-such-room/calendar.ics").status_code == 404


def test_the_space_feed_is_empty_without_bookings(client, space):
    _calendar, found = events(client.get(f"/spaces/{space.slug}/calendar.ics"))

    assert found == []


def test_the_personal_feed_shows_the_users_own_bookings_with_titles(client, space, bookings, startup_member):
    BookingFactory(space=space, title="Someone else's", start=local_day(7, 10))
    token = CalendarFeed.objects.create(user=startup_member).token

    _calendar, found = events(client.get(f"/calendar/{token}.ics"))

    by_title = {str(event["SUMMARY"]): event for event in found}
    assert set(by_title) == {"Secret merger talks", "Pending planning"}
    assert str(by_title["Secret merger talks"]["STATUS"]) == "CONFIRMED"
    assert str(by_title["Pending planning"]["STATUS"]) == "TENTATIVE"
    assert by_title["Secret merger talks"]["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert by_title["Secret merger talks"]["DTSTART"].dt == bookings["approved"].start


def test_the_personal_feed_keeps_cancelled_bookings_so_calendars_remove_them(client, space, startup_member):
    BookingFactory(space=space, requested_by=startup_member, title="Called off", status="cancelled")
    BookingFactory(space=space, requested_by=startup_member, title="Turned down", status="rejected")
    token = CalendarFeed.objects.create(user=startup_member).token

    _calendar, found = events(client.get(f"/calendar/{token}.ics"))

    assert [(str(e["SUMMARY"]), str(e["STATUS"])) for e in found] == [("Called off", "CANCELLED")]


def test_an_unknown_feed_token_is_404(client, startup_member):
    CalendarFeed.objects.create(user=startup_member)

    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


def test_my_bookings_page_gives_the_feed_address(client, startup_member):
    client.force_login(startup_member)

    body = client.get("/bookings/").content.decode()

    token = CalendarFeed.objects.get(user=startup_member).token
    assert f"http://testserver/calendar/{token}.ics" in body


def test_rotating_the_token_revokes_the_old_address(client, space, bookings, startup_member):
    client.force_login(startup_member)
    client.get("/bookings/")
    old = CalendarFeed.objects.get(user=startup_member).token
    assert client.get(f"/calendar/{old}.ics").status_code == 200

    response = client.post("/calendar/rotate/")

    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=startup_member).token
    assert new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    _calendar, found = events(client.get(f"/calendar/{new}.ics"))
    assert {str(event["SUMMARY"]) for event in found} == {"Secret merger talks", "Pending planning"}


def test_rotating_needs_a_signed_in_post(client, startup_member):
    feed = CalendarFeed.objects.create(user=startup_member)

    assert client.post("/calendar/rotate/").status_code == 302
    client.force_login(startup_member)
    # A GET only asks first: the page's form is what changes the address.
    assert 'action="/calendar/rotate/"' in client.get("/calendar/rotate/").content.decode()
    feed.refresh_from_db()
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 200
