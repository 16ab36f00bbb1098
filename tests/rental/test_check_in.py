"""Check-in by the space's QR code, from 15 minutes before to 30 minutes after the start; bookings nobody
checked in to become no-shows, their remaining time freed, and too many no-shows need approval."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from bookings import services, tasks, waitlist
from bookings.models import Booking, CalendarFeed, WaitlistEntry
from dongnam.celery import app as celery_app
from notifications.models import Notification
from tenants.models import Membership
from tests.factories import BookingFactory, SpaceFactory, seoul
from tests.rental.factories import MONDAY_10, api_for, book, client_for, org_of

SLOT_END = MONDAY_10 + timedelta(hours=2)


@pytest.fixture
def check_in_room(town):
    """Free, confirmed at once, check-in required; bookable on a 5-minute grid up to the last minute."""
    return SpaceFactory(
        facility=town,
        slug="rental-check-in-room",
        capacity=20,
        requires_check_in=True,
        requires_approval=False,
        slot_minutes=5,
        min_duration_minutes=5,
        min_notice_minutes=0,
    )


@pytest.fixture
def booking(check_in_room, member):
    """The member's approved booking, Monday 2026-12-07 10:00–12:00."""
    return book(member, check_in_room)


def check_in_at(clock, moment, booking, user):
    clock.move_to(moment)
    return services.check_in(booking=booking, user=user)


def refusal(call, **kwargs) -> services.BookingError:
    with pytest.raises(services.BookingError) as error:
        call(**kwargs)
    return error.value


# --- the window -------------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [-15, -1, 0, 29, 30])
def test_check_in_is_open_from_15_minutes_before_to_30_after_the_start(booking, member, clock, minutes):
    moment = MONDAY_10 + timedelta(minutes=minutes)

    checked = check_in_at(clock, moment, booking, member)

    checked.refresh_from_db()
    assert checked.checked_in_at == moment


@pytest.mark.parametrize("minutes", [-16, 31, -24 * 60])
def test_check_in_outside_the_window_is_refused(booking, member, clock, minutes):
    clock.move_to(MONDAY_10 + timedelta(minutes=minutes))

    error = refusal(services.check_in, booking=booking, user=member)

    assert error.code == "check_in_window"
    assert error.message == "Check-in is open from 09:45 to 10:30."
    booking.refresh_from_db()
    assert booking.checked_in_at is None


def test_a_colleague_of_the_booker_can_check_in(booking, colleague, clock):
    checked = check_in_at(clock, MONDAY_10, booking, colleague)

    assert checked.checked_in_at == MONDAY_10


@pytest.mark.parametrize("who", ["stranger", "manager"])
def test_only_the_booker_and_their_organization_can_check_in(booking, clock, who, request):
    clock.move_to(MONDAY_10)

    error = refusal(services.check_in, booking=booking, user=request.getfixturevalue(who))

    assert error.code == "not_allowed"
    booking.refresh_from_db()
    assert booking.checked_in_at is None


def test_a_pending_booking_cannot_be_checked_in(town, check_in_room, member, clock):
    check_in_room.requires_approval = True
    check_in_room.save()
    pending = book(member, check_in_room)
    clock.move_to(MONDAY_10)

    assert refusal(services.check_in, booking=pending, user=member).code == "invalid_state"


def test_checking_in_twice_keeps_the_first_time(booking, member, colleague, clock):
    check_in_at(clock, MONDAY_10 - timedelta(minutes=5), booking, member)

    again = check_in_at(clock, MONDAY_10 + timedelta(minutes=5), booking, colleague)

    assert again.checked_in_at == MONDAY_10 - timedelta(minutes=5)


def test_the_api_checks_in(booking, member, clock):
    clock.move_to(MONDAY_10 - timedelta(minutes=10))

    response = api_for(member).post(f"/api/v1/bookings/{booking.pk}/check-in/", format="json")

    assert response.status_code == 200, response.json()
    booking.refresh_from_db()
    assert booking.checked_in_at == MONDAY_10 - timedelta(minutes=10)


def test_the_api_refuses_a_check_in_too_early_with_its_code(booking, member, clock):
    clock.move_to(MONDAY_10 - timedelta(minutes=16))

    response = api_for(member).post(f"/api/v1/bookings/{booking.pk}/check-in/", format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "check_in_window"


# --- no-shows ---------------------------------------------------------------------------------------


def test_no_shows_are_marked_every_five_minutes():
    schedule = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}

    assert schedule["bookings.tasks.mark_no_shows"].minute == set(range(0, 60, 5))


def test_thirty_minutes_after_the_start_a_booking_is_not_yet_a_no_show(booking, clock):
    clock.move_to(MONDAY_10 + timedelta(minutes=30))

    assert tasks.mark_no_shows.delay().get() == 0

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED


def test_a_booking_nobody_checked_in_to_becomes_a_no_show_after_thirty_minutes(booking, clock):
    clock.move_to(MONDAY_10 + timedelta(minutes=30, seconds=1))

    assert tasks.mark_no_shows.delay().get() == 1

    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW


def test_a_checked_in_booking_is_never_a_no_show(booking, member, clock):
    check_in_at(clock, MONDAY_10 + timedelta(minutes=30), booking, member)
    clock.move_to(MONDAY_10 + timedelta(minutes=45))

    assert services.mark_no_shows() == 0

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED


def test_a_space_without_check_in_has_no_no_shows(free_room, member, clock):
    booking = book(member, free_room)
    clock.move_to(MONDAY_10 + timedelta(minutes=45))

    assert services.mark_no_shows() == 0

    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED


def test_a_pending_booking_is_not_a_no_show(check_in_room, member, clock):
    pending = BookingFactory(space=check_in_room, requested_by=member, status=Booking.Status.PENDING)
    clock.move_to(pending.start + timedelta(minutes=45))

    assert services.mark_no_shows() == 0

    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING


def test_the_rest_of_a_no_shows_time_can_be_booked(booking, check_in_room, stranger, clock):
    now = MONDAY_10 + timedelta(minutes=35)
    clock.move_to(now)
    with pytest.raises(services.BookingError) as error:
        book(stranger, check_in_room, now, end=SLOT_END)
    assert error.value.code == "slot_taken"

    services.mark_no_shows()

    walk_in = book(stranger, check_in_room, now, end=SLOT_END)
    assert walk_in.status == Booking.Status.APPROVED


def test_the_waiting_list_is_offered_the_rest_of_a_no_shows_time(booking, check_in_room, stranger, clock):
    entry = waitlist.join_waitlist(
        user=stranger,
        space=check_in_room,
        start=MONDAY_10 + timedelta(hours=1),
        end=SLOT_END,
        title="Late",
        attendees=2,
    )
    clock.move_to(MONDAY_10 + timedelta(minutes=35))

    services.mark_no_shows()

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert entry.offer.status == Booking.Status.OFFERED
    assert (entry.offer.start, entry.offer.end) == (MONDAY_10 + timedelta(hours=1), SLOT_END)


def test_the_booker_is_told_of_the_no_show(booking, member, clock, run_on_commit, mailoutbox):
    clock.move_to(MONDAY_10 + timedelta(minutes=35))

    with run_on_commit():
        services.mark_no_shows()

    kinds = set(Notification.objects.filter(recipient=member).values_list("kind", flat=True))
    assert Notification.Kind.NO_SHOW in kinds
    assert "[Dongnam] No-show recorded" in [mail.subject for mail in mailoutbox]


def test_a_booking_that_has_ended_is_left_alone(booking, clock):
    clock.move_to(SLOT_END + timedelta(minutes=1))

    assert services.mark_no_shows() == 0


# --- the no-show limit ------------------------------------------------------------------------------


def no_shows(organization, space, count, *, days_ago=7):
    user = Membership.objects.filter(organization=organization).first().user
    for number in range(count):
        start = MONDAY_10 - timedelta(days=days_ago + number)
        BookingFactory(
            space=space,
            requested_by=user,
            organization=organization,
            start=start,
            end=start + timedelta(hours=1),
            status=Booking.Status.NO_SHOW,
        )


@pytest.fixture
def limit(town):
    town.no_show_limit = 2
    town.save()
    return town


def test_below_the_no_show_limit_an_instant_room_still_confirms_at_once(limit, check_in_room, instant_room, member):
    no_shows(org_of(member), check_in_room, 1)

    assert book(member, instant_room).status == Booking.Status.APPROVED


def test_at_the_no_show_limit_an_instant_room_booking_waits_for_approval(limit, check_in_room, instant_room, member):
    no_shows(org_of(member), check_in_room, 2)

    booking = book(member, instant_room)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    assert booking.payment_deadline is None


def test_the_no_show_limit_counts_the_whole_organization(limit, check_in_room, instant_room, member, colleague):
    no_shows(org_of(member), check_in_room, 2)

    assert book(colleague, instant_room).status == Booking.Status.PENDING


def test_another_organization_is_not_held_by_someone_elses_no_shows(
    limit, check_in_room, instant_room, member, stranger
):
    no_shows(org_of(member), check_in_room, 3)

    assert book(stranger, instant_room).status == Booking.Status.APPROVED


def test_no_shows_older_than_90_days_are_forgiven(limit, check_in_room, instant_room, member):
    no_shows(org_of(member), check_in_room, 2, days_ago=100)

    assert book(member, instant_room).status == Booking.Status.APPROVED


def test_without_a_limit_no_shows_change_nothing(check_in_room, instant_room, member):
    no_shows(org_of(member), check_in_room, 5)

    assert book(member, instant_room).status == Booking.Status.APPROVED


def test_no_shows_marked_by_the_sweep_count_toward_the_limit(limit, check_in_room, instant_room, member, clock):
    for day in (7, 8):
        book(member, check_in_room, seoul(2026, 12, day, 10))
        clock.move_to(seoul(2026, 12, day, 10, 35))
        services.mark_no_shows()

    assert book(member, instant_room, seoul(2026, 12, 14, 10)).status == Booking.Status.PENDING


def test_the_approval_queue_shows_the_bookers_no_shows(limit, check_in_room, room, member, manager_client):
    no_shows(org_of(member), check_in_room, 2)
    book(member, room, title="After two no-shows")

    body = manager_client.get("/manage/approvals/").content.decode()

    [row] = [row for row in body.split("<tr>") if "After two no-shows" in row]
    assert "2 no-shows" in row


def test_the_approval_queue_shows_no_no_show_badge_for_a_reliable_booker(room, member, manager_client):
    book(member, room, title="Reliable")

    body = manager_client.get("/manage/approvals/").content.decode()

    assert "Reliable" in body
    assert "no-show" not in body


# --- the QR code and its page --------------------------------------------------------------------------


def test_the_manager_prints_the_qr_code_of_a_space(check_in_room, manager_client):
    response = manager_client.get(f"/manage/spaces/{check_in_room.slug}/qr/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "</svg>" in body
    assert f"http://testserver/spaces/{check_in_room.slug}/check-in/" in body


def test_a_manager_of_another_facility_gets_no_qr_code(check_in_room, other_manager_client):
    response = other_manager_client.get(f"/manage/spaces/{check_in_room.slug}/qr/")

    assert response.status_code == 403


def test_a_booker_gets_no_qr_code_page(check_in_room, member_client):
    assert member_client.get(f"/manage/spaces/{check_in_room.slug}/qr/").status_code == 403


def test_the_qr_codes_page_checks_the_booker_in(booking, check_in_room, member, clock):
    client = client_for(member)
    url = f"/spaces/{check_in_room.slug}/check-in/"
    clock.move_to(MONDAY_10 - timedelta(minutes=10))

    page = client.get(url).content.decode()
    assert "Check in now" in page
    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == url
    booking.refresh_from_db()
    assert booking.checked_in_at == MONDAY_10 - timedelta(minutes=10)
    assert "Checked in at 09:50." in client.get(url).content.decode()


def test_the_qr_codes_page_lets_a_colleague_check_in(booking, check_in_room, colleague, clock):
    clock.move_to(MONDAY_10 + timedelta(minutes=20))

    client_for(colleague).post(f"/spaces/{check_in_room.slug}/check-in/")

    booking.refresh_from_db()
    assert booking.checked_in_at == MONDAY_10 + timedelta(minutes=20)


def test_the_qr_codes_page_before_the_window_has_nothing_to_check_in(booking, check_in_room, member, clock):
    clock.move_to(MONDAY_10 - timedelta(minutes=16))
    client = client_for(member)

    page = client.get(f"/spaces/{check_in_room.slug}/check-in/").content.decode()
    client.post(f"/spaces/{check_in_room.slug}/check-in/")

    assert "You have no booking here whose check-in is open now" in page
    booking.refresh_from_db()
    assert booking.checked_in_at is None


def test_the_qr_codes_page_does_not_check_in_someone_elses_booking(booking, check_in_room, stranger, clock):
    clock.move_to(MONDAY_10)

    client_for(stranger).post(f"/spaces/{check_in_room.slug}/check-in/")

    booking.refresh_from_db()
    assert booking.checked_in_at is None


def test_the_qr_codes_page_asks_to_sign_in(check_in_room, client):
    response = client.get(f"/spaces/{check_in_room.slug}/check-in/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_personal_calendar_feed_shows_a_no_show_as_cancelled(booking, member, clock):
    clock.move_to(MONDAY_10 + timedelta(minutes=35))
    services.mark_no_shows()
    feed = CalendarFeed.objects.create(user=member)

    response = client_for(member).get(f"/calendar/{feed.token}.ics")

    assert response.status_code == 200
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert (str(event["status"]), event.decoded("dtstart")) == ("CANCELLED", MONDAY_10)
