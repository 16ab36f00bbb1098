import json
import re

import pytest
import yaml

from accounts.services import create_personal_token
from tests.factories import SpaceFactory


@pytest.fixture
def token(startup_member):
    _token, plain = create_personal_token(user=startup_member, name="tests")
    return plain


def _assert_json_error(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.mark.parametrize("url", ["/api/v1/spaces/", "/api/v1/buildings/", "/api/v1/facilities/"])
def test_unknown_query_parameter_is_refused(api_client, hall, url):
    response = api_client.get(url, {"capacity": "10"})

    body = _assert_json_error(response, 400, "unknown_parameter")
    assert list(body["errors"]) == ["capacity"]


def test_every_unknown_parameter_is_named(api_client, hall):
    response = api_client.get("/api/v1/spaces/", {"facilty": "art-center", "sort": "name", "kind": "hall"})

    body = _assert_json_error(response, 400, "unknown_parameter")
    assert sorted(body["errors"]) == ["facilty", "sort"]


def test_known_filter_parameters_are_accepted(api_client, hall):
    response = api_client.get(
        "/api/v1/spaces/",
        {"building": "main", "facility": "innovation-town", "kind": "meeting_room", "capacity_min": 1, "page": 1},
    )

    assert response.status_code == 200


@pytest.mark.parametrize("page_size", ["201", "0", "-1", "x", "1.5"])
def test_page_size_out_of_range_is_refused(api_client, hall, page_size):
    response = api_client.get("/api/v1/spaces/", {"page_size": page_size})

    body = _assert_json_error(response, 400, "invalid")
    assert list(body["errors"]) == ["page_size"]


@pytest.mark.parametrize("page_size", ["1", "200"])
def test_page_size_within_range_is_accepted(api_client, space, page_size):
    response = api_client.get("/api/v1/spaces/", {"page_size": page_size})

    assert response.status_code == 200


def test_lists_are_paginated(api_client, town):
    for number in range(5):
        SpaceFactory(facility=town, slug=f"room-{number}")

    first = api_client.get("/api/v1/spaces/", {"page_size": 2})
    last = api_client.get("/api/v1/spaces/", {"page_size": 2, "page": 3})

    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["previous"] is None
    assert "page=2" in body["next"] and "page_size=2" in body["next"]
    assert last.json()["next"] is None
    assert [space["slug"] for space in last.json()["results"]] == ["room-4"]


def test_default_page_size_is_50(api_client, town):
    for number in range(51):
        SpaceFactory(facility=town, slug=f"room-{number:02d}")

    body = api_client.get("/api/v1/spaces/").json()

    assert body["count"] == 51
    assert len(body["results"]) == 50


def test_a_page_past_the_end_is_404(api_client, space):
    response = api_client.get("/api/v1/spaces/", {"page": 9})

    _assert_json_error(response, 404, "not_found")


@pytest.mark.parametrize("url", ["/api/v1/spaces/nope/", "/api/v1/buildings/nope/", "/api/v1/facilities/nope/"])
def test_unknown_object_is_404_json(api_client, hall, url):
    response = api_client.get(url)

    _assert_json_error(response, 404, "not_found")


@pytest.mark.parametrize("url", ["/api/v1/nothing/", "/api/v2/spaces/", "/api/"])
def test_unknown_api_url_is_404_json(client, db, url):
    response = client.get(url)

    _assert_json_error(response, 404, "not_found")


def test_unknown_page_outside_the_api_is_html(client, db):
    response = client.get("/nothing/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_anonymous_write_to_a_read_only_endpoint_is_401(api_client, space, method):
    url = "/api/v1/spaces/" if method == "post" else f"/api/v1/spaces/{space.slug}/"

    response = getattr(api_client, method)(url, {"name": "x"}, format="json")

    _assert_json_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_write_with_a_token_to_a_read_only_endpoint_is_405(api_client, space, token, method):
    url = "/api/v1/spaces/" if method == "post" else f"/api/v1/spaces/{space.slug}/"

    response = getattr(api_client, method)(url, {"name": "x"}, format="json", HTTP_AUTHORIZATION=f"Token {token}")

    _assert_json_error(response, 405, "method_not_allowed")
    space.refresh_from_db()
    assert space.name != "x"


def test_api_lists_buildings_and_facilities_by_slug(api_client, hall):
    buildings = api_client.get("/api/v1/buildings/").json()["results"]
    facilities = api_client.get("/api/v1/facilities/").json()["results"]

    assert [b["slug"] for b in buildings] == ["main", "east"]
    assert buildings[0]["facilities"] == ["innovation-town", "art-center"]
    assert [f["slug"] for f in facilities] == ["innovation-town", "art-center", "content-korea-lab", "webtoon-campus"]
    assert facilities[2]["building"] == "east"


def test_schema_describes_the_api(client, db):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Dongnam API"
    assert "/api/v1/spaces/" in schema["paths"]
    assert "/api/v1/spaces/{slug}/" in schema["paths"]
    assert "/api/v1/buildings/" in schema["paths"]
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/spaces/"]["get"]["parameters"]}
    assert {"building", "facility", "kind", "capacity_min", "amenity", "page", "page_size"} <= set(parameters)
    assert parameters["amenity"]["schema"]["type"] == "array"
    schemes = schema["components"]["securitySchemes"].values()
    assert any(s.get("in") == "header" and s.get("name") == "Authorization" for s in schemes)


def test_docs_page_uses_only_local_files(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    body = response.content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert references, "the docs page loads no scripts or styles"
    assert not [url for url in references if re.match(r"(https?:)?//", url)]
    assert not re.search(r"https?://(cdn|unpkg|fonts)\.", body)
    for url in references:
        asset = client.get(url)
        assert asset.status_code == 200, url


@pytest.mark.django_db
def test_nul_characters_in_input_are_a_400_not_a_500(client, startup_member):
    client.force_login(startup_member)
    body = {
        "space": "town\x00room",
        "start": "2026-12-01T10:00",
        "end": "2026-12-01T11:00",
        "title": "x",
        "attendees": 1,
    }

    posted = client.post("/api/v1/bookings/", data=json.dumps(body), content_type="application/json")
    queried = client.get("/api/v1/spaces/?facility=a%00b")

    assert (posted.status_code, posted.json()["code"]) == (400, "parse_error")
    assert (queried.status_code, queried.json()["code"]) == (400, "parse_error")
