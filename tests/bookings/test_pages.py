"""The booking pages: a space's timeline and form, the booker's pages and the managers' pages."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from bookings.models import Booking, Closure
from tenants.models import Membership
from tests.factories import BookingFactory, ClosureFactory, SpaceFactory, UserFactory, enable_totp, seoul


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def org_of(user):
    return Membership.objects.get(user=user).organization


@pytest.fixture
def member(client, startup_member):
    client.force_login(english(startup_member))
    return startup_member


@pytest.fixture
def signed_in_manager(client, manager):
    enable_totp(english(manager))
    client.force_login(manager)
    return manager


def page(client, url, status=200, **params):
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def row_of(body, text):
    """The table row that mentions ``text``."""
    for row in re.findall(r"<tr>.*?</tr>", body, flags=re.S):
        if text in row:
            return row
    raise AssertionError(f"no row mentions {text!r}")


# --- a space's page ------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")
def test_the_space_page_shows_the_busy_times_of_the_day(client, space):
    BookingFactory(space=space, start=seoul(2026, 12, 7, 10), end=seoul(2026, 12, 7, 12), title="Board meeting")
    BookingFactory(space=space, start=seoul(2026, 12, 7, 14), end=seoul(2026, 12, 7, 15), status=Booking.Status.PENDING)

    body = page(client, f"/spaces/{space.slug}/", date="2026-12-07")

    assert 'id="timeline"' in body
    assert len(re.findall(r'class="sched-item sched-approved [^"]*"[^>]*title="10:00–12:00 Booked"', body)) == 1
    pending = re.findall(r'class="sched-item sched-pending[^"]*"[^>]*title="14:00–15:00 Awaiting approval"', body)
    assert len(pending) == 1
    free = re.findall(r'<li class="sched-agenda-free"><a [^>]*>Free (\S+)</a>', body)
    assert free == ["09:00–10:00", "12:00–14:00", "15:00–22:00"]
    assert "Board meeting" not in body


@pytest.mark.usefixtures("frozen_now")
def test_the_space_page_says_closed_on_sunday(client, space):
    body = page(client, f"/spaces/{space.slug}/", date="2026-12-06")

    assert 'class="sched-lane sched-lane-closed"' in body
    assert '<span class="sched-lane-note">Closed</span>' in body
    assert "sched-item sched-free" not in body


@pytest.mark.usefixtures("frozen_now")
def test_the_space_page_names_a_public_holiday_and_is_closed_then(client, space):
    body = page(client, f"/spaces/{space.slug}/", date="2026-12-25")

    assert "Christmas" in body
    assert '<span class="sched-lane-note">Closed · Christmas Day</span>' in body
    assert "sched-item sched-free" not in body


@pytest.mark.usefixtures("frozen_now")
def test_the_week_view_shows_seven_days_from_monday(client, space):
    BookingFactory(space=space, start=seoul(2026, 12, 9, 10), end=seoul(2026, 12, 9, 11))

    body = page(client, f"/spaces/{space.slug}/", date="2026-12-09", view="week")

    assert len(re.findall(r'<div class="sched-lane[ "]', body)) == 7
    assert "12/7 (Mon)" in body and "12/13 (Sun)" in body
    assert body.count('<span class="sched-lane-note">Closed</span>') == 1
    assert len(re.findall(r"sched-item sched-approved", body)) == 1


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "not-a-date"])
@pytest.mark.parametrize("view", ["day", "week"])
def test_a_date_outside_the_calendar_shows_today(client, space, day, view):
    body = page(client, f"/spaces/{space.slug}/", date=day, view=view)

    assert "12/1 (Tue)" in body


@pytest.mark.usefixtures("frozen_now")
def test_the_space_page_marks_the_members_own_booking(client, member, space):
    BookingFactory(space=space, requested_by=member, start=seoul(2026, 12, 7, 10), end=seoul(2026, 12, 7, 11))

    body = page(client, f"/spaces/{space.slug}/", date="2026-12-07")

    assert "sched-item sched-mine" in body
    assert re.search(r'<li class="sched-agenda-mine">10:00–11:00 <a href="/bookings/\d+/">Booking \d+</a>', body)


@pytest.mark.usefixtures("frozen_now")
def test_the_space_page_shows_the_booking_form_to_a_member(client, member, space):
    body = page(client, f"/spaces/{space.slug}/")

    assert f'action="/spaces/{space.slug}/book/"' in body
    for name in ("title", "date", "start_time", "end_time", "attendees"):
        assert f'name="{name}"' in body
    assert 'name="override_reason"' not in body


@pytest.mark.usefixtures("frozen_now")
def test_the_space_page_invites_a_visitor_to_sign_in(client, space):
    body = page(client, f"/spaces/{space.slug}/")

    assert "Sign in to book" in body
    assert "/book/" not in body


@pytest.mark.usefixtures("frozen_now")
def test_an_htmx_request_for_the_timeline_returns_only_the_timeline(client, member, space):
    BookingFactory(space=space, start=seoul(2026, 12, 8, 10), end=seoul(2026, 12, 8, 11))

    response = client.get(
        f"/spaces/{space.slug}/",
        {"date": "2026-12-08"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="timeline",
    )

    assert response.status_code == 200
    body = response.content.decode().strip()
    assert body.startswith('<div id="timeline"')
    assert body.endswith("</div>")
    assert "<html" not in body
    assert '/book/"' not in body
    assert "sched-item sched-approved" in body
    assert "12/8 (Tue)" in body


# --- booking with the form -----------------------------------------------------------------


def form_data(**changes):
    data = {
        "title": "Investor demo",
        "date": "2026-12-07",
        "start_time": "10:00",
        "end_time": "12:00",
        "attendees": "5",
        "purpose": "Show the prototype",
    }
    data.update(changes)
    return data


@pytest.mark.usefixtures("frozen_now")
def test_posting_the_form_creates_a_pending_booking_and_shows_it(client, member, space):
    response = client.post(f"/spaces/{space.slug}/book/", form_data())

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.pk}/"
    assert booking.status == Booking.Status.PENDING
    assert (booking.start, booking.end) == (seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12))
    assert booking.requested_by == member
    assert booking.organization == org_of(member)
    body = page(client, response["Location"])
    assert "Investor demo" in body
    assert "sent to the facility&#x27;s manager for approval" in body


@pytest.mark.usefixtures("frozen_now")
def test_a_rule_error_is_shown_next_to_its_field(client, member, space):
    response = client.post(f"/spaces/{space.slug}/book/", form_data(start_time="21:00", end_time="23:00"))

    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(
        r'<ul class="errorlist" id="id_start_time_error"><li>The space is not open for the whole of this time.',
        body,
    )
    assert 'value="Investor demo"' in body
    assert not Booking.objects.exists()


@pytest.mark.usefixtures("frozen_now")
def test_too_many_attendees_is_shown_next_to_attendees(client, member, space):
    response = client.post(f"/spaces/{space.slug}/book/", form_data(attendees="40"))

    assert response.status_code == 400
    assert re.search(r'id="id_attendees_error"><li>This space holds at most 12 people.', response.content.decode())


@pytest.mark.usefixtures("frozen_now")
def test_an_incomplete_form_is_400(client, member, space):
    response = client.post(f"/spaces/{space.slug}/book/", form_data(start_time="", title=""))

    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_title_error"' in body
    assert 'id="id_start_time_error"' in body
    assert not Booking.objects.exists()


@pytest.mark.usefixtures("frozen_now")
def test_a_taken_slot_is_409_with_the_message(client, member, space):
    BookingFactory(space=space, start=seoul(2026, 12, 7, 11), end=seoul(2026, 12, 7, 13))

    response = client.post(f"/spaces/{space.slug}/book/", form_data())

    assert response.status_code == 409
    assert "This slot was just taken. Please choose another time." in response.content.decode()
    assert Booking.objects.count() == 1


@pytest.mark.usefixtures("frozen_now")
def test_the_failed_form_shows_the_day_asked_for(client, member, space):
    BookingFactory(space=space, start=seoul(2026, 12, 7, 11), end=seoul(2026, 12, 7, 13))

    body = client.post(f"/spaces/{space.slug}/book/", form_data()).content.decode()

    assert "12/7 (Mon)" in body
    assert "sched-item sched-approved" in body


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize(
    ("day", "message"),
    [("0001-01-01", "The start is in the past."), ("9999-12-31", "Bookings can be made at most a few months ahead.")],
)
def test_a_date_outside_the_calendar_is_refused_by_the_form(client, member, space, day, message):
    response = client.post(f"/spaces/{space.slug}/book/", form_data(date=day, start_time="10:00", end_time="11:00"))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Booking.objects.exists()


@pytest.mark.usefixtures("frozen_now")
def test_booking_needs_signing_in(client, space):
    response = client.post(f"/spaces/{space.slug}/book/", form_data())

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Booking.objects.exists()


@pytest.mark.usefixtures("frozen_now")
def test_a_gallery_is_booked_by_whole_days_with_the_form(client, member, town):
    gallery = SpaceFactory(
        facility=town,
        booking_unit="day",
        slot_minutes=1440,
        min_duration_minutes=1440,
        max_duration_minutes=14 * 1440,
        capacity=50,
    )

    response = client.post(
        f"/spaces/{gallery.slug}/book/",
        {"title": "Exhibition", "date": "2026-12-07", "end_date": "2026-12-09", "attendees": "30"},
    )

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.start, booking.end) == (seoul(2026, 12, 7), seoul(2026, 12, 10))


# --- the booker's pages --------------------------------------------------------------------


def test_my_bookings_lists_upcoming_and_past_apart(client, member, space):
    now = timezone.now()
    organization = org_of(member)
    colleague = Membership.objects.create(organization=organization, user=UserFactory()).user
    BookingFactory(space=space, requested_by=member, title="Next week", start=now + timedelta(days=7))
    BookingFactory(
        space=space,
        requested_by=colleague,
        organization=organization,
        title="Team upcoming",
        start=now + timedelta(days=8),
    )
    BookingFactory(space=space, requested_by=member, title="Last week", start=now - timedelta(days=7))
    BookingFactory(space=space, title="A stranger's", start=now + timedelta(days=9))

    upcoming = page(client, "/bookings/")
    past = page(client, "/bookings/", when="past")

    assert "Next week" in upcoming and "Team upcoming" in upcoming
    assert upcoming.index("Next week") < upcoming.index("Team upcoming")
    assert "Last week" not in upcoming
    assert "Last week" in past
    assert "Next week" not in past
    assert "A stranger" not in upcoming + past


@pytest.mark.usefixtures("frozen_now")
def test_the_booking_page_shows_its_history(client, member, space, manager):
    from bookings import services

    booking = services.create_booking(
        requested_by=member,
        space=space,
        start=seoul(2026, 12, 7, 10),
        end=seoul(2026, 12, 7, 11),
        title="Workshop",
        attendees=3,
    )
    services.approve_booking(booking=booking, manager=manager, note="Enjoy")

    body = page(client, f"/bookings/{booking.pk}/")

    history = body[body.index('id="history-heading"') :]
    assert history.index("Requested") < history.index("Approved")
    assert str(member) in history and str(manager) in history
    assert "Enjoy" in history
    assert "badge-approved" in body


@pytest.mark.usefixtures("frozen_now")
def test_cancelling_from_the_booking_page(client, member, space):
    booking = BookingFactory(space=space, requested_by=member, status=Booking.Status.PENDING)

    response = client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "Client moved the date"}, follow=True)

    assert response.redirect_chain[-1][0] == f"/bookings/{booking.pk}/"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancel_reason == "Client moved the date"
    body = response.content.decode()
    assert "The booking was cancelled." in body
    assert "Client moved the date" in body
    assert "Cancel the booking" not in body


@pytest.mark.usefixtures("frozen_now")
def test_another_organizations_booking_page_is_404(client, member, space, other_org_member):
    booking = BookingFactory(space=space, requested_by=other_org_member, organization=org_of(other_org_member))

    assert client.get(f"/bookings/{booking.pk}/").status_code == 404
    assert client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "x"}).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.APPROVED


# --- managers: approvals -------------------------------------------------------------------


@pytest.fixture
def queue(space, town, art_center, startup_member, other_org_member):
    """Three pending bookings of the town, requested in an order unlike their ids and times."""
    room = SpaceFactory(facility=town)
    newest = BookingFactory(space=space, title="Newest request", status="pending", start=seoul(2026, 12, 7, 10))
    oldest = BookingFactory(space=room, title="Oldest request", status="pending", start=seoul(2026, 12, 9, 10))
    middle = BookingFactory(
        space=space,
        title="Middle request",
        status="pending",
        start=seoul(2026, 12, 8, 10),
        requested_by=other_org_member,
    )
    BookingFactory(space=SpaceFactory(facility=art_center), title="Art request", status="pending")
    BookingFactory(space=space, title="Already approved", start=seoul(2026, 12, 10, 10))
    base = timezone.now() - timedelta(days=1)
    for booking, hours in ((newest, 3), (oldest, 1), (middle, 2)):
        Booking.objects.filter(pk=booking.pk).update(created=base + timedelta(hours=hours))
    ClosureFactory(space=space, start=seoul(2026, 12, 8), end=seoul(2026, 12, 9), reason="Repairs")
    return {"newest": newest, "oldest": oldest, "middle": middle}


@pytest.mark.usefixtures("frozen_now")
def test_the_approval_queue_lists_pending_requests_soonest_start_first(client, signed_in_manager, queue):
    body = page(client, "/manage/approvals/")

    positions = [body.index(title) for title in ("Newest request", "Middle request", "Oldest request")]
    assert positions == sorted(positions)
    assert "Art request" not in body
    assert "Already approved" not in body


@pytest.mark.usefixtures("frozen_now")
def test_the_approval_queue_flags_a_booking_in_a_closure(client, signed_in_manager, queue):
    body = page(client, "/manage/approvals/")

    assert "Overlaps a closure" in row_of(body, "Middle request")
    assert "Overlaps a closure" not in row_of(body, "Newest request")
    assert "Overlaps a closure" not in row_of(body, "Oldest request")


@pytest.mark.usefixtures("frozen_now")
def test_the_approval_queue_shows_the_bookers_recent_record(client, signed_in_manager, queue, other_org_member):
    BookingFactory(requested_by=other_org_member, status="cancelled", start=seoul(2026, 12, 10, 10))
    BookingFactory(requested_by=other_org_member, start=seoul(2026, 12, 11, 10))

    body = page(client, "/manage/approvals/")

    assert "3 bookings, 1 cancelled" in row_of(body, "Middle request")
    assert "1 bookings, 0 cancelled" in row_of(body, "Oldest request")


@pytest.mark.usefixtures("frozen_now")
def test_approving_from_the_queue(client, signed_in_manager, queue):
    response = client.post(f"/manage/bookings/{queue['oldest'].pk}/approve/", follow=True)

    assert response.redirect_chain[-1][0] == "/manage/approvals/"
    queue["oldest"].refresh_from_db()
    assert queue["oldest"].status == Booking.Status.APPROVED
    assert queue["oldest"].decided_by == signed_in_manager
    assert "Oldest request" not in row_of(response.content.decode(), "Newest request")
    assert "Approved: Oldest request" in response.content.decode()


@pytest.mark.usefixtures("frozen_now")
def test_bulk_approval_approves_only_the_selected_bookings_of_the_managers_facilities(client, signed_in_manager, queue):
    art = Booking.objects.get(title="Art request")

    response = client.post(
        "/manage/approvals/approve/", {"booking": [queue["oldest"].pk, queue["newest"].pk, art.pk, "junk"]}
    )

    assert response.status_code == 302
    statuses = dict(Booking.objects.values_list("title", "status"))
    assert statuses["Oldest request"] == statuses["Newest request"] == "approved"
    assert statuses["Middle request"] == "pending"
    assert statuses["Art request"] == "pending"
    assert AuditEntry.objects.filter(action="booking.approved", actor=signed_in_manager).count() == 2


@pytest.mark.usefixtures("frozen_now")
def test_rejecting_needs_a_reason(client, signed_in_manager, queue):
    booking = queue["newest"]

    refused = client.post(f"/manage/bookings/{booking.pk}/reject/", {"reason": "  "}, follow=True)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    assert "Say why the booking is rejected" in refused.content.decode()

    client.post(f"/manage/bookings/{booking.pk}/reject/", {"reason": "Room double-booked offline"})

    booking.refresh_from_db()
    assert booking.status == Booking.Status.REJECTED
    assert booking.decision_reason == "Room double-booked offline"


@pytest.mark.usefixtures("frozen_now")
def test_a_manager_cannot_decide_another_facilitys_booking(client, signed_in_manager, queue):
    art = Booking.objects.get(title="Art request")

    assert client.post(f"/manage/bookings/{art.pk}/approve/").status_code == 403
    assert client.post(f"/manage/bookings/{art.pk}/reject/", {"reason": "No"}).status_code == 403
    art.refresh_from_db()
    assert art.status == Booking.Status.PENDING


@pytest.mark.usefixtures("frozen_now")
def test_a_non_manager_gets_403_on_the_manager_pages(client, member, queue):
    assert client.get("/manage/approvals/").status_code == 403
    assert client.get("/manage/calendar/").status_code == 403
    assert client.post(f"/manage/bookings/{queue['oldest'].pk}/approve/").status_code == 403
    queue["oldest"].refresh_from_db()
    assert queue["oldest"].status == Booking.Status.PENDING


def test_a_manager_without_two_factor_is_sent_to_set_it_up(client, manager_without_totp):
    client.force_login(manager_without_totp)

    response = client.get("/manage/approvals/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


# --- managers: calendar --------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")
def test_the_facility_calendar_shows_the_bookings_of_all_its_spaces(client, signed_in_manager, space, town, art_center):
    room = SpaceFactory(facility=town, name_en="Second room")
    BookingFactory(space=space, title="Monday in the test room", start=seoul(2026, 12, 7, 10))
    BookingFactory(space=room, title="Friday in room two", start=seoul(2026, 12, 11, 14), status="pending")
    BookingFactory(space=space, title="Cancelled one", start=seoul(2026, 12, 8, 10), status="cancelled")
    BookingFactory(space=space, title="Next week", start=seoul(2026, 12, 14, 10))
    BookingFactory(space=SpaceFactory(facility=art_center), title="Art Center show", start=seoul(2026, 12, 7, 10))

    body = page(client, "/manage/calendar/", view="week", date="2026-12-09")

    assert "10:00–11:00 Monday in the test room" in body
    assert "14:00–15:00 Friday in room two" in body
    assert "Second room" in body
    for absent in ("Cancelled one", "Next week", "Art Center show"):
        assert absent not in body


@pytest.mark.usefixtures("frozen_now")
def test_the_calendar_marks_a_closure_on_its_own_local_days(client, signed_in_manager, space):
    ClosureFactory(space=space, start=seoul(2026, 12, 9), end=seoul(2026, 12, 11), reason="Painting")

    body = page(client, "/manage/calendar/", view="week", date="2026-12-07")

    (row,) = [row for row in body.split('<div class="sched-row">') if space.display_name in row.split("</a>")[0]]
    lanes = re.split(r'<div class="sched-lane[ "]', row)[1:]
    assert ["sched-item sched-closed" in lane for lane in lanes] == [False, False, True, True, False, False, False]
    # Cut to each day's hours: a block per day.
    assert body.count('title="09:00–22:00 Closed · Painting"') == 2


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_calendar_of_a_date_outside_the_calendar_shows_this_week(client, signed_in_manager, space, day):
    body = page(client, "/manage/calendar/", status=400, view="week", date=day)

    assert "Choose a date between 2000 and 2100." in body
    assert "11/30 (Mon)" in body


@pytest.mark.usefixtures("frozen_now")
def test_another_facilitys_calendar_is_403(client, signed_in_manager):
    assert client.get("/manage/calendar/", {"facility": "art-center"}).status_code == 403
    assert client.get("/manage/calendar/", {"facility": "no-such-facility"}).status_code == 400


# --- managers: closures --------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")
def test_a_closure_is_created_its_page_lists_the_bookings_it_hits_and_cancels_them(
    client, signed_in_manager, space, startup_member
):
    hit = BookingFactory(
        space=space,
        requested_by=english(startup_member),
        organization=org_of(startup_member),
        title="Hit by the leak",
        start=seoul(2026, 12, 8, 10),
    )
    spared = BookingFactory(space=space, title="Spared", start=seoul(2026, 12, 9, 10))

    created = client.post(
        "/manage/closures/",
        {
            "facility": "innovation-town",
            "space": space.pk,
            "start": "2026-12-08T00:00",
            "end": "2026-12-09T00:00",
            "reason": "Water leak",
        },
    )

    closure = Closure.objects.get()
    assert created.status_code == 302
    assert created["Location"] == f"/manage/closures/{closure.pk}/"
    assert (closure.space, closure.start, closure.end) == (space, seoul(2026, 12, 8), seoul(2026, 12, 9))
    detail = page(client, created["Location"])
    assert "Hit by the leak" in detail
    assert "Spared" not in detail

    cancelled = client.post(f"/manage/closures/{closure.pk}/cancel-bookings/", follow=True)

    assert "1 bookings cancelled" in cancelled.content.decode()
    assert "No active booking falls in this period." in cancelled.content.decode()
    hit.refresh_from_db()
    spared.refresh_from_db()
    assert hit.status == Booking.Status.CANCELLED
    assert spared.status == Booking.Status.APPROVED

    client.force_login(startup_member)
    booker_view = page(client, f"/bookings/{hit.pk}/")
    assert "badge-cancelled" in booker_view
    assert "Water leak" in booker_view


@pytest.mark.usefixtures("frozen_now")
def test_a_closure_without_a_reason_or_with_the_end_first_is_refused(client, signed_in_manager, space):
    missing_reason = client.post(
        "/manage/closures/",
        {"facility": "innovation-town", "start": "2026-12-08T00:00", "end": "2026-12-09T00:00", "reason": ""},
    )
    backwards = client.post(
        "/manage/closures/",
        {"facility": "innovation-town", "start": "2026-12-09T00:00", "end": "2026-12-08T00:00", "reason": "x"},
    )

    assert missing_reason.status_code == backwards.status_code == 400
    assert 'id="id_reason_error"' in missing_reason.content.decode()
    assert 'id="id_end_error"' in backwards.content.decode()
    assert not Closure.objects.exists()


@pytest.mark.usefixtures("frozen_now")
def test_another_facilitys_closures_are_403(client, signed_in_manager, art_center):
    closure = ClosureFactory(facility=art_center)

    assert client.get("/manage/closures/", {"facility": "art-center"}).status_code == 403
    assert client.get(f"/manage/closures/{closure.pk}/").status_code == 403
    assert client.post(f"/manage/closures/{closure.pk}/delete/").status_code == 403
    assert Closure.objects.filter(pk=closure.pk).exists()


# --- managers: space policy ----------------------------------------------------------------


def policy_form(**changes):
    data = {
        "is_bookable": "on",
        "fee": "0",
        "requires_approval": "unknown",
        "open_on_holidays": "unknown",
        "slot_minutes": "",
        "min_duration_minutes": "",
        "max_duration_minutes": "",
        "max_days_ahead": "",
        "tenant_max_days_ahead": "",
        "min_notice_minutes": "",
        "opening_hours": "",
    }
    data.update(changes)
    return data


@pytest.mark.usefixtures("frozen_now")
def test_the_space_policy_page_saves_an_override_with_an_audit_entry(client, signed_in_manager, space):
    response = client.post(
        f"/manage/spaces/{space.slug}/policy/", policy_form(max_duration_minutes="120", requires_approval="false")
    )

    assert response.status_code == 302
    space.refresh_from_db()
    assert space.max_duration_minutes == 120
    assert space.requires_approval is False
    assert space.policy.min_duration_minutes == 30
    entry = AuditEntry.objects.get(action="space.policy_changed")
    assert entry.actor == signed_in_manager
    assert entry.target_id == space.pk
    assert entry.after == {"max_duration_minutes": 120, "requires_approval": False}
    assert entry.before == {"max_duration_minutes": None, "requires_approval": None}


@pytest.mark.usefixtures("frozen_now")
def test_invalid_policy_is_refused_and_nothing_changes(client, signed_in_manager, space):
    response = client.post(
        f"/manage/spaces/{space.slug}/policy/",
        policy_form(
            **{"opening_hours-source": "own", "opening_hours-mon-from": "18:00", "opening_hours-mon-to": "09:00"}
        ),
    )

    assert response.status_code == 400
    space.refresh_from_db()
    assert space.opening_hours is None
    assert not AuditEntry.objects.filter(action="space.policy_changed").exists()


@pytest.mark.usefixtures("frozen_now")
def test_another_facilitys_space_policy_is_403(client, signed_in_manager, art_center):
    room = SpaceFactory(facility=art_center)

    assert client.get(f"/manage/spaces/{room.slug}/policy/").status_code == 403
    assert client.post(f"/manage/spaces/{room.slug}/policy/", policy_form(max_duration_minutes="60")).status_code == 403
    room.refresh_from_db()
    assert room.max_duration_minutes is None


# --- cancelling asks first ------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")
def test_the_cancel_link_asks_first_and_changes_nothing(client, member, space):
    booking = BookingFactory(space=space, requested_by=member, status=Booking.Status.PENDING)
    client.force_login(member)

    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    mine = client.get("/bookings/").content.decode()
    confirm = client.get(f"/bookings/{booking.pk}/cancel/")

    # Neither page holds a form that cancels in one click; both lead to the confirmation.
    assert f'action="/bookings/{booking.pk}/cancel/"' not in page + mine
    assert f'href="/bookings/{booking.pk}/cancel/"' in page
    assert f'href="/bookings/{booking.pk}/cancel/"' in mine
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "Cancel the booking?" in body
    assert "This cannot be undone." in body
    assert f'action="/bookings/{booking.pk}/cancel/"' in body
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


@pytest.mark.usefixtures("frozen_now")
def test_a_cancelled_booking_has_no_confirmation_to_show(client, member, space):
    booking = BookingFactory(space=space, requested_by=member, status=Booking.Status.CANCELLED)
    client.force_login(member)

    response = client.get(f"/bookings/{booking.pk}/cancel/")

    assert response.status_code == 409


@pytest.mark.usefixtures("frozen_now")
def test_the_booker_cancels_this_and_the_later_dates_of_a_series(client, member, space):
    from bookings import series

    space.requires_approval = False
    space.save()
    monday = seoul(2026, 12, 7, 10)
    _series, dates, _skipped = series.create_series(
        requested_by=member,
        space=space,
        start=monday,
        end=monday + timedelta(hours=1),
        title="Weekly",
        attendees=2,
        recurrence=series.Recurrence(weekdays=("MO",), count=3),
    )
    client.force_login(member)

    confirm = client.get(f"/bookings/{dates[1].pk}/cancel/").content.decode()
    client.post(f"/bookings/{dates[1].pk}/cancel/", {"following": "1"})

    assert "Cancel this date and the 1 later one" in confirm
    statuses = [Booking.objects.get(pk=booking.pk).status for booking in dates]
    assert statuses == [Booking.Status.APPROVED, Booking.Status.CANCELLED, Booking.Status.CANCELLED]
