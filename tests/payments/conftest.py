"""Online payment against the Toss stand-in on loopback, on Tuesday 2026-12-01 09:00 Seoul.

``toss`` points the site at the stand-in (both keys set); ``paid_room`` charges 15,000 won an hour in the
Innovation Town (managed by ``manager``); ``unpaid`` is the member's approved, unpaid booking of two hours
on Monday 2026-12-14 (30,000 won).
"""

import pytest
import time_machine
from django.test import Client
from pytest_httpserver import HTTPServer

from bookings import services as booking_services
from tests.factories import FROZEN_NOW, MembershipFactory, OrganizationFactory, UserFactory, seoul
from tests.payments.standin import CLIENT_KEY, SECRET_KEY, TossStandIn
from tests.rental.factories import PaidSpaceFactory, book

START = seoul(2026, 12, 14, 10)
AMOUNT = 30_000


@pytest.fixture(scope="session")
def toss_server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    standin = TossStandIn()
    standin.install(server)
    server.start()
    yield server, standin
    server.stop()


@pytest.fixture
def toss(toss_server, settings):
    """The stand-in, empty, with the site's keys and addresses pointing at it."""
    server, standin = toss_server
    standin.reset()
    settings.TOSS_PAYMENTS_CLIENT_KEY = CLIENT_KEY
    settings.TOSS_PAYMENTS_SECRET_KEY = SECRET_KEY
    settings.TOSS_PAYMENTS_API_BASE = server.url_for("/").rstrip("/")
    settings.TOSS_PAYMENTS_CHECKOUT_SCRIPT = server.url_for("/v2/standard")
    settings.TOSS_PAYMENTS_CONNECT_TIMEOUT = 2
    settings.TOSS_PAYMENTS_READ_TIMEOUT = 1
    standin.base_url = server.url_for("/").rstrip("/")
    return standin


@pytest.fixture
def no_keys(settings):
    settings.TOSS_PAYMENTS_CLIENT_KEY = ""
    settings.TOSS_PAYMENTS_SECRET_KEY = ""


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(FROZEN_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def paid_room(town):
    return PaidSpaceFactory(facility=town, slug="pay-room")


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="창원로봇", name_en="Changwon Robots")


@pytest.fixture
def member(organization):
    return MembershipFactory(organization=organization, user=UserFactory(email="member@robots.example")).user


@pytest.fixture
def stranger(db):
    return MembershipFactory(user=UserFactory(email="stranger@makers.example")).user


@pytest.fixture
def unpaid(member, paid_room, manager):
    booking = book(member, paid_room, START, hours=2, title="제품 발표회")
    return booking_services.approve_booking(booking=booking, manager=manager)


@pytest.fixture
def member_client(member):
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def manager_client(manager):
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (a refund's task) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
