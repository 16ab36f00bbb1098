"""The public-rental tests run on Tuesday 2026-12-01 09:00 Seoul, in English, around paid rooms of the
Innovation Town (managed by ``manager``; ``other_manager`` manages the Art Center)."""

import pytest
import time_machine
from django.utils import translation

from tenants.models import Organization
from tests.factories import FROZEN_NOW, OrganizationFactory, SpaceFactory, enable_totp
from tests.rental.factories import PaidSpaceFactory, api_for, client_for, english, member_of


@pytest.fixture(autouse=True)
def clock():
    """Freeze the clock at FROZEN_NOW; ``clock.move_to(moment)`` travels."""
    with time_machine.travel(FROZEN_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (the delivery of notifications) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def room(town):
    """15,000 won an hour; bookings need the manager's approval."""
    return PaidSpaceFactory(facility=town, slug="rental-room")


@pytest.fixture
def instant_room(town):
    """15,000 won an hour; bookings are confirmed at once."""
    return PaidSpaceFactory(facility=town, slug="rental-instant-room", requires_approval=False)


@pytest.fixture
def free_room(town):
    return SpaceFactory(facility=town, slug="rental-free-room", fee=0, capacity=20, requires_approval=False)


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="창원로봇", name_en="Changwon Robots", kind=Organization.Kind.STARTUP)


@pytest.fixture
def member(organization):
    return member_of(organization, email="member@robots.example")


@pytest.fixture
def colleague(organization):
    return member_of(organization, email="colleague@robots.example")


@pytest.fixture
def stranger(db):
    return member_of(OrganizationFactory(name_en="Masan Makers"), email="stranger@makers.example")


@pytest.fixture
def manager(manager):
    enable_totp(english(manager))
    return manager


@pytest.fixture
def other_manager(other_manager):
    enable_totp(english(other_manager))
    return other_manager


@pytest.fixture
def member_client(member):
    return client_for(member)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture
def other_manager_client(other_manager):
    return client_for(other_manager)


@pytest.fixture
def member_api(member):
    return api_for(member)


@pytest.fixture
def manager_api(manager):
    return api_for(manager)


@pytest.fixture
def other_manager_api(other_manager):
    return api_for(other_manager)
