"""Fixtures for the standard cast and the services the passes of `make test` provide."""

import os

import pytest
from django.core.cache import cache

from hall.models import Facility
from hall.seed import load_hall
from tenants.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, SpaceFactory, UserFactory, enable_totp

CHROMIUM = "/usr/bin/chromium"
# What a `fast` test may not use: `make test-fast` runs them in parallel without a test database.
_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}
_SERVICE_MARKERS = ("postgres", "redis", "browser", "load")


def pytest_collection_modifyitems(config, items):
    impure = [
        item.nodeid
        for item in items
        if item.get_closest_marker("fast")
        and (
            item.get_closest_marker("django_db")
            or _DATABASE_FIXTURES.intersection(item.fixturenames)
            or any(item.get_closest_marker(marker) for marker in _SERVICE_MARKERS)
        )
    ]
    if impure:
        raise pytest.UsageError("tests marked fast must use no database and no service: " + ", ".join(impure[:10]))


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        from django.conf import settings

        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass of `make test`")
    if item.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis: runs in the PostgreSQL + Redis pass of `make test`")
    if item.get_closest_marker("browser"):
        from django.conf import settings

        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            pytest.skip("drives a browser: runs in the PostgreSQL pass of `make test`")
        if not os.path.exists(CHROMIUM):
            if os.environ.get("CI") == "true":
                pytest.fail(f"CI needs Debian's Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
            pytest.skip(f"!!! no browser at {CHROMIUM}: `make test` as root installs it (bin/ensure_browser)")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; the tests only need one that works.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Login rate limits live in the cache (Redis in the second pass); each test starts clean.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hall(db):
    """The real buildings and facilities (main/east, the four facilities)."""
    load_hall()
    return {facility.slug: facility for facility in Facility.objects.all()}


@pytest.fixture
def town(hall):
    return hall["innovation-town"]


@pytest.fixture
def art_center(hall):
    return hall["art-center"]


@pytest.fixture
def space(town):
    return SpaceFactory(facility=town, slug="town-test-room", capacity=12)


@pytest.fixture
def startup_member(db):
    membership = MembershipFactory(role=Membership.Role.MEMBER)
    return membership.user


@pytest.fixture
def other_org_member(db):
    return MembershipFactory(organization=OrganizationFactory(), role=Membership.Role.MEMBER).user


@pytest.fixture
def tenant_owner(db):
    from tenants.models import Organization

    organization = OrganizationFactory(kind=Organization.Kind.COOPERATIVE)
    return MembershipFactory(organization=organization, role=Membership.Role.OWNER).user


@pytest.fixture
def manager(town):
    """The manager of the Innovation Town (where `space` is), with the TOTP every manager needs."""
    user = UserFactory(email="manager@example.com")
    town.managers.add(user)
    enable_totp(user)
    return user


@pytest.fixture
def manager_without_totp(town):
    """A manager of the Innovation Town who has not set up two-factor authentication."""
    user = UserFactory(email="manager.no.totp@example.com")
    town.managers.add(user)
    return user


@pytest.fixture
def admin_without_totp(db):
    return UserFactory(email="admin.no.totp@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def other_manager(art_center):
    user = UserFactory(email="other.manager@example.com")
    art_center.managers.add(user)
    enable_totp(user)
    return user


@pytest.fixture
def admin_user(db):
    user = UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)
    enable_totp(user)
    return user


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
