"""The free-room search decides in SQL what ``rules.hours_allow`` decides for one booking, and answers as before.

``selectors.open_during`` states the opening-hours rule a second time, over the rows of opening hours; the
random windows below keep the two statements one rule. Run on SQLite and PostgreSQL.
"""

import random
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from bookings.api import SpaceSerializer
from bookings.rules import hours_allow
from bookings.selectors import open_during, space_list
from hall.models import Space
from hall.opening_hours import WEEKDAYS
from tests.factories import AmenityFactory, BookingFactory, SpaceFactory, seoul

pytestmark = pytest.mark.django_db

SEED = 20261207


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _random_hours(rng: random.Random) -> dict:
    """Up to three intervals a day on a 30-minute grid, some touching, some closing at 24:00, some days closed."""
    hours = {}
    for day in WEEKDAYS:
        count = rng.choice([0, 1, 1, 1, 2, 3])
        bounds = sorted(rng.sample(range(0, 24 * 60 + 1, 30), 2 * count))
        if count and rng.random() < 0.3:
            bounds[-1] = 24 * 60
        pairs = [[_clock(bounds[2 * n]), _clock(bounds[2 * n + 1])] for n in range(count)]
        if len(pairs) == 2 and rng.random() < 0.3:
            pairs[1][0] = pairs[0][1]  # two intervals touching: a window across both is in neither
        if day != "sun" or rng.random() < 0.5:
            hours[day] = pairs
    return hours


def _randomize(rng: random.Random, facilities, spaces) -> None:
    """New hours and holiday rules everywhere, saved as the forms and the admin save them."""
    for facility in facilities:
        facility.opening_hours = _random_hours(rng)
        facility.open_on_holidays = rng.random() < 0.3
        facility.save(update_fields=["opening_hours", "open_on_holidays"])
    for space in spaces:
        space.opening_hours = rng.choice([None, None, {}, {day: [["00:00", "24:00"]] for day in WEEKDAYS}])
        if space.opening_hours is None and rng.random() < 0.5:
            space.opening_hours = _random_hours(rng)
        space.open_on_holidays = rng.choice([None, None, True, False])
        space.booking_unit = rng.choice([Space.BookingUnit.SLOT] * 4 + [Space.BookingUnit.DAY])
        space.save()


def _random_window(rng: random.Random) -> tuple[datetime, datetime]:
    # Around Christmas, New Year and Seollal 2027 (6–9 February), so that holidays come up often.
    day = seoul(2026, 12, 20) + timedelta(days=rng.randrange(60))
    start = day + timedelta(minutes=rng.choice([0, 0, rng.randrange(0, 24 * 60, 30), rng.randrange(24 * 60)]))
    if rng.random() < 0.1:
        start += timedelta(seconds=rng.randrange(1, 60))
    length = rng.choice(
        [
            timedelta(minutes=rng.randrange(1, 24 * 60)),
            timedelta(minutes=30 * rng.randrange(1, 48)),
            timedelta(days=rng.randrange(1, 4)),
            datetime.combine(start.date() + timedelta(days=1), time(0), tzinfo=start.tzinfo) - start,
            timedelta(minutes=rng.randrange(1, 31 * 24 * 60)),
            timedelta(seconds=rng.randrange(1, 3600)),
        ]
    )
    return start, start + length


def test_the_search_opens_the_spaces_the_booking_rule_lets_be_used(hall):
    rng = random.Random(SEED)
    facilities = list(hall.values())
    spaces = [SpaceFactory(facility=rng.choice(facilities), slug=f"room-{number:02d}") for number in range(16)]
    for _ in range(3):
        _randomize(rng, facilities, spaces)
        loaded = list(Space.objects.select_related("facility"))
        opened_somewhere = 0
        for _ in range(150):
            start, end = _random_window(rng)
            expected = {space.slug for space in loaded if hours_allow(space, start, end)}
            found = set(open_during(Space.objects.all(), start=start, end=end).values_list("slug", flat=True))
            assert found == expected, (start, end)
            opened_somewhere += bool(expected)
        assert opened_somewhere > 30  # the windows test open spaces, not only closed ones


def test_a_space_back_to_its_facilitys_hours_follows_them(town):
    room = SpaceFactory(facility=town, opening_hours={day: [["06:00", "08:00"]] for day in WEEKDAYS})
    early = (seoul(2026, 12, 7, 6), seoul(2026, 12, 7, 7))
    late = (seoul(2026, 12, 7, 20), seoul(2026, 12, 7, 21))

    def open_for(start, end):
        return room in open_during(Space.objects.all(), start=start, end=end)

    assert open_for(*early) and not open_for(*late)

    room.opening_hours = None
    room.save(update_fields=["opening_hours"])
    town.opening_hours = {day: [["19:00", "24:00"]] for day in WEEKDAYS}
    town.save()

    assert open_for(*late) and not open_for(*early)


class GenericSpaceSerializer(SpaceSerializer):
    """The space serializer through DRF's field-by-field path, with a URL reversed per space."""

    def to_representation(self, instance):
        return serializers.ModelSerializer.to_representation(self, instance)

    def get_url(self, space) -> str:
        return self.context["request"].build_absolute_uri(space.get_absolute_url())


@pytest.fixture
def varied_rooms(hall):
    projector = AmenityFactory(slug="projector", name="빔프로젝터")
    wifi = AmenityFactory(slug="wifi", name="와이파이")
    piano = AmenityFactory(slug="piano", name="피아노")
    town, art = hall["innovation-town"], hall["art-center"]
    SpaceFactory(facility=town, slug="plain", area_m2=None, name_en="")
    SpaceFactory(facility=town, slug="equipped", area_m2="42.5", amenities=[wifi, projector, piano], floor=-1)
    SpaceFactory(
        facility=art,
        slug="own-rules",
        capacity=80,
        requires_approval=False,
        opening_hours={"mon": [["10:00", "12:00"], ["13:00", "24:00"]], "tue": [["09:00", "18:00"]]},
        photo="spaces/own-rules.jpg",
        amenities=[piano],
    )
    SpaceFactory(facility=art, slug="gallery", kind=Space.Kind.GALLERY, booking_unit=Space.BookingUnit.DAY)
    SpaceFactory(facility=town, slug="closed-room", is_bookable=False)
    taken = SpaceFactory(facility=town, slug="taken", amenities=[wifi])
    BookingFactory(space=taken, start=seoul(2027, 1, 4, 10), end=seoul(2027, 1, 4, 11))
    return hall


@pytest.mark.parametrize(
    "query",
    [
        {"page_size": 200},
        {"page_size": 200, "available_from": "2027-01-04T10:00", "available_to": "2027-01-04T12:00"},
        {"page_size": 200, "available_from": "2027-01-04T00:00", "available_to": "2027-01-06T00:00"},
        {"page_size": 200, "amenity": ["wifi", "piano"]},
        {"page_size": 2, "page": 2, "available_from": "2027-01-04T13:00", "available_to": "2027-01-04T14:00"},
    ],
)
def test_the_space_list_answers_byte_for_byte_as_the_generic_serializer(api_client, varied_rooms, query):
    response = api_client.get("/api/v1/spaces/", query)

    request = APIRequestFactory().get("/api/v1/spaces/", query)
    expected_spaces = [space["slug"] for space in response.json()["results"]]
    spaces = sorted(space_list().filter(slug__in=expected_spaces), key=lambda space: expected_spaces.index(space.slug))
    results = GenericSpaceSerializer(spaces, many=True, context={"request": request}).data
    body = {key: response.json()[key] for key in ("count", "next", "previous")} | {"results": results}
    assert response.status_code == 200
    assert response.content == JSONRenderer().render(body)
    assert len(results) == len(expected_spaces)


@pytest.mark.parametrize(
    ("window", "free"),
    [
        (("2027-01-04T10:00", "2027-01-04T12:00"), ["plain", "equipped", "own-rules"]),  # a Monday
        (("2027-01-04T12:00", "2027-01-04T14:00"), ["plain", "equipped", "taken"]),
        (("2027-01-04T00:00", "2027-01-05T00:00"), ["gallery"]),
        (("2027-01-01T10:00", "2027-01-01T12:00"), []),  # New Year's Day
    ],
)
def test_the_count_and_the_pages_come_from_one_evaluation_of_the_search(api_client, varied_rooms, window, free):
    query = {"available_from": window[0], "available_to": window[1], "page_size": 2}
    with CaptureQueriesContext(connection) as queries:
        first = api_client.get("/api/v1/spaces/", query).json()
    closure_reads = [q["sql"] for q in queries.captured_queries if "bookings_closure" in q["sql"]]
    second = api_client.get("/api/v1/spaces/", {**query, "page": 2})

    everything = api_client.get("/api/v1/spaces/", {**query, "page_size": 200}).json()
    assert sorted(space["slug"] for space in everything["results"]) == sorted(free)
    assert first["count"] == everything["count"] == len(free)
    assert [space["slug"] for space in first["results"]] == [space["slug"] for space in everything["results"][:2]]
    if len(free) > 2:
        assert second.json()["results"] == everything["results"][2:4]
        assert second.json()["previous"] and not second.json()["next"]
    else:
        assert second.status_code == 404
    assert len(closure_reads) == 1  # the free-room condition, evaluated once for the count and the page


def test_the_finder_page_lists_the_spaces_the_api_finds_in_its_order(client, api_client, varied_rooms):
    query = {"available_from": "2027-01-04T12:00", "available_to": "2027-01-04T14:00"}

    page = client.get("/spaces/", query).content.decode()
    found = [space["slug"] for space in api_client.get("/api/v1/spaces/", query).json()["results"]]

    assert found == ["equipped", "plain", "taken"]  # the basement room first
    positions = [page.index(f'href="/spaces/{slug}/') for slug in found]
    assert positions == sorted(positions)
    assert 'href="/spaces/own-rules/' not in page


def test_a_page_past_the_last_is_not_found(api_client, varied_rooms):
    query = {"available_from": "2027-01-04T10:00", "available_to": "2027-01-04T12:00", "page_size": 2}

    response = api_client.get("/api/v1/spaces/", {**query, "page": 3})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_finder_page_reads_its_page_and_count_in_one_evaluation_of_the_search(client, varied_rooms):
    query = {"available_from": "2027-01-04T12:00", "available_to": "2027-01-04T14:00"}

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/spaces/", query)

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3
    assert [space.slug for space in response.context["page"]] == ["equipped", "plain", "taken"]
    assert len([q for q in queries.captured_queries if "bookings_closure" in q["sql"]]) == 1


@pytest.mark.parametrize(("asked", "shown"), [("x", 1), ("0", 2), ("2", 2), ("9", 2)])
def test_the_finder_falls_back_to_the_first_or_last_page_for_a_page_it_does_not_have(
    client, varied_rooms, asked, shown, monkeypatch
):
    monkeypatch.setattr("bookings.views.SPACES_PER_PAGE", 2)
    query = {"available_from": "2027-01-04T12:00", "available_to": "2027-01-04T14:00", "page": asked}

    page = client.get("/spaces/", query).context["page"]

    assert page.number == shown
    assert [space.slug for space in page] == (["equipped", "plain"] if shown == 1 else ["taken"])
