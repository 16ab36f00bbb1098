"""The reports' figures, checked against a week computed by hand.

The week is Monday 2026-12-21 to Sunday 2026-12-27 in the Innovation Town (weekdays 09:00–22:00, Saturdays
09:00–18:00, closed on Sundays and public holidays). Friday the 25th is Christmas. Three rooms:

- room A keeps the facility's hours. Wednesday it is closed 12:00–15:00, and the whole facility 14:00–16:00:
  four hours, not five. Open: 780 + 780 + (780 − 240) + 780 + 0 (Christmas) + 540 + 0 = 3,420 minutes.
  Its bookings: Monday 10–12, approved, 20,000 won at 50 % off for a social-economy organization, paid;
  Tuesday 09:30–11:00, a no-show; Thursday 13–15, paid 20,000 and cancelled with 10,000 refunded; Saturday
  10–11 still pending and Thursday 16–17 rejected, which count nowhere. Booked: 120 + 90 = 210 minutes.
- room B is open day and night, holidays too, but for the facility's closure: 7 × 1,440 − 120 = 9,960
  minutes. Monday 22:00 to Tuesday 02:00: two hours on each day.
- gallery C is booked by whole days, any day: 9,960 minutes open as well. Tuesday and Wednesday: 2,880 booked.
"""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Max, Min
from django.utils import translation

from bookings.models import Booking
from common.errors import DomainError
from reports import selectors, services, tasks
from reports.models import SpaceDay, hour_field
from tests.factories import (
    BookingFactory,
    ClosureFactory,
    FacilityFactory,
    OrganizationFactory,
    SpaceFactory,
    seoul,
)

MONDAY, SUNDAY = date(2026, 12, 21), date(2026, 12, 27)
ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
PAID = Booking.PaymentStatus.PAID


@pytest.fixture(autouse=True)
def _korean():
    # Names are read in the active language; a page another test opened in English may have left it active.
    with translation.override("ko"):
        yield


@pytest.fixture
def week(town):
    social, studio = OrganizationFactory(name="사회적협동조합 해온"), OrganizationFactory(name="스튜디오 밤")
    room_a = SpaceFactory(facility=town, slug="room-a", name="A실")
    room_b = SpaceFactory(facility=town, slug="room-b", name="B실", opening_hours=ALL_DAY, open_on_holidays=True)
    gallery = SpaceFactory(facility=town, slug="gallery-c", name="C갤러리", booking_unit="day")
    ClosureFactory(space=room_a, start=seoul(2026, 12, 23, 12), end=seoul(2026, 12, 23, 15))
    ClosureFactory(space=None, facility=town, start=seoul(2026, 12, 23, 14), end=seoul(2026, 12, 23, 16))

    def book(space, start, hours, **fields):
        booking = BookingFactory(space=space, start=start, end=start + timedelta(hours=hours), **fields)
        if "created" in fields:  # auto_now_add ignores a value given at creation
            Booking.objects.filter(pk=booking.pk).update(created=fields["created"])
        return booking

    book(
        room_a,
        seoul(2026, 12, 21, 10),
        2,
        organization=social,
        fee=20_000,
        reduction_percent=50,
        reduction_category="social_economy",
        amount_due=10_000,
        payment_status=PAID,
        created=seoul(2026, 12, 11, 10),
    )
    book(
        room_a,
        seoul(2026, 12, 22, 9, 30),
        1.5,
        organization=social,
        status="no_show",
        created=seoul(2026, 12, 21, 9, 30),
    )
    book(
        room_a,
        seoul(2026, 12, 24, 13),
        2,
        organization=social,
        status="cancelled",
        fee=20_000,
        amount_due=20_000,
        payment_status=Booking.PaymentStatus.REFUNDED,
        refund_amount=10_000,
        created=seoul(2026, 12, 14, 13),
    )
    book(room_a, seoul(2026, 12, 26, 10), 1, status="pending")
    book(room_a, seoul(2026, 12, 24, 16), 1, status="rejected")
    book(room_a, seoul(2026, 12, 28, 10), 1)  # the Monday after: outside the week
    book(room_b, seoul(2026, 12, 21, 22), 4, organization=studio, created=seoul(2026, 12, 21, 8))
    book(gallery, seoul(2026, 12, 22), 48, organization=studio, created=seoul(2026, 12, 1))
    # Another facility's room, busy the same week: never in the Innovation Town's figures.
    book(SpaceFactory(facility=FacilityFactory()), seoul(2026, 12, 21, 10), 3)
    services.build_usage(first=MONDAY, last=SUNDAY)
    return {"a": room_a, "b": room_b, "c": gallery, "social": social, "studio": studio}


def _week(town):
    return selectors.utilization(facility_ids=[town.pk], first=MONDAY, last=SUNDAY)


def test_each_space_adds_up_as_computed_by_hand(week, town):
    usage = _week(town)
    rows = {row.key: row for row in usage.spaces}
    assert set(rows) == {"room-a", "room-b", "gallery-c"}

    room_a = rows["room-a"]
    assert (room_a.open_minutes, room_a.booked_minutes) == (3420, 210)
    assert room_a.occupancy == round(210 / 3420, 4)
    assert (room_a.bookings, room_a.cancellations, room_a.no_shows) == (3, 1, 1)
    assert (room_a.revenue, room_a.refunds, room_a.net_revenue) == (30_000, 10_000, 20_000)
    assert (room_a.reductions, room_a.reduction_amount) == (1, 10_000)
    assert room_a.lead_days == 7.0  # 10, 1 and 10 days ahead
    assert (room_a.cancellation_rate, room_a.no_show_rate) == (round(1 / 3, 4), round(1 / 3, 4))

    room_b = rows["room-b"]
    assert (room_b.open_minutes, room_b.booked_minutes, room_b.bookings) == (9960, 240, 1)
    gallery = rows["gallery-c"]
    assert (gallery.open_minutes, gallery.booked_minutes, gallery.bookings) == (9960, 2880, 1)

    facility = usage.facilities[0]
    assert (facility.key, facility.open_minutes, facility.booked_minutes) == (town.slug, 23340, 3330)
    assert usage.total.booked_hours == 55.5
    assert usage.complete and usage.built_at is not None


def test_a_booking_across_midnight_counts_on_both_days(week):
    monday = SpaceDay.objects.get(space=week["b"], day=MONDAY)
    tuesday = SpaceDay.objects.get(space=week["b"], day=MONDAY + timedelta(days=1))
    assert (monday.booked_minutes, tuesday.booked_minutes) == (120, 120)
    assert (getattr(monday, hour_field(22)), getattr(monday, hour_field(23))) == (60, 60)
    assert (getattr(tuesday, hour_field(0)), getattr(tuesday, hour_field(1))) == (60, 60)
    # The booking is counted once, on the day it starts.
    assert (monday.bookings, tuesday.bookings) == (1, 0)


def test_holidays_and_closures_are_taken_out_of_open_hours(week):
    days = dict(SpaceDay.objects.filter(space=week["a"]).values_list("day", "open_minutes"))
    assert days[date(2026, 12, 23)] == 780 - 240  # two closures overlapping by an hour
    assert days[date(2026, 12, 25)] == 0  # Christmas
    assert days[date(2026, 12, 27)] == 0  # Sunday
    assert days[date(2026, 12, 26)] == 540  # Saturday 09:00–18:00
    # Room B opens on holidays; the facility-wide closure still closes it for two hours.
    room_b = dict(SpaceDay.objects.filter(space=week["b"]).values_list("day", "open_minutes"))
    assert room_b[date(2026, 12, 25)] == 1440
    assert room_b[date(2026, 12, 23)] == 1440 - 120


def test_heatmap_by_weekday_and_hour_leaves_out_spaces_booked_by_the_day(week, town):
    hours = selectors.heatmap(facility_ids=[town.pk], first=MONDAY, last=SUNDAY).hours
    assert len(hours) == 7 and all(len(row) == 24 for row in hours)
    monday, tuesday = hours[0], hours[1]
    assert {hour: value for hour, value in enumerate(monday) if value} == {10: 1.0, 11: 1.0, 22: 1.0, 23: 1.0}
    assert {hour: value for hour, value in enumerate(tuesday) if value} == {0: 1.0, 1: 1.0, 9: 0.5, 10: 1.0}
    assert not any(any(row) for row in hours[2:])


def test_money_reductions_and_organizations(week, town):
    scope = {"facility_ids": [town.pk], "first": MONDAY, "last": SUNDAY}
    months = selectors.money_by_month(**scope)
    assert [(row.month, row.revenue, row.refunds, row.net) for row in months] == [
        (date(2026, 12, 1), 30_000, 10_000, 20_000)
    ]
    reductions = selectors.reductions_by_category(**scope)
    assert [(row.category, row.count, row.amount) for row in reductions] == [("social_economy", 1, 10_000)]
    organizations = selectors.top_organizations(**scope)
    # The studio used the rooms for 52 hours (room B and the gallery), the cooperative for 3.5.
    assert [(row.name, row.bookings, row.booked_hours) for row in organizations] == [
        ("스튜디오 밤", 2, 52.0),
        ("사회적협동조합 해온", 3, 3.5),
    ]


def test_months_without_money_have_their_row(week, town):
    months = selectors.money_by_month(facility_ids=[town.pk], first=date(2026, 11, 15), last=date(2027, 1, 10))
    assert [row.month for row in months] == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    assert [row.revenue for row in months] == [0, 30_000, 0]


def test_a_window_cuts_bookings_at_its_edges(week):
    tuesday = MONDAY + timedelta(days=1)
    SpaceDay.objects.all().delete()
    services.build_usage(first=tuesday, last=tuesday)
    row = SpaceDay.objects.get(space=week["b"], day=tuesday)
    assert (row.booked_minutes, row.bookings) == (120, 0)
    assert SpaceDay.objects.filter(day=MONDAY).count() == 0


def test_building_again_gives_the_same_rows_and_follows_changes(week, town):
    def snapshot():
        return list(SpaceDay.objects.order_by("space_id", "day").values_list(*_compared_fields()))

    before = snapshot()
    services.build_usage(first=MONDAY, last=SUNDAY)
    assert snapshot() == before

    Booking.objects.filter(space=week["a"], start=seoul(2026, 12, 21, 10)).update(status="cancelled")
    services.build_usage(first=MONDAY, last=SUNDAY)
    room_a = {row.key: row for row in _week(town).spaces}["room-a"]
    assert (room_a.booked_minutes, room_a.cancellations, room_a.reductions) == (90, 2, 0)
    # Paid and cancelled without a refund: the money was kept.
    assert room_a.revenue == 30_000


def test_a_period_not_built_is_reported_incomplete(week, town):
    usage = selectors.utilization(facility_ids=[town.pk], first=MONDAY, last=SUNDAY + timedelta(days=1))
    assert not usage.complete
    empty = selectors.utilization(facility_ids=[town.pk], first=date(2027, 6, 1), last=date(2027, 6, 30))
    assert (empty.spaces, empty.complete, empty.built_at) == ([], False, None)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 12, 2), date(2026, 12, 1)),
        (date(1999, 1, 1), date(1999, 1, 2)),
        (date(2024, 1, 1), date(2026, 12, 1)),
    ],
)
def test_a_bad_window_is_refused(db, first, last):
    with pytest.raises(DomainError) as refused:
        services.build_usage(first=first, last=last)
    assert refused.value.code == "invalid_period"
    assert not SpaceDay.objects.exists()


def test_reports_cost_the_same_queries_whatever_the_data(town, django_assert_num_queries):
    scope = {"facility_ids": [town.pk], "first": MONDAY, "last": SUNDAY}

    def grow(rooms):
        for index in range(rooms):
            space = SpaceFactory(facility=town)
            BookingFactory(space=space, start=seoul(2026, 12, 22, 10 + index % 8), organization=OrganizationFactory())
        services.build_usage(first=MONDAY, last=SUNDAY)

    grow(2)
    with django_assert_num_queries(6):
        selectors.report(**scope)
    grow(20)
    with django_assert_num_queries(6):
        report = selectors.report(**scope)
    assert len(report.utilization.spaces) == 22


def test_a_build_costs_the_same_queries_whatever_the_bookings(town, django_assert_num_queries):
    space = SpaceFactory(facility=town)
    # Spaces, closures, counts, booked minutes, and the rows written inside one transaction.
    with django_assert_num_queries(7):
        services.build_usage(first=MONDAY, last=SUNDAY)
    for hour in range(10, 20):
        BookingFactory(space=space, start=seoul(2026, 12, 22, hour))
    with django_assert_num_queries(7):
        services.build_usage(first=MONDAY, last=SUNDAY)
    assert SpaceDay.objects.get(space=space, day=date(2026, 12, 22)).booked_minutes == 600


def _compared_fields():
    return [field.name for field in SpaceDay._meta.concrete_fields if field.name not in ("id", "built_at")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_builds_at_once_write_the_same_rows(week):
    services.build_usage(first=MONDAY - timedelta(days=7), last=SUNDAY)
    expected = list(SpaceDay.objects.order_by("space_id", "day").values_list(*_compared_fields()))
    SpaceDay.objects.all().delete()

    barrier, errors = threading.Barrier(2), []

    def build():
        try:
            barrier.wait(timeout=15)
            services.build_usage(first=MONDAY - timedelta(days=7), last=SUNDAY)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert list(SpaceDay.objects.order_by("space_id", "day").values_list(*_compared_fields())) == expected


def test_the_schedule_refreshes_recent_days_often_and_the_past_year_nightly():
    from dongnam.celery import app

    tasks = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert str(tasks["reports.tasks.refresh_recent_usage"]) == "<crontab: */15 * * * * (m/h/dM/MY/d)>"
    assert "reports.tasks.rebuild_usage" in tasks


@time_machine.travel(seoul(2026, 12, 22, 9), tick=False)
def test_the_tasks_build_their_windows(week):
    SpaceDay.objects.all().delete()
    rows = tasks.refresh_recent_usage()
    days = SpaceDay.objects.filter(space=week["a"]).aggregate(first=Min("day"), last=Max("day"))
    assert (days["first"], days["last"]) == (date(2026, 11, 17), date(2027, 3, 24))
    assert rows == 4 * 128  # every space, the other facility's too
    assert tasks.rebuild_usage("2026-12-21", "2026-12-27") == 4 * 7
    assert tasks.rebuild_usage() == 4 * 401
