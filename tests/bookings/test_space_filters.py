import re

import pytest

from hall.models import Space
from tests.factories import AmenityFactory, SpaceFactory

# A room's card links to the room, with the search's day, times and people when it has them.
SPACE_LINK = re.compile(r'<h2 class="card-title"><a href="/spaces/([\w-]+)/[?"]')


@pytest.fixture
def rooms(hall):
    """Six rooms over both buildings, with different kinds, sizes and amenities."""
    projector = AmenityFactory(slug="projector", name="빔프로젝터", name_en="Projector")
    wifi = AmenityFactory(slug="wifi", name="와이파이", name_en="Wi-Fi")
    piano = AmenityFactory(slug="piano", name="피아노", name_en="Piano")
    town, art, ckl, webtoon = (
        hall[slug] for slug in ("innovation-town", "art-center", "content-korea-lab", "webtoon-campus")
    )
    SpaceFactory(facility=town, slug="town-small", capacity=6, amenities=[wifi])
    SpaceFactory(facility=town, slug="town-big", capacity=40, amenities=[projector, wifi])
    SpaceFactory(facility=art, slug="art-hall", kind=Space.Kind.HALL, capacity=150, amenities=[projector, piano])
    SpaceFactory(facility=art, slug="art-practice", kind=Space.Kind.PRACTICE_ROOM, capacity=10, amenities=[piano])
    SpaceFactory(facility=ckl, slug="ckl-booth", kind=Space.Kind.RECORDING_BOOTH, capacity=3)
    SpaceFactory(facility=webtoon, slug="webtoon-lab", kind=Space.Kind.DRAWING_LAB, capacity=20, amenities=[wifi])
    return hall


def _html_slugs(client, query):
    response = client.get("/spaces/", query)
    assert response.status_code == 200, response.content.decode()
    return set(SPACE_LINK.findall(response.content.decode()))


def _api_slugs(api_client, query):
    response = api_client.get("/api/v1/spaces/", query)
    assert response.status_code == 200, response.content.decode()
    return {space["slug"] for space in response.json()["results"]}


FILTER_CASES = [
    ({}, {"town-small", "town-big", "art-hall", "art-practice", "ckl-booth", "webtoon-lab"}),
    ({"building": "main"}, {"town-small", "town-big", "art-hall", "art-practice"}),
    ({"building": "east"}, {"ckl-booth", "webtoon-lab"}),
    ({"facility": "art-center"}, {"art-hall", "art-practice"}),
    ({"facility": "webtoon-campus"}, {"webtoon-lab"}),
    ({"kind": "meeting_room"}, {"town-small", "town-big"}),
    ({"kind": "recording_booth"}, {"ckl-booth"}),
    ({"capacity_min": "20"}, {"town-big", "art-hall", "webtoon-lab"}),
    ({"capacity_min": "151"}, set()),
    ({"amenity": "projector"}, {"town-big", "art-hall"}),
    ({"amenity": ["projector", "wifi"]}, {"town-big"}),
    ({"amenity": ["projector", "piano"]}, {"art-hall"}),
    ({"amenity": ["wifi", "piano"]}, set()),
    ({"building": "main", "capacity_min": "10", "amenity": "piano"}, {"art-hall", "art-practice"}),
    ({"facility": "innovation-town", "kind": "meeting_room", "capacity_min": "7"}, {"town-big"}),
    ({"building": "east", "facility": "art-center"}, set()),
]


@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_html_list_filters(client, rooms, query, expected):
    assert _html_slugs(client, query) == expected


@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_api_list_filters(api_client, rooms, query, expected):
    assert _api_slugs(api_client, query) == expected


@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_html_and_api_agree(client, api_client, rooms, query, expected):
    assert _html_slugs(client, query) == _api_slugs(api_client, query)


def test_html_list_counts_what_it_found(client, rooms):
    body = client.get("/spaces/", {"building": "east"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "2 spaces found" in body


def test_html_list_says_when_nothing_matches(client, rooms):
    body = client.get("/spaces/", {"amenity": ["wifi", "piano"]}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "No space matches these filters." in body


def test_html_list_keeps_the_chosen_filters_in_the_form(client, rooms):
    body = client.get("/spaces/", {"facility": "art-center", "amenity": "piano"}).content.decode()

    assert re.search(r'<option value="art-center" selected>', body)
    assert re.search(r'<input type="checkbox" name="amenity" value="piano"[^>]*checked', body)


def test_html_list_paginates(client, town):
    for number in range(30):
        SpaceFactory(facility=town, slug=f"room-{number:02d}")

    first = client.get("/spaces/")
    second = client.get("/spaces/", {"page": 2})

    first_slugs = set(SPACE_LINK.findall(first.content.decode()))
    second_slugs = set(SPACE_LINK.findall(second.content.decode()))
    assert len(first_slugs) == 24
    assert len(second_slugs) == 6
    assert first_slugs.isdisjoint(second_slugs)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"capacity_min": "abc"}, "capacity_min", "Enter a number."),
        ({"capacity_min": "0"}, "capacity_min", "Ensure this value is greater than or equal to 1."),
        ({"facility": "unknown"}, "facility", "Select a valid choice."),
        ({"building": "west"}, "building", "Select a valid choice."),
        ({"kind": "swimming_pool"}, "kind", "Select a valid choice."),
        ({"amenity": ["wifi", "jacuzzi"]}, "amenity", "Select a valid choice."),
    ],
)
def test_html_list_shows_the_error_for_invalid_input(client, rooms, query, field, message):
    response = client.get("/spaces/", query, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'class="errorlist' in body
    assert SPACE_LINK.findall(body) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"capacity_min": "abc"}, "capacity_min"),
        ({"capacity_min": "0"}, "capacity_min"),
        ({"facility": "unknown"}, "facility"),
        ({"building": "west"}, "building"),
        ({"kind": "swimming_pool"}, "kind"),
        ({"amenity": ["wifi", "jacuzzi"]}, "amenity"),
    ],
)
def test_api_list_refuses_invalid_input(api_client, rooms, query, field):
    response = api_client.get("/api/v1/spaces/", query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert list(body["errors"]) == [field]
    assert body["errors"][field][0]


def test_space_detail_page(client, rooms):
    response = client.get("/spaces/art-hall/")

    assert response.status_code == 200
    body = response.content.decode()
    assert Space.objects.get(slug="art-hall").name in body
    assert "동남아트센터" in body
    assert "피아노" in body and "빔프로젝터" in body


def test_unknown_space_is_404(client, rooms):
    assert client.get("/spaces/no-such-room/").status_code == 404


def test_api_space_carries_its_place_in_the_hall(api_client, rooms):
    response = api_client.get("/api/v1/spaces/art-hall/")

    assert response.status_code == 200
    space = response.json()
    assert space["slug"] == "art-hall"
    assert space["name"] == Space.objects.get(slug="art-hall").name
    assert space["kind"] == "hall"
    assert space["capacity"] == 150
    assert space["facility"] == "art-center"
    assert space["building"] == "main"
    assert sorted(space["amenities"]) == ["piano", "projector"]
    assert space["url"] == "http://testserver/spaces/art-hall/"


def test_api_space_takes_its_policy_from_the_facility_unless_it_has_its_own(api_client, town):
    SpaceFactory(facility=town, slug="own-rules", requires_approval=False)
    SpaceFactory(facility=town, slug="facility-rules")

    own = api_client.get("/api/v1/spaces/own-rules/").json()
    inherited = api_client.get("/api/v1/spaces/facility-rules/").json()

    assert own["requires_approval"] is False
    assert inherited["requires_approval"] is True
    assert inherited["opening_hours"]["sun"] == []
    assert inherited["opening_hours"]["mon"] == [["09:00", "22:00"]]
