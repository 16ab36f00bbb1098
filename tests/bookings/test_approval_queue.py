"""The approval queue: soonest start first, a "select all" for the bulk approve, and the count on the manager tab."""

import re
from datetime import timedelta

import pytest
import time_machine

from bookings.models import Booking
from tests.factories import FROZEN_NOW, BookingFactory, SpaceFactory, seoul


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture
def signed_in(client, manager):
    manager.language = "en"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    return manager


def _pending(space, title, *, start, asked_hours_ago=1):
    booking = BookingFactory(space=space, title=title, status=Booking.Status.PENDING, start=start)
    Booking.objects.filter(pk=booking.pk).update(created=FROZEN_NOW - timedelta(hours=asked_hours_ago))
    return booking


def _tab_count(body: str) -> str | None:
    match = re.search(r'class="tab-count" aria-hidden="true">(\d+)<', body)
    return match.group(1) if match else None


def test_the_booking_that_starts_soonest_comes_first_whenever_it_was_asked(client, signed_in, space):
    _pending(space, "Next month", start=seoul(2027, 1, 5, 10), asked_hours_ago=50)
    _pending(space, "Tomorrow", start=seoul(2026, 12, 2, 10), asked_hours_ago=1)
    _pending(space, "Next week", start=seoul(2026, 12, 8, 10), asked_hours_ago=20)

    body = client.get("/manage/approvals/").content.decode()

    assert body.index("Tomorrow") < body.index("Next week") < body.index("Next month")
    assert "3 requests, soonest first" in body


def test_select_all_acts_on_the_boxes_the_bulk_approve_sends(client, signed_in, space):
    _pending(space, "Tomorrow", start=seoul(2026, 12, 2, 10))

    body = client.get("/manage/approvals/").content.decode()

    assert re.search(r'<input type="checkbox" data-select-all="booking">\s*Select all', body)
    assert 'name="booking"' in body and 'form="bulk-form"' in body


def test_bulk_approve_approves_every_selected_booking(client, signed_in, space):
    first = _pending(space, "Tomorrow", start=seoul(2026, 12, 2, 10))
    second = _pending(space, "Next week", start=seoul(2026, 12, 8, 10))

    response = client.post("/manage/approvals/approve/", {"booking": [first.pk, second.pk]}, follow=True)

    assert "2 bookings approved." in response.content.decode()
    assert set(Booking.objects.values_list("status", flat=True)) == {Booking.Status.APPROVED}
    assert "Nothing awaits approval." in response.content.decode()


def test_the_manager_tab_shows_how_many_wait_on_every_manager_page(client, signed_in, space, art_center):
    _pending(space, "Tomorrow", start=seoul(2026, 12, 2, 10))
    _pending(space, "Next week", start=seoul(2026, 12, 8, 10))
    _pending(SpaceFactory(facility=art_center), "Not mine", start=seoul(2026, 12, 3, 10))

    for url in ("/manage/approvals/", "/manage/payments/", "/manage/"):
        assert _tab_count(client.get(url).content.decode()) == "2", url


def test_the_manager_tab_shows_no_count_when_nothing_waits(client, signed_in):
    assert _tab_count(client.get("/manage/approvals/").content.decode()) is None
    assert _tab_count(client.get("/manage/payments/").content.decode()) is None


def test_the_queue_uses_the_same_number_of_queries_whatever_its_length(
    client, signed_in, town, django_assert_num_queries
):
    client.get("/manage/approvals/")  # the session and content types are loaded once
    # Session and user, the TOTP guide (two) and the page's manager check, the header's links (two) and the bell,
    # and the queue (whose length is the tab's count).
    expected = 8 + 1

    def grow(size):
        for n in range(size):
            _pending(SpaceFactory(facility=town), f"Request {n}", start=seoul(2026, 12, 2 + n % 20, 10))

    grow(2)
    with django_assert_num_queries(expected):
        small = client.get("/manage/approvals/").content.decode()
    grow(10)
    with django_assert_num_queries(expected):
        large = client.get("/manage/approvals/").content.decode()

    assert _tab_count(small) == "2"
    assert _tab_count(large) == "12"
