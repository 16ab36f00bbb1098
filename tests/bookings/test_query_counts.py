"""Pages and endpoints run a fixed number of queries, however many rooms the hall has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hall.models import Space
from tests.factories import (
    AmenityFactory,
    BuildingFactory,
    FacilityFactory,
    LeasableUnitFactory,
    SpaceFactory,
    enable_totp,
)

SMALL, LARGE = 3, 40
# A signed-in page header asks whether the user manages a facility, has contracts, and how many
# notifications are unread: three queries on every page, whatever the data.
HEADER_QUERIES = 3


@pytest.fixture
def grow(hall):
    """Add rooms (with amenities), units and a fifth facility until the hall has ``total`` rooms."""
    amenities = [AmenityFactory(slug=slug) for slug in ("projector", "wifi", "whiteboard", "piano")]
    facilities = list(hall.values())

    def grow(total):
        if total > SMALL and len(facilities) == 4:
            annex = BuildingFactory(slug="annex")
            facilities.append(FacilityFactory(building=annex, slug="annex-lab"))
        for number in range(Space.objects.count(), total):
            facility = facilities[number % len(facilities)]
            SpaceFactory(
                facility=facility,
                slug=f"room-{number:03d}",
                capacity=4 + number,
                amenities=amenities[: 2 + number % (len(amenities) - 1)],
            )
            LeasableUnitFactory(facility=facility, code=f"U{number:03d}")
        assert Space.objects.count() == total

    return grow


def _count_queries(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, response.content[:500]
    return len(queries)


def _counts_at_both_sizes(grow, client, url, **extra):
    grow(SMALL)
    client.get(url, **extra)  # warm up: the session and the content types are loaded once
    small = _count_queries(client, url, **extra)
    grow(LARGE)
    large = _count_queries(client, url, **extra)
    return small, large


@pytest.mark.parametrize(
    ("url", "bound"),
    [
        ("/spaces/", 5),
        ("/spaces/?building=main&amenity=wifi", 7),
        ("/", 2),
    ],
)
def test_pages_use_a_fixed_number_of_queries(client, grow, url, bound):
    small, large = _counts_at_both_sizes(grow, client, url)

    assert small == large
    assert large <= bound


@pytest.mark.parametrize(
    ("url", "bound"),
    [
        ("/api/v1/spaces/", 2),
        ("/api/v1/spaces/?facility=innovation-town&amenity=projector&amenity=wifi", 4),
        ("/api/v1/buildings/", 3),
        ("/api/v1/facilities/", 2),
    ],
)
def test_api_lists_use_a_fixed_number_of_queries(api_client, grow, url, bound):
    small, large = _counts_at_both_sizes(grow, api_client, url)

    assert small == large
    assert large <= bound


def test_space_list_stays_fixed_for_a_signed_in_member(client, grow, startup_member):
    client.force_login(startup_member)

    small, large = _counts_at_both_sizes(grow, client, "/spaces/")

    assert small == large
    assert large <= 7 + HEADER_QUERIES


def test_manager_dashboard_uses_a_fixed_number_of_queries(client, grow, admin_user, settings):
    # The admin manages every facility, so the dashboard shows all rooms and units.
    settings.MANAGER_MFA_REQUIRED = False
    client.force_login(admin_user)

    small, large = _counts_at_both_sizes(grow, client, "/manage/")

    assert small == large
    # The manager check and the facilities with their rooms and units (4), and what waits: today's bookings,
    # approvals, payments due, renewals and closures (5).
    assert large <= 4 + 5 + HEADER_QUERIES


def test_dashboard_with_two_factor_uses_a_fixed_number_of_queries(client, grow, manager):
    enable_totp(manager)
    client.force_login(manager)

    small, large = _counts_at_both_sizes(grow, client, "/manage/")

    assert small == large
    assert large <= 8 + 5 + HEADER_QUERIES  # and what waits, as above


def test_the_exact_query_budget_of_the_public_space_list(client, grow, django_assert_num_queries):
    grow(LARGE)

    # one page of rooms with facility, building and the count, their amenities, and the three filter choices
    with django_assert_num_queries(5):
        response = client.get("/spaces/")

    assert response.status_code == 200
