"""The waiting list of a taken slot: when the slot frees, the first in line is offered it, held for them
until they accept, decline or let the offer expire; then it passes to the next in line."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from icalendar import Calendar

from bookings import services, tasks, waitlist
from bookings.models import Booking, CalendarFeed, WaitlistEntry
from dongnam.celery import app as celery_app
from notifications import services as notifications
from notifications.models import Notification
from tests.factories import ClosureFactory, seoul
from tests.rental.factories import (
    MONDAY_10,
    api_for,
    book,
    client_for,
    member_of,
    org_of,
    organization_member,
)

SLOT_END = MONDAY_10 + timedelta(hours=2)
OFFER_HOURS = 24


def join(user, space, start=MONDAY_10, end=SLOT_END, **extra):
    extra.setdefault("title", "Waiting for the room")
    extra.setdefault("attendees", 3)
    return waitlist.join_waitlist(user=user, space=space, start=start, end=end, **extra)


def offer_of(user) -> Booking | None:
    return Booking.objects.filter(requested_by=user, status=Booking.Status.OFFERED).first()


def error_of(call, *args, **kwargs) -> services.BookingError:
    with pytest.raises(services.BookingError) as error:
        call(*args, **kwargs)
    return error.value


@pytest.fixture
def taken(room, member):
    """The member's pending booking of the room, Monday 2026-12-07 10:00–12:00."""
    return book(member, room)


@pytest.fixture
def waiter(db):
    return organization_member(name_en="Waiting Works")


@pytest.fixture
def second_waiter(db):
    return organization_member(name_en="Second Studio")


@pytest.fixture
def entry(taken, room, waiter):
    return join(waiter, room)


# --- joining --------------------------------------------------------------------------------------


def test_a_free_slot_cannot_be_waited_for(room, waiter):
    error = error_of(join, waiter, room)

    assert error.code == "slot_free"
    assert not WaitlistEntry.objects.exists()


def test_a_taken_slot_can_be_waited_for(taken, room, waiter):
    entry = join(waiter, room)

    assert entry.status == WaitlistEntry.Status.WAITING
    assert (entry.start, entry.end, entry.organization) == (MONDAY_10, SLOT_END, org_of(waiter))


def test_a_slot_overlapping_a_booking_can_be_waited_for(taken, room, waiter):
    entry = join(waiter, room, MONDAY_10 + timedelta(hours=1), SLOT_END + timedelta(hours=1))

    assert entry.status == WaitlistEntry.Status.WAITING


def test_joining_the_same_slot_twice_is_refused(entry, room, waiter):
    error = error_of(join, waiter, room)

    assert error.code == "already_waiting"
    assert WaitlistEntry.objects.count() == 1


def test_the_database_refuses_a_second_open_entry_for_the_same_slot(entry):
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(
            space=entry.space,
            start=entry.start,
            end=entry.end,
            requested_by=entry.requested_by,
            title="Again",
            attendees=1,
        )


def test_after_leaving_the_list_one_can_join_again(entry, room, waiter):
    waitlist.leave_waitlist(entry=entry, user=waiter)

    again = join(waiter, room)

    assert again.pk != entry.pk
    assert WaitlistEntry.objects.filter(status=WaitlistEntry.Status.LEFT).count() == 1


def test_the_rules_of_the_space_apply_to_the_waiting_list(taken, room, waiter):
    error = error_of(join, waiter, room, attendees=room.capacity + 1)

    assert error.code == "over_capacity"


# --- the freed slot is offered ----------------------------------------------------------------------


def cancel_by_booker(booking, member, manager, clock):
    services.cancel_booking(booking=booking, user=member)


def cancel_by_manager(booking, member, manager, clock):
    services.cancel_booking(booking=booking, user=manager, reason="Double booking")


def reject(booking, member, manager, clock):
    services.reject_booking(booking=booking, manager=manager, reason="Reserved for a hall event")


def not_paid_in_time(booking, member, manager, clock):
    services.approve_booking(booking=booking, manager=manager)
    clock.move_to(seoul(2026, 12, 3, 9) + timedelta(seconds=1))
    services.cancel_unpaid_bookings()


@pytest.mark.parametrize("free_it", [cancel_by_booker, cancel_by_manager, reject, not_paid_in_time])
def test_when_the_slot_frees_the_first_in_line_is_offered_it(
    free_it, taken, entry, member, manager, waiter, clock, run_on_commit
):
    with run_on_commit():
        free_it(taken, member, manager, clock)

    offer = offer_of(waiter)
    assert offer is not None
    assert (offer.space, offer.start, offer.end, offer.organization) == (
        taken.space,
        MONDAY_10,
        SLOT_END,
        org_of(waiter),
    )
    assert offer.offer_expires_at == offer.created + timedelta(hours=OFFER_HOURS)
    entry.refresh_from_db()
    assert (entry.status, entry.offer) == (WaitlistEntry.Status.OFFERED, offer)
    notified = Notification.objects.filter(kind=Notification.Kind.WAITLIST_OFFER, recipient=waiter)
    assert {n.channel for n in notified} == {"email", "in_app"}
    assert all(n.subject == offer for n in notified)


def test_the_offer_mail_says_until_when_the_time_is_held(taken, entry, member, waiter, run_on_commit, mailoutbox):
    with run_on_commit():
        services.cancel_booking(booking=taken, user=member)

    mails = [mail for mail in mailoutbox if mail.to == [waiter.email]]
    assert [mail.subject for mail in mails] == ["[Dongnam] A time you waited for is free"]
    assert "held for you until 2026-12-02 (Wed) 09:00" in mails[0].body


def test_the_offer_holds_the_slot_against_anyone_else(taken, entry, member, stranger, room):
    services.cancel_booking(booking=taken, user=member)

    error = error_of(book, stranger, room)

    assert error.code == "slot_taken"
    assert Booking.objects.filter(space=room, status__in=Booking.ACTIVE_STATUSES).count() == 1


def test_the_first_to_join_is_offered_first(taken, entry, member, room, waiter, second_waiter):
    join(second_waiter, room)

    services.cancel_booking(booking=taken, user=member)

    assert offer_of(waiter) is not None
    assert offer_of(second_waiter) is None


def test_a_closure_cancelling_the_booking_offers_nothing(taken, entry, manager, waiter, room):
    closure = ClosureFactory(space=room, start=MONDAY_10, end=SLOT_END)

    services.cancel_bookings_hit_by_closure(closure=closure, manager=manager)

    assert offer_of(waiter) is None
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING


def test_someone_waiting_for_a_slot_still_partly_taken_is_passed_over(room, member, stranger, waiter, second_waiter):
    first = book(member, room, MONDAY_10, hours=1)
    book(stranger, room, MONDAY_10 + timedelta(hours=1), hours=1)
    join(waiter, room, MONDAY_10, SLOT_END)
    join(second_waiter, room, MONDAY_10, MONDAY_10 + timedelta(hours=1))

    services.cancel_booking(booking=first, user=member)

    assert offer_of(waiter) is None
    assert offer_of(second_waiter) is not None


# --- answering the offer -----------------------------------------------------------------------------


@pytest.fixture
def offer(taken, entry, member, waiter):
    services.cancel_booking(booking=taken, user=member)
    return offer_of(waiter)


def test_accepting_in_time_makes_a_pending_booking_with_its_fee(offer, waiter, clock):
    clock.move_to(offer.offer_expires_at - timedelta(seconds=1))

    booking = waitlist.accept_offer(booking=offer, user=waiter)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    assert (booking.fee, booking.amount_due, booking.payment_status) == (30_000, 30_000, "unpaid")
    assert booking.offer_expires_at is None
    assert WaitlistEntry.objects.get(offer=booking).status == WaitlistEntry.Status.BOOKED


def test_accepting_an_offer_of_a_room_that_confirms_at_once_approves_it_with_a_deadline(
    instant_room, member, waiter, clock
):
    taken = book(member, instant_room)
    join(waiter, instant_room)
    services.cancel_booking(booking=taken, user=member)
    clock.move_to(seoul(2026, 12, 1, 15))

    booking = waitlist.accept_offer(booking=offer_of(waiter), user=waiter)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED
    assert booking.payment_deadline == seoul(2026, 12, 3, 15)


def test_accepting_at_the_expiry_is_too_late(offer, waiter, clock):
    clock.move_to(offer.offer_expires_at)

    error = error_of(waitlist.accept_offer, booking=offer, user=waiter)

    assert error.code == "offer_expired"
    offer.refresh_from_db()
    assert offer.status == Booking.Status.OFFERED


def test_someone_else_cannot_accept_the_offer(offer, stranger, member):
    for other in (stranger, member):
        error = error_of(waitlist.accept_offer, booking=offer, user=other)
        assert error.code == "not_allowed"
    offer.refresh_from_db()
    assert offer.status == Booking.Status.OFFERED


def test_an_accepted_offer_cannot_be_accepted_or_declined_again(offer, waiter):
    waitlist.accept_offer(booking=offer, user=waiter)

    assert error_of(waitlist.accept_offer, booking=offer, user=waiter).code == "invalid_state"
    assert error_of(waitlist.decline_offer, booking=offer, user=waiter).code == "invalid_state"


def test_declining_passes_the_slot_to_the_next_in_line(offer, room, waiter, second_waiter):
    join(second_waiter, room)

    waitlist.decline_offer(booking=offer, user=waiter)

    offer.refresh_from_db()
    assert offer.status == Booking.Status.CANCELLED
    assert WaitlistEntry.objects.get(requested_by=waiter).status == WaitlistEntry.Status.LEFT
    assert offer_of(second_waiter) is not None


def test_cancelling_the_offer_from_my_bookings_works_like_declining_it(offer, room, waiter, second_waiter):
    join(second_waiter, room)
    client = client_for(waiter)
    assert f"/bookings/{offer.pk}/cancel/" in client.get("/bookings/").content.decode()

    client.post(f"/bookings/{offer.pk}/cancel/")

    offer.refresh_from_db()
    assert offer.status == Booking.Status.CANCELLED
    assert WaitlistEntry.objects.get(requested_by=waiter).status == WaitlistEntry.Status.LEFT
    assert offer_of(second_waiter) is not None
    assert join(waiter, room).status == WaitlistEntry.Status.WAITING


def test_declining_with_nobody_else_waiting_frees_the_slot(offer, waiter, stranger, room):
    waitlist.decline_offer(booking=offer, user=waiter)

    assert book(stranger, room).status == Booking.Status.PENDING


def test_taking_an_offer_cannot_pass_the_organizations_monthly_quota(town, offer, room, waiter):
    town.monthly_quota_hours = 3
    town.save()
    book(member_of(org_of(waiter)), room, MONDAY_10 + timedelta(days=1), hours=2)

    error = error_of(waitlist.accept_offer, booking=offer, user=waiter)

    assert error.code == "quota_exceeded"


# --- offers not taken in time --------------------------------------------------------------------------


def test_offers_are_expired_every_five_minutes():
    tasks_scheduled = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}

    assert tasks_scheduled["bookings.tasks.expire_waitlist_offers"] == 300.0


def test_an_offer_is_kept_until_its_expiry(offer, clock):
    clock.move_to(offer.offer_expires_at - timedelta(seconds=1))

    assert tasks.expire_waitlist_offers.delay().get() == 0

    offer.refresh_from_db()
    assert offer.status == Booking.Status.OFFERED


def test_an_expired_offer_passes_to_the_next_in_line(offer, room, waiter, second_waiter, clock, run_on_commit):
    join(second_waiter, room)
    clock.move_to(offer.offer_expires_at)

    with run_on_commit():
        assert tasks.expire_waitlist_offers.delay().get() == 1

    offer.refresh_from_db()
    assert offer.status == Booking.Status.CANCELLED
    assert WaitlistEntry.objects.get(requested_by=waiter).status == WaitlistEntry.Status.EXPIRED
    passed_on = offer_of(second_waiter)
    assert passed_on is not None
    assert passed_on.offer_expires_at == offer.offer_expires_at + timedelta(hours=OFFER_HOURS)
    assert Notification.objects.filter(kind=Notification.Kind.WAITLIST_OFFER, recipient=second_waiter).exists()


def test_an_expired_offer_with_nobody_else_waiting_frees_the_slot(offer, stranger, room, clock):
    clock.move_to(offer.offer_expires_at + timedelta(minutes=5))
    waitlist.expire_offers()

    assert book(stranger, room).status == Booking.Status.PENDING


def test_an_offer_mail_of_an_offer_no_longer_open_is_not_sent(offer, waiter, clock, mailoutbox):
    waitlist.decline_offer(booking=offer, user=waiter)
    email = Notification.objects.get(kind=Notification.Kind.WAITLIST_OFFER, channel="email")

    assert notifications.deliver(email.pk) == Notification.Status.SKIPPED
    assert mailoutbox == []


# --- the pages -----------------------------------------------------------------------------------------


def test_the_booking_page_offers_accept_and_decline_to_the_offered_user(offer, waiter):
    body = client_for(waiter).get(offer.get_absolute_url()).content.decode()

    assert "This time is offered to you" in body
    assert "It is held for you until 2026-12-02 09:00." in body
    # Taking it is one click; declining leads to a confirmation first.
    assert 'value="accept"' in body
    assert f'href="/bookings/{offer.pk}/offer/"' in body
    assert 'value="decline"' not in body


def test_the_manager_sees_the_offer_without_the_buttons(offer, manager_client):
    body = manager_client.get(offer.get_absolute_url()).content.decode()

    assert "Offered from the waiting list" in body
    assert 'value="accept"' not in body


def test_taking_the_offer_on_the_booking_page(offer, waiter):
    client = client_for(waiter)

    response = client.post(f"/bookings/{offer.pk}/offer/", {"answer": "accept"})

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == Booking.Status.PENDING
    assert "The time is yours." in client.get(response["Location"]).content.decode()


def test_declining_the_offer_on_the_booking_page(offer, waiter):
    response = client_for(waiter).post(f"/bookings/{offer.pk}/offer/", {"answer": "decline"})

    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == Booking.Status.CANCELLED


def test_the_form_offers_the_waiting_list_when_the_slot_is_taken_and_joins_it(taken, room, waiter):
    client = client_for(waiter)
    form = {"title": "Our demo", "date": "2026-12-07", "start_time": "10:00", "end_time": "12:00", "attendees": "3"}

    refused = client.post(f"/spaces/{room.slug}/book/", form)
    assert refused.status_code == 409
    assert "Join the waiting list for this time" in refused.content.decode()

    joined = client.post(f"/spaces/{room.slug}/book/", {**form, "waitlist": "1"})

    assert joined.status_code == 302
    assert joined["Location"] == "/bookings/"
    entry = WaitlistEntry.objects.get(requested_by=waiter)
    assert (entry.start, entry.end, entry.title) == (MONDAY_10, SLOT_END, "Our demo")
    assert "Our demo" in client.get("/bookings/").content.decode()


def test_the_form_does_not_offer_the_waiting_list_for_other_refusals(room, waiter):
    response = client_for(waiter).post(
        f"/spaces/{room.slug}/book/",
        {"title": "Sunday", "date": "2026-12-06", "start_time": "10:00", "end_time": "12:00", "attendees": "3"},
    )

    assert response.status_code == 400
    assert "Join the waiting list" not in response.content.decode()


# --- the API -------------------------------------------------------------------------------------------


def waitlist_body(room, **changes):
    return {
        "space": room.slug,
        "title": "Waiting",
        "attendees": 2,
        "start": "2026-12-07T10:00:00+09:00",
        "end": "2026-12-07T12:00:00+09:00",
        **changes,
    }


def test_the_api_joins_the_waiting_list_once(taken, room, waiter):
    client = api_for(waiter)

    first = client.post("/api/v1/bookings/waitlist/", waitlist_body(room), format="json")
    second = client.post("/api/v1/bookings/waitlist/", waitlist_body(room), format="json")

    assert first.status_code == 201
    assert first.json() == {"id": WaitlistEntry.objects.get().pk}
    assert second.status_code == 400
    assert second.json()["code"] == "already_waiting"


def test_the_api_refuses_to_wait_for_a_free_slot(room, waiter):
    response = api_for(waiter).post("/api/v1/bookings/waitlist/", waitlist_body(room), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "slot_free"


def test_the_api_accepts_an_offer(offer, waiter):
    response = api_for(waiter).post(f"/api/v1/bookings/{offer.pk}/accept-offer/", format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["fee"], data["payment_status"]) == ("pending", 30_000, "unpaid")


def test_the_api_refuses_an_expired_offer(offer, waiter, clock):
    clock.move_to(offer.offer_expires_at + timedelta(minutes=1))

    response = api_for(waiter).post(f"/api/v1/bookings/{offer.pk}/accept-offer/", format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "offer_expired"


def test_the_api_refuses_an_offer_to_a_colleague_of_the_offered_user(offer, waiter):
    colleague = member_of(org_of(waiter))

    response = api_for(colleague).post(f"/api/v1/bookings/{offer.pk}/accept-offer/", format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_the_api_hides_an_offer_from_strangers(offer, stranger):
    response = api_for(stranger).post(f"/api/v1/bookings/{offer.pk}/accept-offer/", format="json")

    assert response.status_code == 404


def test_the_api_declines_an_offer(offer, waiter, second_waiter, room):
    join(second_waiter, room)

    response = api_for(waiter).post(f"/api/v1/bookings/{offer.pk}/decline-offer/", format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert offer_of(second_waiter) is not None


def test_an_offered_booking_is_listed_with_its_status_in_the_api(offer, waiter):
    results = api_for(waiter).get("/api/v1/bookings/").json()["results"]

    assert [(b["id"], b["status"]) for b in results] == [(offer.pk, "offered")]


def test_the_personal_calendar_feed_shows_the_offer_as_tentative(offer, waiter):
    feed = CalendarFeed.objects.create(user=waiter)

    response = client_for(waiter).get(f"/calendar/{feed.token}.ics")

    assert response.status_code == 200
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert (str(event["status"]), event.decoded("dtstart")) == ("TENTATIVE", MONDAY_10)
