"""Tenant tests run on a fixed day, in English, with uploads kept in a temporary directory."""

from datetime import date, timedelta

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.utils import translation

from tenants.models import Membership
from tests.factories import LeasableUnitFactory, MembershipFactory, UserFactory, seoul
from tests.tenants.factories import LeaseContractFactory

# Tuesday 2027-03-02, 10:00 in Seoul.
NOW = seoul(2027, 3, 2, 10)
TODAY = date(2027, 3, 2)
# The tenant's contract ends 45 days from TODAY; its renewal window (90 days) opened on 2027-01-16.
CONTRACT_END = TODAY + timedelta(days=45)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def in_english(user):
    """The user reads the site in English, so pages can be checked by their text."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def tenant_owner(tenant_owner):
    return in_english(tenant_owner)


@pytest.fixture
def startup_member(startup_member):
    return in_english(startup_member)


@pytest.fixture
def other_org_member(other_org_member):
    return in_english(other_org_member)


@pytest.fixture
def manager(manager):
    return in_english(manager)


@pytest.fixture
def other_manager(other_manager):
    return in_english(other_manager)


@pytest.fixture
def organization(tenant_owner):
    return tenant_owner.memberships.get().organization


def _member(organization, role, email):
    return MembershipFactory(organization=organization, user=UserFactory(email=email, language="en"), role=role).user


@pytest.fixture
def tenant_admin(organization):
    return _member(organization, Membership.Role.ADMIN, "admin.of.tenant@example.com")


@pytest.fixture
def tenant_member(organization):
    return _member(organization, Membership.Role.MEMBER, "member.of.tenant@example.com")


@pytest.fixture
def unit(town):
    return LeasableUnitFactory(facility=town, code="105", monthly_rent=360_000, maintenance_fee=60_000)


@pytest.fixture
def contract(organization, unit):
    """The tenant's active two-year lease of Innovation Town 105, ending 45 days from TODAY."""
    return LeaseContractFactory(
        organization=organization,
        unit=unit,
        start_date=CONTRACT_END - relativedelta(years=2) + timedelta(days=1),
        end_date=CONTRACT_END,
    )
