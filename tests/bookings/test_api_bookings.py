"""The booking API: POST /api/v1/bookings/, its transitions, and the space search and busy times."""

import json
import re

import pytest

from accounts.services import create_personal_token
from bookings.models import Booking
from tenants.models import Membership
from tests.factories import BookingFactory, ClosureFactory, MembershipFactory, SpaceFactory, enable_totp, seoul

pytestmark = pytest.mark.usefixtures("frozen_now")

BOOKINGS = "/api/v1/bookings/"


def booking_body(room, /, **changes):
    body = {
        "space": room.slug,
        "title": "Product review",
        "attendees": 4,
        "start": "2026-12-07T10:00:00+09:00",
        "end": "2026-12-07T12:00:00+09:00",
    }
    body.update(changes)
    return body


@pytest.fixture
def member_client(api_client, startup_member):
    api_client.force_login(startup_member)
    return api_client


def post(client, body):
    return client.post(BOOKINGS, body, format="json")


# --- creating ------------------------------------------------------------------------------


def test_booking_a_space_that_needs_approval_gives_201_pending(member_client, space, startup_member):
    response = post(member_client, booking_body(space))

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "pending"
    assert data["space"] == space.slug
    assert data["start"] == "2026-12-07T10:00:00+09:00"
    assert data["end"] == "2026-12-07T12:00:00+09:00"
    assert data["organization"] == Membership.objects.get(user=startup_member).organization_id
    assert data["requested_by"] == startup_member.email
    booking = Booking.objects.get(pk=data["id"])
    assert booking.start == seoul(2026, 12, 7, 10)
    assert booking.requested_by == startup_member


def test_booking_a_space_without_approval_gives_201_approved(member_client, town):
    room = SpaceFactory(facility=town, requires_approval=False)

    response = post(member_client, booking_body(room))

    assert response.status_code == 201
    assert response.json()["status"] == "approved"


def test_a_personal_token_can_book(api_client, space, startup_member):
    _token, plain = create_personal_token(user=startup_member, name="script")

    response = api_client.post(BOOKINGS, booking_body(space), format="json", HTTP_AUTHORIZATION=f"Token {plain}")

    assert response.status_code == 201
    assert Booking.objects.get().requested_by == startup_member


def test_booking_needs_authentication(api_client, space):
    response = post(api_client, booking_body(space))

    assert response.status_code in (401, 403)
    assert not Booking.objects.exists()


def test_a_time_without_offset_is_read_as_seoul_time(member_client, space):
    response = post(member_client, booking_body(space, start="2026-12-07T10:00:00", end="2026-12-07T11:00:00"))

    assert response.status_code == 201, response.json()
    assert response.json()["start"] == "2026-12-07T10:00:00+09:00"
    assert Booking.objects.get().start == seoul(2026, 12, 7, 10)


def test_a_time_in_utc_is_converted_to_seoul(member_client, space):
    response = post(member_client, booking_body(space, start="2026-12-07T01:00:00Z", end="2026-12-07T02:00:00Z"))

    assert response.status_code == 201, response.json()
    assert response.json()["start"] == "2026-12-07T10:00:00+09:00"
    assert response.json()["end"] == "2026-12-07T11:00:00+09:00"


@pytest.fixture
def closed_monday(town):
    ClosureFactory(facility=town, start=seoul(2026, 12, 14), end=seoul(2026, 12, 15), reason="Inspection")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"start": "2026-12-06T10:00:00+09:00", "end": "2026-12-06T11:00:00+09:00"}, "outside_opening_hours"),
        ({"start": "2026-12-07T21:30:00+09:00", "end": "2026-12-07T22:30:00+09:00"}, "outside_opening_hours"),
        ({"start": "2026-12-25T10:00:00+09:00", "end": "2026-12-25T11:00:00+09:00"}, "on_holiday"),
        ({"start": "2026-12-14T10:00:00+09:00", "end": "2026-12-14T11:00:00+09:00"}, "closed"),
        ({"start": "2026-12-07T10:00:00+09:00", "end": "2026-12-07T18:30:00+09:00"}, "too_long"),
        ({"start": "2027-03-02T10:00:00+09:00", "end": "2027-03-02T11:00:00+09:00"}, "too_far_ahead"),
        ({"start": "2026-12-01T09:30:00+09:00", "end": "2026-12-01T10:30:00+09:00"}, "too_soon"),
        ({"start": "2026-11-30T10:00:00+09:00", "end": "2026-11-30T11:00:00+09:00"}, "in_past"),
        ({"attendees": 13}, "over_capacity"),
        ({"start": "2026-12-07T12:00:00+09:00", "end": "2026-12-07T10:00:00+09:00"}, "invalid_range"),
        ({"start": "2026-12-07T10:15:00+09:00", "end": "2026-12-07T11:15:00+09:00"}, "not_on_grid"),
    ],
)
def test_each_broken_rule_gives_400_with_its_code(member_client, space, closed_monday, changes, code):
    response = post(member_client, booking_body(space, **changes))

    assert response.status_code == 400, response.json()
    data = response.json()
    assert data["code"] == code
    assert data["detail"]
    assert code in {violation["code"] for violation in data["violations"]}
    assert not Booking.objects.exists()


def test_too_short_gives_400_with_its_code(member_client, town):
    room = SpaceFactory(facility=town, min_duration_minutes=60)

    response = post(member_client, booking_body(room, end="2026-12-07T10:30:00+09:00"))

    assert response.status_code == 400
    assert response.json()["code"] == "too_short"


def test_all_broken_rules_are_listed(member_client, space):
    response = post(
        member_client,
        booking_body(space, start="2026-12-06T10:15:00+09:00", end="2026-12-06T11:15:00+09:00", attendees=99),
    )

    assert response.status_code == 400
    codes = {violation["code"] for violation in response.json()["violations"]}
    assert codes == {"outside_opening_hours", "not_on_grid", "over_capacity"}


def test_an_overlap_gives_409_slot_taken(member_client, space):
    BookingFactory(space=space, start=seoul(2026, 12, 7, 11), end=seoul(2026, 12, 7, 13))

    response = post(member_client, booking_body(space))

    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"
    assert Booking.objects.count() == 1


def test_booking_for_another_organization_gives_403_not_member(member_client, space, other_org_member):
    other_org = Membership.objects.get(user=other_org_member).organization

    response = post(member_client, booking_body(space, organization=other_org.pk))

    assert response.status_code == 403
    assert response.json()["code"] == "not_member"
    assert not Booking.objects.exists()


def test_a_member_of_two_organizations_must_choose(member_client, space, startup_member):
    second = MembershipFactory(user=startup_member).organization

    refused = post(member_client, booking_body(space))
    chosen = post(member_client, booking_body(space, organization=second.pk))

    assert refused.status_code == 400
    assert refused.json()["code"] == "choose_organization"
    assert chosen.status_code == 201
    assert chosen.json()["organization"] == second.pk


def test_a_non_manager_override_gives_403(member_client, space):
    response = post(
        member_client,
        booking_body(space, start="2026-12-06T10:00:00+09:00", end="2026-12-06T11:00:00+09:00", override_reason="x"),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_manager"


def test_a_manager_override_is_recorded(api_client, space, manager):
    api_client.force_login(manager)

    response = post(
        api_client,
        booking_body(space, start="2026-12-06T10:00:00+09:00", end="2026-12-06T11:00:00+09:00", override_reason="VIP"),
    )

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "approved"
    assert response.json()["override_reason"] == "VIP"


# --- bad input is a 400, never a 500 -------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"start": "next tuesday", "end": "2026-12-07T12:00:00+09:00"},
        {"start": "2026-12-07T10:00:00+09:00", "end": "2026-13-45T99:00:00"},
        {"start": "", "end": ""},
        {"start": 12345, "end": True},
        {"start": None},
        {"start": ["2026-12-07T10:00:00+09:00"]},
        {"start": {"date": "2026-12-07"}},
        {"attendees": "ten"},
        {"attendees": [4]},
        {"attendees": None},
        {"attendees": 0},
        {"attendees": -3},
        {"attendees": 2.5},
        {"attendees": 10**12},
        {"title": ""},
        {"title": None},
        {"title": "x" * 151},
        {"title": ["a", "b"]},
        {"space": "no-such-room"},
        {"space": None},
        {"space": 42},
        {"organization": 999999},
        {"organization": "acme"},
        {"start": "9999-12-31T20:00:00-05:00", "end": "9999-12-31T23:00:00-05:00"},
        {"start": "0001-01-01T00:00:00+14:00", "end": "0001-01-01T01:00:00+14:00"},
        {"start": "0001-01-01T00:00:00", "end": "0001-01-01T01:00:00"},
    ],
)
def test_malformed_fields_give_400(member_client, space, changes):
    response = post(member_client, booking_body(space, **changes))

    assert response.status_code == 400, response.content
    assert response.json()["code"] in {"invalid", "invalid_range"}
    assert not Booking.objects.exists()


@pytest.mark.parametrize("missing", ["space", "title", "attendees", "start", "end"])
def test_a_missing_field_gives_400_naming_it(member_client, space, missing):
    body = booking_body(space)
    del body[missing]

    response = post(member_client, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert missing in response.json()["errors"]


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("2026-12-07T12:00:00+09:00", "2026-12-07T10:00:00+09:00", "invalid_range"),
        ("2026-12-07T10:00:00+09:00", "2026-12-07T10:00:00+09:00", "invalid_range"),
        ("9999-12-31T10:00:00+09:00", "9999-12-31T11:00:00+09:00", "too_far_ahead"),
        ("9999-12-31T10:00:00", "9999-12-31T23:59:59", "too_far_ahead"),
        ("2100-12-31T10:00:00+09:00", "2101-01-01T11:00:00+09:00", "too_far_ahead"),
        ("0001-01-01T10:00:00", "0001-01-01T11:00:00", "in_past"),
    ],
)
def test_impossible_ranges_give_400_with_a_code(member_client, space, start, end, code):
    response = post(member_client, booking_body(space, start=start, end=end))

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert not Booking.objects.exists()


def test_an_empty_body_gives_400(member_client):
    response = member_client.post(BOOKINGS, "", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "parse_error"}


def test_an_empty_object_gives_400_listing_the_required_fields(member_client):
    response = post(member_client, {})

    assert response.status_code == 400
    assert {"space", "title", "attendees", "start", "end"} <= set(response.json()["errors"])


@pytest.mark.parametrize("payload", ["[1, 2, 3]", '"a string"', "42", "null", "true", "{not json"])
def test_json_that_is_not_an_object_gives_400(member_client, payload):
    response = member_client.post(BOOKINGS, payload, content_type="application/json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] in {"invalid", "parse_error"}
    assert not Booking.objects.exists()


def test_form_encoded_input_works_like_json(member_client, space):
    response = member_client.post(BOOKINGS, booking_body(space))

    assert response.status_code == 201


# --- reading -------------------------------------------------------------------------------


@pytest.fixture
def two_orgs_bookings(space, art_center, startup_member, other_org_member):
    organization = Membership.objects.get(user=startup_member).organization
    colleague = MembershipFactory(organization=organization).user
    return {
        "mine": BookingFactory(space=space, requested_by=startup_member, organization=organization, title="Mine"),
        "colleague": BookingFactory(
            space=space,
            requested_by=colleague,
            organization=organization,
            start=seoul(2026, 12, 8, 10),
            title="Colleague's",
        ),
        "theirs": BookingFactory(
            space=space,
            requested_by=other_org_member,
            organization=Membership.objects.get(user=other_org_member).organization,
            start=seoul(2026, 12, 9, 10),
            title="Theirs",
        ),
        "art": BookingFactory(space=SpaceFactory(facility=art_center), title="At the Art Center"),
    }


def _titles(response):
    assert response.status_code == 200, response.content
    return {booking["title"] for booking in response.json()["results"]}


def test_a_member_lists_their_own_and_their_organizations_bookings(member_client, two_orgs_bookings):
    assert _titles(member_client.get(BOOKINGS)) == {"Mine", "Colleague's"}


def test_a_manager_lists_the_bookings_of_their_facility(api_client, manager, two_orgs_bookings):
    api_client.force_login(manager)

    assert _titles(api_client.get(BOOKINGS)) == {"Mine", "Colleague's", "Theirs"}


def test_the_booking_list_filters_by_status_and_space(member_client, two_orgs_bookings, space):
    Booking.objects.filter(title="Mine").update(status=Booking.Status.CANCELLED)

    assert _titles(member_client.get(BOOKINGS, {"status": "cancelled"})) == {"Mine"}
    assert _titles(member_client.get(BOOKINGS, {"space": space.slug})) == {"Mine", "Colleague's"}
    assert member_client.get(BOOKINGS, {"status": "lost"}).status_code == 400
    assert member_client.get(BOOKINGS, {"colour": "red"}).status_code == 400


def test_listing_needs_authentication(api_client, two_orgs_bookings):
    assert api_client.get(BOOKINGS).status_code in (401, 403)


def test_another_organizations_booking_is_404(member_client, two_orgs_bookings):
    response = member_client.get(f"{BOOKINGS}{two_orgs_bookings['theirs'].pk}/")

    assert response.status_code == 404
    assert "Theirs" not in response.content.decode()


def test_a_colleagues_booking_is_visible(member_client, two_orgs_bookings):
    response = member_client.get(f"{BOOKINGS}{two_orgs_bookings['colleague'].pk}/")

    assert response.status_code == 200
    assert response.json()["title"] == "Colleague's"


def test_the_facility_manager_sees_any_booking_of_it(api_client, manager, two_orgs_bookings):
    api_client.force_login(manager)

    response = api_client.get(f"{BOOKINGS}{two_orgs_bookings['theirs'].pk}/")

    assert response.status_code == 200
    assert response.json()["title"] == "Theirs"
    assert api_client.get(f"{BOOKINGS}{two_orgs_bookings['art'].pk}/").status_code == 404


# --- transitions ---------------------------------------------------------------------------


@pytest.fixture
def pending(space, startup_member):
    return BookingFactory(
        space=space,
        requested_by=startup_member,
        organization=Membership.objects.get(user=startup_member).organization,
        status=Booking.Status.PENDING,
    )


@pytest.fixture
def manager_client(api_client, manager):
    enable_totp(manager)
    api_client.force_login(manager)
    return api_client


def _action(client, booking, name, **body):
    return client.post(f"{BOOKINGS}{booking.pk}/{name}/", body, format="json")


def test_the_facility_manager_approves_through_the_api(manager_client, pending, manager):
    response = _action(manager_client, pending, "approve", reason="Welcome")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    assert response.json()["decision_reason"] == "Welcome"
    pending.refresh_from_db()
    assert pending.status == Booking.Status.APPROVED
    assert pending.decided_by == manager


def test_approving_twice_gives_409_invalid_state(manager_client, pending):
    _action(manager_client, pending, "approve")

    response = _action(manager_client, pending, "approve")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


def test_the_facility_manager_rejects_with_a_reason(manager_client, pending):
    response = _action(manager_client, pending, "reject", reason="Booked for the governor")

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "Booked for the governor"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_rejecting_without_a_reason_gives_400(manager_client, pending, body):
    response = _action(manager_client, pending, "reject", **body)

    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING


def test_a_manager_without_two_factor_gets_403_mfa_required(api_client, manager_without_totp, pending):
    api_client.force_login(manager_without_totp)

    for name in ("approve", "reject"):
        response = _action(api_client, pending, name, reason="because")
        assert response.status_code == 403
        assert response.json()["code"] == "mfa_required"
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING


@pytest.mark.parametrize("name", ["approve", "reject", "cancel"])
def test_another_facilitys_manager_gets_403(api_client, other_manager, pending, name):
    enable_totp(other_manager)
    api_client.force_login(other_manager)

    response = _action(api_client, pending, name, reason="Mine now")

    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING


@pytest.mark.parametrize("name", ["approve", "reject", "cancel"])
def test_a_stranger_gets_404(api_client, other_org_member, pending, name):
    api_client.force_login(other_org_member)

    response = _action(api_client, pending, name, reason="Mine now")

    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING


def test_the_booker_cannot_approve_their_own_booking(member_client, pending):
    response = _action(member_client, pending, "approve")

    assert response.status_code == 403
    assert response.json()["code"] == "not_manager"
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING


def test_the_booker_cancels_through_the_api(member_client, pending):
    response = _action(member_client, pending, "cancel", reason="Plans changed")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "Plans changed"


def test_cancelling_twice_gives_409(member_client, pending):
    _action(member_client, pending, "cancel")

    response = _action(member_client, pending, "cancel")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


def test_the_manager_cancelling_someone_elses_booking_must_say_why(manager_client, pending):
    response = _action(manager_client, pending, "cancel")

    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING


def test_a_transition_with_a_malformed_reason_gives_400(member_client, pending):
    response = member_client.post(
        f"{BOOKINGS}{pending.pk}/cancel/", json.dumps({"reason": ["a", "b"]}), content_type="application/json"
    )

    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING


# --- space search ---------------------------------------------------------------------------

SPACES = "/api/v1/spaces/"


@pytest.fixture
def rooms(town, art_center):
    free = SpaceFactory(facility=town, slug="free-room")
    booked = SpaceFactory(facility=town, slug="booked-room")
    closed = SpaceFactory(facility=art_center, slug="closed-room")
    mornings = SpaceFactory(
        facility=town,
        slug="mornings-only",
        opening_hours={"mon": [["09:00", "12:00"]], "tue": [["09:00", "12:00"]]},
    )
    SpaceFactory(facility=town, slug="unbookable-room", is_bookable=False)
    SpaceFactory(
        facility=art_center,
        slug="gallery",
        booking_unit="day",
        slot_minutes=1440,
        min_duration_minutes=1440,
        max_duration_minutes=14 * 1440,
    )
    BookingFactory(space=booked, start=seoul(2026, 12, 7, 13), end=seoul(2026, 12, 7, 15))
    BookingFactory(space=free, start=seoul(2026, 12, 7, 10), end=seoul(2026, 12, 7, 14), status="cancelled")
    ClosureFactory(space=closed, start=seoul(2026, 12, 7), end=seoul(2026, 12, 8))
    return {"free": free, "booked": booked, "closed": closed, "mornings": mornings}


def _space_slugs(client, query):
    response = client.get(SPACES, query)
    assert response.status_code == 200, response.content
    return {space["slug"] for space in response.json()["results"]}


def test_available_spaces_are_free_and_open_for_the_whole_time(api_client, rooms):
    found = _space_slugs(
        api_client, {"available_from": "2026-12-07T14:00:00+09:00", "available_to": "2026-12-07T16:00:00+09:00"}
    )

    assert found == {"free-room"}


def test_a_time_touching_a_booking_is_available(api_client, rooms):
    found = _space_slugs(
        api_client, {"available_from": "2026-12-07T10:00:00+09:00", "available_to": "2026-12-07T12:00:00+09:00"}
    )

    assert found == {"free-room", "booked-room", "mornings-only"}


@pytest.mark.parametrize(
    "query",
    [
        {"available_from": "0001-01-01T00:00", "available_to": "0001-01-02T00:00"},
        {"available_from": "9999-12-31T20:00:00-12:00", "available_to": "9999-12-31T23:00:00-12:00"},
    ],
)
def test_the_html_search_refuses_dates_outside_the_calendar(client, rooms, query):
    response = client.get("/spaces/", query)

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_available_times_without_offset_are_seoul_times(api_client, rooms):
    found = _space_slugs(api_client, {"available_from": "2026-12-07T14:30", "available_to": "2026-12-07T16:00"})

    assert found == {"free-room"}


def test_the_html_search_finds_the_same_free_spaces(client, rooms):
    response = client.get(
        "/spaces/", {"available_from": "2026-12-07T14:00:00+09:00", "available_to": "2026-12-07T16:00:00+09:00"}
    )

    assert response.status_code == 200
    cards = re.findall(r'<h2 class="card-title"><a href="/spaces/([\w-]+)/[?"]', response.content.decode())
    assert set(cards) == {"free-room"}


def test_a_gallery_is_found_only_for_whole_days(api_client, rooms):
    whole_day = _space_slugs(api_client, {"available_from": "2026-12-08T00:00", "available_to": "2026-12-09T00:00"})
    part_day = _space_slugs(api_client, {"available_from": "2026-12-08T00:00", "available_to": "2026-12-08T12:00"})

    assert "gallery" in whole_day
    assert "gallery" not in part_day


def test_no_space_is_available_on_a_sunday(api_client, rooms):
    found = _space_slugs(api_client, {"available_from": "2026-12-06T10:00", "available_to": "2026-12-06T11:00"})

    assert found == set()
    assert _space_slugs(api_client, {"available_from": "2026-12-06T00:00", "available_to": "2026-12-07T00:00"}) == {
        "gallery"
    }


def test_available_spaces_combine_with_other_filters(api_client, rooms):
    found = _space_slugs(
        api_client,
        {"available_from": "2026-12-07T10:00", "available_to": "2026-12-07T11:00", "facility": "art-center"},
    )

    assert found == set()


@pytest.mark.parametrize(
    "query",
    [
        {"available_from": "2026-12-07T10:00:00+09:00"},
        {"available_to": "2026-12-07T10:00:00+09:00"},
        {"available_from": "2026-12-07T12:00", "available_to": "2026-12-07T10:00"},
        {"available_from": "2026-12-07T10:00", "available_to": "2026-12-07T10:00"},
        {"available_from": "2026-12-01T10:00", "available_to": "2027-01-15T10:00"},
        {"available_from": "tomorrow", "available_to": "2026-12-07T10:00"},
        {"available_from": "0001-01-01T00:00:00+09:00", "available_to": "0001-01-01T05:00:00+09:00"},
        {"available_from": "0001-01-01T00:00", "available_to": "0001-01-02T00:00"},
        {"available_from": "9999-12-31T20:00:00-12:00", "available_to": "9999-12-31T23:00:00-12:00"},
    ],
)
def test_a_bad_availability_search_gives_400(api_client, rooms, query):
    response = api_client.get(SPACES, query)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"


# --- busy times ----------------------------------------------------------------------------


def test_busy_times_list_bookings_and_closures_without_who_booked(api_client, space, startup_member):
    organization = Membership.objects.get(user=startup_member).organization
    BookingFactory(
        space=space,
        requested_by=startup_member,
        organization=organization,
        title="Secret merger talks",
        start=seoul(2026, 12, 7, 10),
        end=seoul(2026, 12, 7, 12),
    )
    BookingFactory(
        space=space,
        requested_by=startup_member,
        title="Pending chat",
        status=Booking.Status.PENDING,
        start=seoul(2026, 12, 7, 14),
        end=seoul(2026, 12, 7, 15),
    )
    BookingFactory(space=space, title="Cancelled", status="cancelled", start=seoul(2026, 12, 7, 16))
    ClosureFactory(space=space, start=seoul(2026, 12, 8), end=seoul(2026, 12, 9), reason="Repairs")

    response = api_client.get(f"{SPACES}{space.slug}/busy/", {"from": "2026-12-07T00:00", "to": "2026-12-09T00:00"})

    assert response.status_code == 200, response.content
    assert response.json() == [
        {"start": "2026-12-07T10:00:00+09:00", "end": "2026-12-07T12:00:00+09:00", "kind": "approved"},
        {"start": "2026-12-07T14:00:00+09:00", "end": "2026-12-07T15:00:00+09:00", "kind": "pending"},
        {"start": "2026-12-08T00:00:00+09:00", "end": "2026-12-09T00:00:00+09:00", "kind": "closed"},
    ]
    body = response.content.decode()
    for secret in ("Secret merger talks", organization.name, startup_member.email, "Pending chat"):
        assert secret not in body


def test_busy_times_outside_the_window_are_left_out(api_client, space):
    BookingFactory(space=space, start=seoul(2026, 12, 7, 10), end=seoul(2026, 12, 7, 12))

    response = api_client.get(f"{SPACES}{space.slug}/busy/", {"from": "2026-12-07T12:00", "to": "2026-12-07T18:00"})

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"from": "2026-12-07T00:00"},
        {"to": "2026-12-07T00:00"},
        {"from": "soon", "to": "later"},
        {"from": "2026-12-08T00:00", "to": "2026-12-07T00:00"},
        {"from": "2026-12-07T00:00", "to": "2026-12-07T00:00"},
        {"from": "2026-12-01T00:00", "to": "2027-01-02T00:00"},
        {"from": "9999-12-31T20:00:00-12:00", "to": "9999-12-31T23:00:00-12:00"},
        {"from": "0001-01-01T00:00", "to": "0001-01-02T00:00"},
    ],
)
def test_bad_busy_windows_give_400(api_client, space, query):
    response = api_client.get(f"{SPACES}{space.slug}/busy/", query)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"


def test_a_31_day_busy_window_is_allowed(api_client, space):
    response = api_client.get(f"{SPACES}{space.slug}/busy/", {"from": "2026-12-01T00:00", "to": "2027-01-01T00:00"})

    assert response.status_code == 200


def test_busy_times_of_an_unknown_space_is_404(api_client, space):
    response = api_client.get(f"{SPACES}no-such-room/busy/", {"from": "2026-12-07T00:00", "to": "2026-12-08T00:00"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
