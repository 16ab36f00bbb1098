"""The papers' tests run on Tuesday 2026-12-01 09:00 Seoul around a room of the Innovation Town that costs
5,000 won an hour (a two-hour booking: 10,000 won), in Korean unless a test says otherwise."""

from io import BytesIO

import pytest
import time_machine
from pypdf import PdfReader

from tests.factories import FROZEN_NOW, OrganizationFactory, UserFactory
from tests.rental.factories import PaidSpaceFactory, approved_and_paid, book, client_for, member_of


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(FROZEN_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def town(town):
    town.contact_phone = "055-000-1000"
    town.bank_name = "농협"
    town.bank_account_number = "301-1234-5678-91"
    town.bank_account_holder = "경남사회적경제혁신타운"
    town.save()
    return town


@pytest.fixture
def room(town):
    return PaidSpaceFactory(facility=town, slug="papers-room", name="세미나실 가", name_en="Seminar room A", fee=5_000)


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="창원로봇", name_en="Changwon Robots", representative="김대표")


def korean(user):
    user.language = "ko"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def member(organization):
    return korean(member_of(organization, email="member@robots.example", name="이예약"))


@pytest.fixture
def colleague(organization):
    return korean(member_of(organization, email="colleague@robots.example"))


@pytest.fixture
def stranger(db):
    return korean(member_of(OrganizationFactory(name_en="Masan Makers"), email="stranger@makers.example"))


@pytest.fixture
def individual(db):
    return UserFactory(email="person@example.com", name="박개인", language="ko")


@pytest.fixture
def pending(room, member):
    """Monday 2026-12-07 10:00–12:00, 10,000 won, waiting for the manager."""
    return book(member, room, title="로봇 시연회", purpose="신제품 시연과 설명회", attendees=12)


@pytest.fixture
def paid(pending, manager):
    return approved_and_paid(pending, manager)


@pytest.fixture
def member_client(member):
    return client_for(member)


def pdf_text(response) -> str:
    """The text of a PDF answer, as a reader's copy and paste would give it."""
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def flat(text: str) -> str:
    """Line breaks of the layout read as spaces."""
    return " ".join(text.split())
