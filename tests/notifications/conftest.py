"""Fixtures of the notification tests: the people, bookings and contracts messages are about."""

from datetime import timedelta

import pytest
import time_machine

from dongnam.celery import app as celery_app
from tenants.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.notifications.factories import BookingFactory, LeaseContractFactory, seoul

# Tuesday 2026-12-01, 09:00 in Seoul.
NOW = seoul(2026, 12, 1, 9)


@pytest.fixture
def clock():
    """Freeze the clock at NOW; ``clock.move_to(moment)`` travels."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def through_the_broker():
    """Tasks go to the broker and a worker, not run in-process (the suite runs them eagerly elsewhere)."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (the enqueue of notify) at the end of the block, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="창원로봇", name_en="Changwon Robots")


@pytest.fixture
def english_booker(organization):
    user = UserFactory(email="booker.en@example.com", name="Jane Booker", language="en")
    MembershipFactory(organization=organization, user=user, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def korean_booker(organization):
    user = UserFactory(email="booker.ko@example.com", name="김예약", language="ko")
    MembershipFactory(organization=organization, user=user, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def booker(english_booker):
    return english_booker


def pending_booking_for(user, space, start, **fields):
    return BookingFactory(
        requested_by=user, space=space, organization=user.memberships.first().organization, start=start, **fields
    )


@pytest.fixture
def pending(booker, space, clock):
    """The booker's pending booking of the test room, Friday 2026-12-04 10:00–12:00."""
    start = seoul(2026, 12, 4, 10)
    return pending_booking_for(booker, space, start, end=start + timedelta(hours=2), title="Robot demo")


@pytest.fixture
def tenant(db):
    """A tenant organization with an owner, an admin and a plain member (all reading English)."""
    organization = OrganizationFactory(name="마산협동조합", name_en="Masan Cooperative")
    people = {}
    for role, email in (
        (Membership.Role.OWNER, "owner@tenant.example"),
        (Membership.Role.ADMIN, "admin@tenant.example"),
        (Membership.Role.MEMBER, "member@tenant.example"),
    ):
        people[role] = MembershipFactory(
            organization=organization, user=UserFactory(email=email, language="en"), role=role
        ).user
    return {"organization": organization, **people}


@pytest.fixture
def unit(town):
    from tests.factories import LeasableUnitFactory

    return LeasableUnitFactory(facility=town, code="105")


@pytest.fixture
def contract(tenant, unit, clock):
    """The tenant's active lease of Innovation Town 105, ending 45 days after NOW (inside the renewal window)."""
    return LeaseContractFactory(
        organization=tenant["organization"], unit=unit, end_date=NOW.date() + timedelta(days=45)
    )
