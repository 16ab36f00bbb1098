"""Weekly bookings: planned in Asia/Seoul, checked date by date in a dry run, created all-or-nothing or
leaving out the dates that cannot be booked; decided, cancelled and counted against quotas as a series."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from bookings import rules, series, services
from bookings.models import Booking, BookingSeries, CalendarFeed
from tests.factories import UserFactory, seoul
from tests.rental.factories import MONDAY_10, book, client_for, org_of

BOOKINGS = "/api/v1/bookings/"
EIGHT_MONDAYS = [date(2026, 12, 7) + timedelta(weeks=n) for n in range(8)]
CONFLICT = date(2026, 12, 21)


def weekly(**fields) -> series.Recurrence:
    fields.setdefault("weekdays", ("MO",))
    if "until" not in fields:
        fields.setdefault("count", 8)
    return series.Recurrence(**fields)


def plan(recurrence, start=MONDAY_10, hours=2):
    return series.plan(start=start, end=start + timedelta(hours=hours), recurrence=recurrence)


def dry_run(user, space, recurrence, start=MONDAY_10):
    return series.check(
        user=user, space=space, periods=plan(recurrence, start), attendees=4, title="Weekly", organization=org_of(user)
    )


def create(user, space, recurrence=None, start=MONDAY_10, hours=2, **extra):
    return series.create_series(
        requested_by=user,
        space=space,
        start=start,
        end=start + timedelta(hours=hours),
        title=extra.pop("title", "Weekly stand-up"),
        attendees=4,
        recurrence=recurrence or weekly(),
        **extra,
    )


def local_dates(items) -> list[date]:
    return [rules.local(item.start).date() for item in items]


@pytest.fixture
def conflict(room, stranger):
    """Someone else's booking of Monday 2026-12-21 10:00–12:00."""
    return book(stranger, room, seoul(2026, 12, 21, 10))


def error_of(call, *args, **kwargs) -> services.BookingError:
    with pytest.raises(services.BookingError) as error:
        call(*args, **kwargs)
    return error.value


# --- planning and the dry run --------------------------------------------------------------------------


def test_the_dry_run_lists_each_date_and_the_one_already_taken(conflict, room, member):
    occurrences = dry_run(member, room, weekly())

    assert local_dates(occurrences) == EIGHT_MONDAYS
    assert [(local_dates([o])[0], o.code) for o in occurrences if not o.ok] == [(CONFLICT, "slot_taken")]
    assert Booking.objects.count() == 1
    assert not BookingSeries.objects.exists()


def test_without_skipping_conflicts_nothing_is_booked(conflict, room, member):
    error = error_of(create, member, room)

    assert error.code == "series_conflicts"
    assert [v.code for v in error.violations] == ["slot_taken"]
    assert error.violations[0].message.startswith("2026-12-21")
    assert list(Booking.objects.all()) == [conflict]
    assert not BookingSeries.objects.exists()


def test_skipping_conflicts_books_the_other_seven_dates_in_one_series(conflict, room, member):
    created, bookings, skipped = create(member, room, skip_conflicts=True)

    assert local_dates(bookings) == [day for day in EIGHT_MONDAYS if day != CONFLICT]
    assert local_dates(skipped) == [CONFLICT]
    assert {b.series_id for b in Booking.objects.filter(requested_by=member)} == {created.pk}
    assert created.bookings.count() == 7
    assert all(b.status == Booking.Status.PENDING for b in bookings)
    assert all((b.fee, b.amount_due, b.payment_status) == (30_000, 30_000, "unpaid") for b in bookings)


def test_every_second_week_on_monday_and_wednesday(room, member):
    _, bookings, skipped = create(member, room, weekly(weekdays=("MO", "WE"), interval=2, count=6))

    assert local_dates(bookings) == [
        date(2026, 12, 7),
        date(2026, 12, 9),
        date(2026, 12, 21),
        date(2026, 12, 23),
        date(2027, 1, 4),
        date(2027, 1, 6),
    ]
    assert skipped == []


def test_the_first_date_is_the_first_chosen_weekday_on_or_after_the_start(room, member):
    _, bookings, _ = create(member, room, weekly(weekdays=("FR",), count=2), start=MONDAY_10)

    assert local_dates(bookings) == [date(2026, 12, 11), date(2026, 12, 18)]


def test_until_includes_its_own_date(room, member):
    _, bookings, _ = create(member, room, weekly(until=date(2027, 1, 4)))

    assert local_dates(bookings) == EIGHT_MONDAYS[:5]
    assert BookingSeries.objects.get().until == date(2027, 1, 4)


def test_a_count_books_that_many_dates(room, member):
    _, bookings, _ = create(member, room, weekly(count=3))

    assert local_dates(bookings) == EIGHT_MONDAYS[:3]
    assert BookingSeries.objects.get().count == 3


def test_an_end_date_giving_more_than_26_dates_is_refused(room, member):
    error = error_of(plan, weekly(weekdays=("MO", "TU", "WE", "TH", "FR"), until=date(2027, 1, 12)))

    assert error.code == "invalid_recurrence"
    assert "at most 26" in error.message


def test_an_end_date_giving_exactly_26_dates_is_accepted():
    periods = plan(weekly(weekdays=("MO", "TU", "WE", "TH", "FR"), until=date(2027, 1, 11)))

    assert len(periods) == 26


@pytest.mark.parametrize(
    "recurrence",
    [
        series.Recurrence(weekdays=("MO",), count=27),
        series.Recurrence(weekdays=("MO",), count=0),
        series.Recurrence(weekdays=("XX",), count=2),
        series.Recurrence(weekdays=(), count=2),
        series.Recurrence(weekdays=("MO",), interval=0, count=2),
        series.Recurrence(weekdays=("MO",), interval=9, count=2),
        series.Recurrence(weekdays=("MO",), count=2, until=date(2027, 1, 4)),
        series.Recurrence(weekdays=("MO",)),
    ],
    ids=["count-27", "count-0", "unknown-day", "no-day", "interval-0", "interval-9", "until-and-count", "neither"],
)
def test_an_invalid_recurrence_is_refused(room, member, recurrence):
    error = error_of(create, member, room, recurrence)

    assert error.code == "invalid_recurrence"
    assert not Booking.objects.exists()


def test_a_holiday_gets_on_holiday_in_the_dry_run(room, member):
    occurrences = dry_run(member, room, weekly(weekdays=("FR",), count=4), start=seoul(2026, 12, 4, 10))

    assert [(local_dates([o])[0], o.code) for o in occurrences] == [
        (date(2026, 12, 4), ""),
        (date(2026, 12, 11), ""),
        (date(2026, 12, 18), ""),
        (date(2026, 12, 25), "on_holiday"),
    ]
    assert "Christmas" in occurrences[3].detail


def test_dates_past_the_booking_horizon_are_too_far_ahead(room, member):
    occurrences = dry_run(member, room, weekly(count=10))

    assert [o.code for o in occurrences] == [""] * 8 + ["too_far_ahead"] * 2


def test_every_date_keeps_10_oclock_in_seoul(room, member):
    _, bookings, _ = create(member, room, weekly(weekdays=("MO", "TH"), count=12))

    for booking in Booking.objects.filter(pk__in=[b.pk for b in bookings]):
        local_start = rules.local(booking.start)
        assert (local_start.hour, local_start.minute) == (10, 0)
        assert (booking.start.utcoffset(), (booking.start.hour, booking.end.hour)) == (timedelta(0), (1, 3))


# --- deciding --------------------------------------------------------------------------------------------


@pytest.fixture
def pending_series(room, member):
    created, bookings, _ = create(member, room, weekly(count=4))
    return created, bookings


def api_post(client, booking, action, body=None):
    return client.post(f"{BOOKINGS}{booking.pk}/{action}/", body or {}, format="json")


def test_the_manager_approves_the_whole_series_at_once(pending_series, manager_api):
    created, bookings = pending_series

    response = api_post(manager_api, bookings[1], "approve", {"series": True})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    decided = created.bookings.all()
    assert {b.status for b in decided} == {Booking.Status.APPROVED}
    assert {b.payment_deadline for b in decided} == {seoul(2026, 12, 3, 9)}


def test_the_manager_approves_one_date_of_a_series(pending_series, manager_api):
    created, bookings = pending_series

    response = api_post(manager_api, bookings[1], "approve")

    assert response.status_code == 200
    statuses = dict(created.bookings.values_list("pk", "status"))
    assert statuses == {
        bookings[0].pk: "pending",
        bookings[1].pk: "approved",
        bookings[2].pk: "pending",
        bookings[3].pk: "pending",
    }


def test_the_manager_rejects_the_whole_series_with_a_reason(pending_series, manager_api):
    created, bookings = pending_series

    response = api_post(manager_api, bookings[0], "reject", {"series": True, "reason": "The room is being painted"})

    assert response.status_code == 200
    assert set(created.bookings.values_list("status", "decision_reason")) == {("rejected", "The room is being painted")}


def test_a_manager_of_another_facility_cannot_approve_the_series(pending_series, other_manager_api):
    created, bookings = pending_series

    response = api_post(other_manager_api, bookings[0], "approve", {"series": True})

    assert response.status_code == 403
    assert response.json()["code"] == "not_manager"
    assert set(created.bookings.values_list("status", flat=True)) == {"pending"}


def test_approving_the_series_of_a_single_booking_is_refused(room, member, manager_api):
    single = book(member, room)

    response = api_post(manager_api, single, "approve", {"series": True})

    assert response.status_code == 400
    single.refresh_from_db()
    assert single.status == Booking.Status.PENDING


def test_the_series_approval_skips_dates_already_decided(pending_series, manager):
    created, bookings = pending_series
    services.reject_booking(booking=bookings[0], manager=manager, reason="Hall event")

    decided = series.decide_series(series=created, manager=manager, approve=True)

    assert [b.pk for b in decided] == [b.pk for b in bookings[1:]]
    assert Booking.objects.get(pk=bookings[0].pk).status == Booking.Status.REJECTED


# --- cancelling ------------------------------------------------------------------------------------------


def test_the_booker_cancels_one_date_of_the_series(pending_series, member_api):
    created, bookings = pending_series

    response = api_post(member_api, bookings[1], "cancel")

    assert response.status_code == 200
    assert list(created.bookings.order_by("start").values_list("status", flat=True)) == [
        "pending",
        "cancelled",
        "pending",
        "pending",
    ]


def test_the_booker_cancels_a_date_and_all_following(pending_series, member_api):
    created, bookings = pending_series

    response = api_post(member_api, bookings[1], "cancel", {"following": True})

    assert response.status_code == 200
    assert response.json()["id"] == bookings[1].pk
    assert list(created.bookings.order_by("start").values_list("status", flat=True)) == [
        "pending",
        "cancelled",
        "cancelled",
        "cancelled",
    ]


def test_cancelling_the_following_leaves_already_cancelled_dates_alone(pending_series, member):
    _created, bookings = pending_series
    services.cancel_booking(booking=bookings[2], user=member)

    cancelled = series.cancel_from(booking=bookings[1], user=member)

    assert [b.pk for b in cancelled] == [bookings[1].pk, bookings[3].pk]


def test_a_stranger_cannot_cancel_the_following_dates(pending_series, stranger):
    created, bookings = pending_series

    error = error_of(series.cancel_from, booking=bookings[0], user=stranger)

    assert error.code == "not_allowed"
    assert set(created.bookings.values_list("status", flat=True)) == {"pending"}


# --- quota ------------------------------------------------------------------------------------------------


@pytest.fixture
def ten_hours(town):
    town.monthly_quota_hours = 10
    town.save()
    return town


def test_the_whole_series_counts_against_each_months_quota(ten_hours, room, member, colleague):
    book(colleague, room, seoul(2026, 12, 8, 10), hours=3)

    error = error_of(create, member, room, weekly(count=8))

    assert error.code == "quota_exceeded"
    assert "2026-12" in error.message
    assert Booking.objects.count() == 1


def test_a_series_within_each_months_quota_is_booked(ten_hours, room, member, colleague):
    book(colleague, room, seoul(2026, 12, 8, 10), hours=2)

    _, bookings, _ = create(member, room, weekly(count=8))

    assert len(bookings) == 8


def test_the_next_months_part_of_a_series_counts_in_that_month(ten_hours, room, member, colleague):
    book(colleague, room, seoul(2027, 1, 5, 10), hours=3)

    error = error_of(create, member, room, weekly(count=8))

    assert error.code == "quota_exceeded"
    assert "2027-01" in error.message


def test_a_series_counts_before_a_later_single_booking(ten_hours, room, member, colleague):
    create(member, room, weekly(count=4))

    error = error_of(book, colleague, room, seoul(2026, 12, 8, 10), hours=3)

    assert error.code == "quota_exceeded"


# --- payment ---------------------------------------------------------------------------------------------


def test_a_series_in_a_room_that_confirms_at_once_is_to_be_paid_by_the_deadline(instant_room, member):
    _, bookings, _ = create(member, instant_room, weekly(count=3))

    for booking in Booking.objects.filter(pk__in=[b.pk for b in bookings]):
        assert booking.status == Booking.Status.APPROVED
        assert booking.payment_deadline == seoul(2026, 12, 3, 9)


# --- calendar feed ---------------------------------------------------------------------------------------


def test_the_personal_calendar_feed_shows_each_date_of_the_series(conflict, room, member):
    create(member, room, skip_conflicts=True)
    feed = CalendarFeed.objects.create(user=member)

    response = client_for(UserFactory()).get(f"/calendar/{feed.token}.ics")

    assert response.status_code == 200
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert [e.decoded("dtstart").date() for e in events] == [day for day in EIGHT_MONDAYS if day != CONFLICT]
    assert {(e.decoded("dtstart").hour, str(e.decoded("dtstart").tzinfo)) for e in events} == {(10, "Asia/Seoul")}
    assert {str(e["summary"]) for e in events} == {"Weekly stand-up"}


# --- the API ---------------------------------------------------------------------------------------------


def series_body(room, **changes):
    body = {
        "space": room.slug,
        "title": "Weekly stand-up",
        "attendees": 4,
        "start": "2026-12-07T10:00:00+09:00",
        "end": "2026-12-07T12:00:00+09:00",
        "recurrence": {"weekdays": ["MO"], "count": 8},
    }
    body.update(changes)
    return body


def test_the_api_dry_run_returns_each_occurrence_and_saves_nothing(conflict, room, member_api):
    response = member_api.post(BOOKINGS, series_body(room, dry_run=True), format="json")

    assert response.status_code == 200, response.json()
    occurrences = response.json()["occurrences"]
    assert len(occurrences) == 8
    assert occurrences[0] == {
        "start": "2026-12-07T10:00:00+09:00",
        "end": "2026-12-07T12:00:00+09:00",
        "ok": True,
        "code": "",
        "detail": "",
    }
    taken = [o for o in occurrences if not o["ok"]]
    assert [(o["start"], o["code"]) for o in taken] == [("2026-12-21T10:00:00+09:00", "slot_taken")]
    assert Booking.objects.count() == 1


def test_the_api_dry_run_of_a_single_booking_checks_it(room, member_api):
    body = {
        "space": room.slug,
        "title": "Christmas",
        "attendees": 2,
        "start": "2026-12-25T10:00:00+09:00",
        "end": "2026-12-25T12:00:00+09:00",
        "dry_run": True,
    }

    response = member_api.post(BOOKINGS, body, format="json")

    assert response.status_code == 200
    assert [o["code"] for o in response.json()["occurrences"]] == ["on_holiday"]
    assert not Booking.objects.exists()


def test_the_api_refuses_a_series_with_a_conflict_and_saves_nothing(conflict, room, member_api):
    response = member_api.post(BOOKINGS, series_body(room), format="json")

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "series_conflicts"
    assert [v["code"] for v in data["violations"]] == ["slot_taken"]
    assert Booking.objects.count() == 1


def test_the_api_creates_a_series_leaving_out_conflicts(conflict, room, member_api):
    response = member_api.post(BOOKINGS, series_body(room, skip_conflicts=True), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["series"] == BookingSeries.objects.get().pk
    assert len(data["bookings"]) == 7
    assert {b["status"] for b in data["bookings"]} == {"pending"}
    assert {(b["fee"], b["amount_due"], b["payment_status"]) for b in data["bookings"]} == {(30_000, 30_000, "unpaid")}
    assert [s["start"] for s in data["skipped"]] == ["2026-12-21T10:00:00+09:00"]
    assert data["skipped"][0]["code"] == "slot_taken"


def test_the_api_creates_a_series_until_a_date(room, member_api):
    body = series_body(room, recurrence={"weekdays": ["MO", "WE"], "interval": 2, "until": "2026-12-23"})

    response = member_api.post(BOOKINGS, body, format="json")

    assert response.status_code == 201, response.json()
    assert [b["start"][:10] for b in response.json()["bookings"]] == [
        "2026-12-07",
        "2026-12-09",
        "2026-12-21",
        "2026-12-23",
    ]


@pytest.mark.parametrize(
    "recurrence",
    [
        {"weekdays": ["XX"], "count": 2},
        {"weekdays": ["monday"], "count": 2},
        {"weekdays": [], "count": 2},
        {"weekdays": "MO", "count": 2},
        {"weekdays": ["MO"], "interval": 0, "count": 2},
        {"weekdays": ["MO"], "interval": -1, "count": 2},
        {"weekdays": ["MO"], "interval": "often", "count": 2},
        {"weekdays": ["MO"], "count": 2, "until": "2027-01-04"},
        {"weekdays": ["MO"]},
        {"weekdays": ["MO"], "count": 27},
        {"weekdays": ["MO"], "count": 0},
        {"weekdays": ["MO"], "until": "not a date"},
        {"weekdays": ["MO", "TU", "WE", "TH", "FR"], "until": "2027-06-30"},
        {"weekdays": ["MO"], "until": "9999-12-31"},
        {"weekdays": ["MO"], "until": "2026-01-01"},
        "every monday",
        [],
    ],
)
@pytest.mark.parametrize("dry_run", [False, True])
def test_bad_recurrence_input_is_a_400_never_a_500(room, member_api, recurrence, dry_run):
    response = member_api.post(BOOKINGS, series_body(room, recurrence=recurrence, dry_run=dry_run), format="json")

    assert response.status_code in (200, 400), response.content[:500]
    if response.status_code == 200:
        assert dry_run
        assert response.json()["occurrences"] == []
    assert not Booking.objects.exists()


def test_the_api_names_the_problem_of_a_recurrence(room, member_api):
    response = member_api.post(BOOKINGS, series_body(room, recurrence={"weekdays": ["MO"], "count": 27}), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "count" in response.json()["errors"]["recurrence"]


def test_the_api_refuses_too_many_dates_from_an_end_date_with_its_code(room, member_api):
    body = series_body(room, recurrence={"weekdays": ["MO", "TU", "WE", "TH", "FR"], "until": "2027-01-29"})

    response = member_api.post(BOOKINGS, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_recurrence"


# --- the booking form ---------------------------------------------------------------------------------------


def form(**changes):
    data = {
        "title": "Weekly stand-up",
        "date": "2026-12-07",
        "start_time": "10:00",
        "end_time": "12:00",
        "attendees": "4",
        "repeat": "on",
        "weekdays": ["MO"],
        "interval": "1",
        "count": "8",
    }
    data.update(changes)
    return data


def test_the_form_first_shows_the_dates_then_books_the_free_ones(conflict, room, member_client):
    url = f"/spaces/{room.slug}/book/"

    preview = member_client.post(url, form())

    assert preview.status_code == 200
    body = preview.content.decode()
    assert "7 of 8 dates can be booked" in body
    assert "Book the 7 free dates" in body
    assert "This time is already booked." in body
    assert Booking.objects.count() == 1

    confirmed = member_client.post(url, form(confirm_series="1"))

    assert confirmed.status_code == 302
    assert Booking.objects.filter(series__isnull=False).count() == 7
    assert "7 weekly bookings made; 1 dates left out." in member_client.get(confirmed["Location"]).content.decode()


def test_the_form_offers_no_booking_when_no_date_is_free(room, stranger, member_client):
    for week in range(2):
        book(stranger, room, MONDAY_10 + timedelta(weeks=week))

    body = member_client.post(f"/spaces/{room.slug}/book/", form(count="2")).content.decode()

    assert "0 of 2 dates can be booked" in body
    assert "Book the" not in body
    assert 'name="confirm_series"' not in body
