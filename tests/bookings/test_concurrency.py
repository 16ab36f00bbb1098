"""Many people book the same room at the same moment: one wins, the others are told the slot is taken.

These run in both passes: on SQLite (a file database with IMMEDIATE transactions) and on PostgreSQL.
"""

import itertools
import threading
from datetime import timedelta

import pytest
from django.db import connection

from audit.models import AuditEntry
from bookings import services
from bookings.models import Booking
from tests.factories import MembershipFactory, seoul

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_now")]

THREADS = 20
BARRIER_TIMEOUT = 15
JOIN_TIMEOUT = 60


@pytest.fixture
def bookers(space):
    return [MembershipFactory().user for _ in range(THREADS)]


def race(space, bookers, ranges):
    """Let every booker try their range at once; returns one outcome per booker."""
    barrier = threading.Barrier(len(bookers))
    outcomes = [("not run", None)] * len(bookers)

    def attempt(index):
        start, end = ranges[index]
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT)
            booking = services.create_booking(
                requested_by=bookers[index],
                space=space,
                start=start,
                end=end,
                title=f"Race {index}",
                attendees=2,
            )
            outcomes[index] = ("booked", booking.pk)
        except services.BookingError as error:
            outcomes[index] = ("refused", error.code)
        except BaseException as error:
            outcomes[index] = ("crashed", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(index,), daemon=True) for index in range(len(bookers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a booking thread hung"
    return outcomes


def active_bookings(space):
    return list(Booking.objects.filter(space=space, status__in=Booking.ACTIVE_STATUSES).order_by("start"))


def assert_no_overlap(bookings):
    for first, second in itertools.combinations(bookings, 2):
        assert first.end <= second.start or second.end <= first.start, (first, second)


def test_twenty_people_booking_the_same_slot_at_once_get_exactly_one_booking(space, bookers):
    slot = (seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12))

    outcomes = race(space, bookers, [slot] * THREADS)

    booked = [outcome for outcome in outcomes if outcome[0] == "booked"]
    others = [outcome for outcome in outcomes if outcome[0] != "booked"]
    assert len(booked) == 1, outcomes
    assert others == [("refused", "slot_taken")] * (THREADS - 1), outcomes
    [booking] = active_bookings(space)
    assert booking.pk == booked[0][1]
    assert (booking.start, booking.end) == slot
    assert Booking.objects.count() == 1
    assert AuditEntry.objects.filter(action="booking.created").count() == 1


def test_twenty_people_booking_overlapping_ranges_at_once_get_exactly_one_booking(space, bookers):
    # Starts from 10:00 to 12:00, each 2½ hours long: every two of them share 12:00–12:30.
    ranges = []
    for index in range(THREADS):
        start = seoul(2026, 12, 7, 10) + timedelta(minutes=30 * (index % 5))
        ranges.append((start, start + timedelta(minutes=150)))

    outcomes = race(space, bookers, ranges)

    booked = [outcome for outcome in outcomes if outcome[0] == "booked"]
    assert len(booked) == 1, outcomes
    assert sorted(outcome for outcome in outcomes if outcome[0] != "booked") == [("refused", "slot_taken")] * (
        THREADS - 1
    ), outcomes
    [booking] = active_bookings(space)
    winner = next(index for index, outcome in enumerate(outcomes) if outcome[0] == "booked")
    assert (booking.start, booking.end) == ranges[winner]
    assert Booking.objects.count() == 1


def test_racing_for_two_touching_slots_gives_one_booking_in_each(space, bookers):
    morning = (seoul(2026, 12, 7, 10), seoul(2026, 12, 7, 12))
    noon = (seoul(2026, 12, 7, 12), seoul(2026, 12, 7, 14))
    ranges = [morning if index % 2 else noon for index in range(THREADS)]

    outcomes = race(space, bookers, ranges)

    assert [outcome[0] for outcome in outcomes].count("booked") == 2, outcomes
    assert {outcome for outcome in outcomes if outcome[0] != "booked"} == {("refused", "slot_taken")}, outcomes
    bookings = active_bookings(space)
    assert [(b.start, b.end) for b in bookings] == [morning, noon]
    assert_no_overlap(bookings)
