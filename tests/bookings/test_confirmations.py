"""Nothing destructive happens in one click: the link leads to a page that says what will happen (GET,
refused as the action itself would be), and only its button does it (POST)."""

from datetime import timedelta

import pytest

from bookings.models import Booking, BookingSeries, CalendarFeed, Closure, WaitlistEntry
from notifications.models import Notification
from tests.factories import FROZEN_NOW, BookingFactory, ClosureFactory, SpaceFactory, UserFactory, enable_totp, seoul

pytestmark = pytest.mark.usefixtures("frozen_now")


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def member(client, startup_member):
    client.force_login(english(startup_member))
    return startup_member


@pytest.fixture
def signed_in_manager(client, manager):
    enable_totp(english(manager))
    client.force_login(manager)
    return manager


def body_of(response, status=200) -> str:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


# --- rejecting a booking ---------------------------------------------------------------------------


def test_the_reject_links_ask_for_the_reason_first_and_change_nothing(client, signed_in_manager, space):
    booking = BookingFactory(space=space, status=Booking.Status.PENDING, title="Workshop")
    url = f"/manage/bookings/{booking.pk}/reject/"

    detail = body_of(client.get(f"/bookings/{booking.pk}/"))
    queue = body_of(client.get("/manage/approvals/"))
    confirm = body_of(client.get(url))

    assert f'action="{url}"' not in detail + queue
    assert f'href="{url}"' in detail
    assert f'href="{url}?next=/manage/approvals/"' in queue
    assert "Reject the booking?" in confirm
    assert "The booker is told, with your reason." in confirm
    assert 'name="reason"' in confirm
    assert "Yes, reject the booking" in confirm
    assert "No, keep it pending" in confirm
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


def test_confirming_the_rejection_rejects_tells_the_booker_and_goes_back(client, signed_in_manager, space):
    booking = BookingFactory(space=space, status=Booking.Status.PENDING)

    response = client.post(
        f"/manage/bookings/{booking.pk}/reject/", {"reason": "The hall is repainted", "next": "/manage/approvals/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/manage/approvals/"
    booking.refresh_from_db()
    assert (booking.status, booking.decision_reason) == (Booking.Status.REJECTED, "The hall is repainted")
    assert Notification.objects.filter(recipient=booking.requested_by, kind=Notification.Kind.BOOKING_REJECTED).exists()


def test_a_blank_reason_shows_the_confirmation_again_with_the_error(client, signed_in_manager, space):
    booking = BookingFactory(space=space, status=Booking.Status.PENDING)

    body = body_of(client.post(f"/manage/bookings/{booking.pk}/reject/", {"reason": "  "}), status=400)

    assert "Reject the booking?" in body
    assert "Say why the booking is rejected; the booker reads it." in body
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


def test_the_reject_confirmation_is_refused_as_the_rejection_is(client, signed_in_manager, space, art_center):
    elsewhere = BookingFactory(space=SpaceFactory(facility=art_center), status=Booking.Status.PENDING)
    decided = BookingFactory(space=space, status=Booking.Status.APPROVED)

    for booking, status in ((elsewhere, 403), (decided, 409)):
        url = f"/manage/bookings/{booking.pk}/reject/"
        assert client.get(url).status_code == status
        assert client.post(url, {"reason": "No"}).status_code == status
    assert not Booking.objects.filter(status=Booking.Status.REJECTED).exists()


# --- rejecting a whole series ----------------------------------------------------------------------


def test_rejecting_a_series_lists_its_pending_dates_before_rejecting_them(client, signed_in_manager, space):
    booker = UserFactory()
    series = BookingSeries.objects.create(space=space, requested_by=booker, title="Weekly", weekdays=["MO"], count=3)
    first, second = (
        BookingFactory(space=space, requested_by=booker, series=series, status=Booking.Status.PENDING, start=start)
        for start in (seoul(2026, 12, 7, 14), seoul(2026, 12, 14, 14))
    )
    approved = BookingFactory(
        space=space, requested_by=booker, series=series, status=Booking.Status.APPROVED, start=seoul(2026, 12, 21, 14)
    )
    url = f"/manage/bookings/{first.pk}/series/"

    detail = body_of(client.get(f"/bookings/{first.pk}/"))
    confirm = body_of(client.get(url))

    assert f'href="{url}"' in detail
    assert "These 2 pending dates are rejected:" in confirm
    assert "2026-12-07 (Mon) 14:00" in confirm and "2026-12-14 (Mon) 14:00" in confirm
    assert "2026-12-21" not in confirm
    assert "Yes, reject these 2 dates" in confirm
    assert not Booking.objects.filter(status=Booking.Status.REJECTED).exists()

    refused = client.post(url, {"decision": "reject", "reason": ""})
    done = client.post(url, {"decision": "reject", "reason": "The room is out of service"})

    assert refused.status_code == 400
    assert "Say why the booking is rejected" in refused.content.decode()
    assert done.status_code == 302
    statuses = [Booking.objects.get(pk=b.pk).status for b in (first, second, approved)]
    assert statuses == [Booking.Status.REJECTED, Booking.Status.REJECTED, Booking.Status.APPROVED]


# --- closures ------------------------------------------------------------------------------------


def test_cancelling_for_a_closure_first_lists_the_bookings_their_bookers_and_the_refunds(
    client, signed_in_manager, space
):
    closure = ClosureFactory(space=space, start=seoul(2026, 12, 8), reason="Water leak")
    paid_by = UserFactory(name="Kim Paid")
    paid = BookingFactory(
        space=space,
        requested_by=paid_by,
        title="Paid seminar",
        start=seoul(2026, 12, 8, 10),
        fee=20_000,
        amount_due=20_000,
        payment_status=Booking.PaymentStatus.PAID,
    )
    free = BookingFactory(space=space, title="Free meeting", start=seoul(2026, 12, 8, 14))
    url = f"/manage/closures/{closure.pk}/cancel-bookings/"

    detail = body_of(client.get(f"/manage/closures/{closure.pk}/"))
    confirm = body_of(client.get(url))

    assert f'action="{url}"' not in detail
    assert f'href="{url}"' in detail
    assert "Cancel the bookings the closure hits?" in confirm
    assert "Paid seminar" in confirm and "Free meeting" in confirm
    assert str(paid_by) in confirm and str(free.requested_by) in confirm
    assert "What was paid is refunded in full: 20,000 won in all" in confirm
    assert "Yes, cancel these 2 bookings and tell the bookers" in confirm
    assert not Booking.objects.filter(status=Booking.Status.CANCELLED).exists()

    assert client.post(url).status_code == 302

    paid.refresh_from_db()
    assert (paid.status, paid.refund_amount) == (Booking.Status.CANCELLED, 20_000)


def test_removing_a_closure_asks_first(client, signed_in_manager, space, art_center):
    closure = ClosureFactory(space=space)
    elsewhere = ClosureFactory(facility=art_center)
    url = f"/manage/closures/{closure.pk}/delete/"

    detail = body_of(client.get(f"/manage/closures/{closure.pk}/"))
    confirm = body_of(client.get(url))

    assert f'action="{url}"' not in detail and f'href="{url}"' in detail
    assert "Remove the closure?" in confirm
    assert "The space can be booked again in this period." in confirm
    assert client.get(f"/manage/closures/{elsewhere.pk}/delete/").status_code == 403
    assert Closure.objects.count() == 2

    assert client.post(url).status_code == 302
    assert not Closure.objects.filter(pk=closure.pk).exists()


# --- the waiting list ----------------------------------------------------------------------------


def _offer(space, user, **fields):
    booking = BookingFactory(
        space=space,
        requested_by=user,
        status=Booking.Status.OFFERED,
        offer_expires_at=FROZEN_NOW + timedelta(hours=24),
        **fields,
    )
    WaitlistEntry.objects.create(
        space=space,
        start=booking.start,
        end=booking.end,
        requested_by=user,
        title=booking.title,
        attendees=1,
        status=WaitlistEntry.Status.OFFERED,
        offer=booking,
    )
    return booking


def test_declining_an_offer_asks_first(client, member, space):
    offer = _offer(space, member)
    url = f"/bookings/{offer.pk}/offer/"

    confirm = body_of(client.get(url))

    assert "Decline the offer?" in confirm
    assert "The time goes to the next person on the waiting list." in confirm
    assert 'name="answer" value="decline"' in confirm
    assert "No, keep the offer" in confirm
    offer.refresh_from_db()
    assert offer.status == Booking.Status.OFFERED

    assert client.post(url, {"answer": "decline"}).status_code == 302
    offer.refresh_from_db()
    assert offer.status == Booking.Status.CANCELLED


def test_the_decline_confirmation_is_refused_as_declining_is(client, member, signed_in_manager, space):
    someone_elses = _offer(space, UserFactory(), start=seoul(2026, 12, 8, 10))
    closed = _offer(space, member, start=seoul(2026, 12, 9, 10))
    Booking.objects.filter(pk=closed.pk).update(status=Booking.Status.CANCELLED)

    # The manager sees the booker's offer but may not answer it.
    url = f"/bookings/{someone_elses.pk}/offer/"
    assert client.get(url).status_code == client.post(url, {"answer": "decline"}).status_code == 403
    client.force_login(member)
    url = f"/bookings/{closed.pk}/offer/"
    assert client.get(url).status_code == client.post(url, {"answer": "decline"}).status_code == 409


def test_leaving_the_waiting_list_asks_first(client, member, space):
    entry = WaitlistEntry.objects.create(
        space=space,
        start=seoul(2026, 12, 7, 10),
        end=seoul(2026, 12, 7, 11),
        requested_by=member,
        title="Hoping",
        attendees=1,
    )
    url = f"/waitlist/{entry.pk}/leave/"

    mine = body_of(client.get("/bookings/"))
    confirm = body_of(client.get(url))

    assert f'action="{url}"' not in mine and f'href="{url}"' in mine
    assert "Leave the waiting list?" in confirm
    assert "If this time frees, it is no longer offered to you." in confirm
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING

    assert client.post(url).status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT
    # Gone from the list: there is nothing left to confirm.
    assert client.get(url).status_code == 409


def test_someone_elses_place_on_the_waiting_list_is_unknown(client, member, space):
    entry = WaitlistEntry.objects.create(
        space=space,
        start=seoul(2026, 12, 7, 10),
        end=seoul(2026, 12, 7, 11),
        requested_by=UserFactory(),
        title="Theirs",
        attendees=1,
    )

    assert client.get(f"/waitlist/{entry.pk}/leave/").status_code == 404
    assert client.post(f"/waitlist/{entry.pk}/leave/").status_code == 404


# --- the calendar address ------------------------------------------------------------------------


def test_changing_the_calendar_address_asks_first(client, member):
    mine = body_of(client.get("/bookings/"))
    token = CalendarFeed.objects.get(user=member).token

    confirm = body_of(client.get("/calendar/rotate/"))

    assert 'action="/calendar/rotate/"' not in mine and 'href="/calendar/rotate/"' in mine
    assert "Change the calendar address?" in confirm
    assert "The current address stops working at once" in confirm
    assert "No, keep the current address" in confirm
    assert CalendarFeed.objects.get(user=member).token == token
    assert client.get(f"/calendar/{token}.ics").status_code == 200
