"""Malformed input on any URL is the client's error (4xx), never a server error.

An outside test found two 500s: a JSON body nested thousands of levels deep (RecursionError) and a NUL in a
path segment (PostgreSQL refuses NUL in text: DataError). These tests send such input to real URLs.
"""

import json
import re

import pytest
from allauth.mfa.utils import is_mfa_enabled
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from accounts.services import create_personal_token
from bookings.models import Booking
from tenants.models import Membership
from tests.factories import BookingFactory, MembershipFactory, UserFactory, enable_totp
from tests.tenants.factories import LeaseContractFactory

DEEP = 5_000
ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?\w+>")
REGEX_PARAMETER = re.compile(r"\(\?P<\w+>[^)]*\)")
# A quoted cookie value may carry octal escapes, which Django decodes: this is a session key of eight NULs.
SESSION_COOKIE_OF_NULS = 'sessionid="' + "\\000" * 8 + '"'


def _route_parts(pattern) -> str | None:
    """The pattern as a path a user would type, with a ``{}`` for each parameter; None if it cannot be typed."""
    if isinstance(pattern, RoutePattern):
        return ROUTE_PARAMETER.sub("{}", str(pattern))
    text = pattern.regex.pattern.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    text = REGEX_PARAMETER.sub("{}", text).replace("\\.", ".").replace("/?", "/")
    return None if re.search(r"[\\^$()\[\]*+?|]", text) else text


def _templates(patterns, prefix="") -> set[str]:
    found = set()
    for entry in patterns:
        part = _route_parts(entry.pattern)
        if part is None:
            continue
        if isinstance(entry, URLResolver):
            found |= _templates(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern):
            found.add(prefix + part)
    return found


def paths_with_nul() -> list[str]:
    """Every URL of the project with a NUL in each of its segments, as ``%00`` in the address."""
    paths = set()
    for template in _templates(get_resolver().url_patterns):
        if "{}" in template:
            for value in ("%00", "1%00"):
                paths.add("/" + template.replace("{}", value))
        else:
            # Put the NUL in the last segment: "a/b/" -> "a/b%00/".
            stripped = template.rstrip("/")
            paths.add("/" + stripped + "%00" + template[len(stripped) :])
    return sorted(paths)


@pytest.fixture
def admin_client(db):
    """An admin who passed two-factor sign-in: reaches the manager pages and the Django admin."""
    admin = UserFactory(email="nul.admin@example.com", is_staff=True, is_superuser=True)
    enable_totp(admin)
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    return client


def _assert_client_errors(client, paths, method):
    server_errors = []
    for path in paths:
        response = getattr(client, method)(path)
        if response.status_code >= 500:
            server_errors.append(f"{method.upper()} {path} -> {response.status_code}")
    assert not server_errors, "\n".join(server_errors)


def test_the_calendar_feed_with_a_nul_token_is_a_bad_request(client, db):
    response = client.get("/calendar/%00.ics")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_nul_in_an_api_path_is_a_json_bad_request(api_client, db):
    response = api_client.get("/api/v1/bookings/%00/")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("query", ["q=%00", "%00=1", "date=2026-12-07%00"])
def test_a_nul_in_a_query_value_is_a_bad_request(client, db, query):
    assert client.get(f"/spaces/?{query}").status_code == 400
    assert client.get(f"/api/v1/spaces/?{query}").json()["code"] == "parse_error"


def test_every_url_with_a_nul_in_a_segment_is_a_client_error(admin_client):
    paths = paths_with_nul()
    # The URL resolver must have given the whole project, not a handful of pages.
    assert len(paths) > 150
    assert "/calendar/%00.ics" in paths
    _assert_client_errors(admin_client, paths, "get")
    _assert_client_errors(admin_client, paths, "post")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_every_url_with_a_nul_in_a_segment_is_a_client_error_on_postgresql():
    admin = UserFactory(email="nul.admin@example.com", is_staff=True, is_superuser=True)
    enable_totp(admin)
    client = Client(raise_request_exception=False)
    client.force_login(admin)

    _assert_client_errors(client, paths_with_nul(), "get")
    _assert_client_errors(client, paths_with_nul(), "post")


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def owner(db):
    """A tenant owner with a lease and a booking: the API endpoints below read their bodies for them."""
    membership = MembershipFactory(role=Membership.Role.OWNER)
    LeaseContractFactory(organization=membership.organization)
    BookingFactory(requested_by=membership.user, organization=membership.organization)
    return membership.user


@pytest.fixture
def token(owner):
    _token, plain = create_personal_token(user=owner, name="tests")
    return plain


def _api_urls(owner) -> list[str]:
    booking = owner.bookings.get()
    contract = owner.memberships.get().organization.contracts.get()
    return [
        "/api/v1/bookings/",
        f"/api/v1/bookings/{booking.pk}/cancel/",
        "/api/v1/bookings/waitlist/",
        f"/api/v1/contracts/{contract.pk}/renewal/",
    ]


@pytest.mark.parametrize("body", [_deep(DEEP), '{"a":' * DEEP + "1" + "}" * DEEP, "[" * DEEP])
def test_a_json_body_nested_thousands_deep_is_a_bad_request(api_client, owner, token, body):
    for url in _api_urls(owner):
        response = api_client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")

        assert (url, response.status_code, response.json()["code"]) == (url, 400, "parse_error")


def test_json_nested_within_the_limit_is_read(api_client, token):
    # 60 levels is far deeper than any real request and still parsed: the booking is refused for its content.
    body = json.dumps({"space": "no-such-room", "title": _deep(0), "extra": json.loads(_deep(60))})

    response = api_client.post(
        "/api/v1/bookings/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )

    assert response.status_code == 400
    assert response.json()["code"] != "parse_error"


@pytest.mark.parametrize("text", ["\\u0000", "\\ud800"])
def test_a_json_string_with_nul_or_a_lone_surrogate_is_a_bad_request(api_client, token, text):
    body = '{"space": "x", "title": "a' + text + 'b"}'

    response = api_client.post(
        "/api/v1/bookings/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.fixture
def manager_client(client, manager):
    if not is_mfa_enabled(manager, ["totp"]):
        enable_totp(manager)
    client.force_login(manager)
    return client


@pytest.mark.parametrize("content_type", ["multipart", "urlencoded"])
def test_a_nul_in_a_manager_note_is_a_bad_request_and_changes_nothing(manager_client, space, content_type):
    # The approve view reads the note straight from request.POST into the audit log and the booker's e-mail.
    booking = BookingFactory(space=space, status=Booking.Status.PENDING)
    url = f"/manage/bookings/{booking.pk}/approve/"

    if content_type == "multipart":
        response = manager_client.post(url, {"reason": "ok\x00"})
    else:
        response = manager_client.post(url, "reason=ok%00", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


def test_a_nul_in_the_session_cookie_is_a_bad_request(client, db):
    assert client.get("/", HTTP_COOKIE=SESSION_COOKIE_OF_NULS).status_code == 400


def test_a_form_without_a_nul_still_works(client, startup_member):
    client.force_login(startup_member)

    response = client.post("/accounts/profile/", {"name": "김동남", "language": "ko"})

    assert response.status_code == 302
    startup_member.refresh_from_db()
    assert startup_member.name == "김동남"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_nul_in_forms_cookies_and_headers_is_a_bad_request_on_postgresql(space):
    # These reach a query without the middleware: the note, the session key and the token key.
    manager = UserFactory(email="nul.manager@example.com")
    space.facility.managers.add(manager)
    enable_totp(manager)
    booking = BookingFactory(space=space, status=Booking.Status.PENDING)
    client = Client(raise_request_exception=False)
    client.force_login(manager)

    assert client.post(f"/manage/bookings/{booking.pk}/approve/", {"reason": "ok\x00"}).status_code == 400
    assert client.post(f"/manage/bookings/{booking.pk}/reject/", {"reason": "no\x00"}).status_code == 400
    assert Client(HTTP_AUTHORIZATION="Token dn_\x00abc").get("/api/v1/bookings/").status_code == 400
    assert Client(raise_request_exception=False).get("/", HTTP_COOKIE=SESSION_COOKIE_OF_NULS).status_code == 400
