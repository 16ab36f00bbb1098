"""Calendar feeds (iCalendar, RFC 5545) written with the icalendar package.

Times are written in Asia/Seoul with its VTIMEZONE, so calendar apps show them right wherever they are.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from bookings.models import Booking
from bookings.rules import local

_STATUS = {
    Booking.Status.PENDING: "TENTATIVE",
    Booking.Status.APPROVED: "CONFIRMED",
    Booking.Status.CANCELLED: "CANCELLED",
    Booking.Status.REJECTED: "CANCELLED",
    # Held for the user until they answer the offer.
    Booking.Status.OFFERED: "TENTATIVE",
    # The rest of the time was freed: the booking no longer holds the room.
    Booking.Status.NO_SHOW: "CANCELLED",
}


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Dongnam Exhibition Hall//Dongnam//KO")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Seoul")
    return calendar


def _event(booking: Booking, *, summary: str, description: str = "", location: str = "") -> Event:
    event = Event()
    event.add("uid", f"booking-{booking.pk}@dongnam")
    event.add("dtstamp", timezone.now())
    event.add("last-modified", booking.updated)
    event.add("dtstart", local(booking.start))
    event.add("dtend", local(booking.end))
    event.add("summary", summary)
    event.add("status", _STATUS[booking.status])
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    return event


def space_feed(space, bookings) -> bytes:
    """A space's approved bookings, without who booked them or why."""
    calendar = _calendar(f"{space.display_name} · {space.facility.display_name}")
    for booking in bookings:
        calendar.add_component(_event(booking, summary=_("Booked"), location=space.display_name))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def personal_feed(user, bookings) -> bytes:
    """A user's own bookings, pending and approved (cancelled ones too, so calendars remove them)."""
    calendar = _calendar(_("My bookings at the Dongnam Exhibition Hall"))
    for booking in bookings:
        place = f"{booking.space.display_name}, {booking.space.facility.display_name}"
        calendar.add_component(
            _event(
                booking,
                summary=booking.title,
                location=place,
                description=f"{booking.get_status_display()} · {place}",
            )
        )
    calendar.add_missing_timezones()
    return calendar.to_ical()
