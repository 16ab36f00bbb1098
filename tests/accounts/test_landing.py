"""After signing in, each person starts where they work; a safe ?next= wins over that."""

from datetime import date

import pytest
import time_machine
from django.contrib import messages
from django.urls import reverse

from bookings.models import Booking
from tenants.models import LeaseContract, Membership
from tests.factories import (
    FROZEN_NOW,
    PASSWORD,
    BookingFactory,
    LeasableUnitFactory,
    MembershipFactory,
    UserFactory,
    enable_totp,
    totp_code,
)
from tests.tenants.factories import LeaseContractFactory


@pytest.fixture(autouse=True)
def _frozen(db):
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


def _sign_in(client, user, **extra):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD, **extra})


def _lease(organization, **fields):
    return LeaseContractFactory(organization=organization, unit=LeasableUnitFactory(), **fields)


def test_a_manager_lands_on_the_manager_start_page_after_the_second_factor(client, manager):
    secret = enable_totp(manager)
    _sign_in(client, manager)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response.url == "/manage/"


def test_a_manager_still_without_totp_is_led_to_set_it_up(client, manager_without_totp):
    response = _sign_in(client, manager_without_totp)

    assert response.url == "/manage/"
    assert client.get(response.url).url == reverse("mfa_activate_totp")


def test_a_manager_without_the_requirement_lands_on_the_manager_start_page(client, settings, manager_without_totp):
    settings.MANAGER_MFA_REQUIRED = False

    assert _sign_in(client, manager_without_totp).url == "/manage/"


def test_a_tenant_owner_lands_on_their_contract(client, tenant_owner):
    contract = _lease(tenant_owner.memberships.get().organization)

    response = _sign_in(client, tenant_owner)

    assert response.url == f"/contracts/{contract.pk}/"


def test_a_tenant_admin_with_two_live_contracts_lands_on_the_contract_list(client):
    membership = MembershipFactory(role=Membership.Role.ADMIN)
    _lease(membership.organization)
    _lease(membership.organization, status=LeaseContract.Status.DRAFT, start_date=date(2027, 1, 1))

    assert _sign_in(client, membership.user).url == "/contracts/"


def test_an_ended_lease_does_not_make_a_tenant(client, tenant_owner):
    organization = tenant_owner.memberships.get().organization
    _lease(organization, status=LeaseContract.Status.EXPIRED, start_date=date(2023, 1, 1))

    assert _sign_in(client, tenant_owner).url == "/spaces/"


def test_a_plain_member_of_a_tenant_lands_on_their_coming_booking(client, space):
    membership = MembershipFactory(role=Membership.Role.MEMBER)
    _lease(membership.organization)
    BookingFactory(space=space, requested_by=membership.user, organization=membership.organization)

    assert _sign_in(client, membership.user).url == "/bookings/"


def test_a_member_with_a_coming_booking_of_their_organization_lands_on_my_bookings(client, space, startup_member):
    organization = startup_member.memberships.get().organization
    BookingFactory(space=space, organization=organization, status=Booking.Status.PENDING)

    assert _sign_in(client, startup_member).url == "/bookings/"


def test_a_member_with_only_past_or_cancelled_bookings_lands_on_the_finder(client, space, startup_member):
    BookingFactory(space=space, requested_by=startup_member, start=FROZEN_NOW.replace(month=11))
    BookingFactory(space=space, requested_by=startup_member, status=Booking.Status.CANCELLED)

    assert _sign_in(client, startup_member).url == "/spaces/"


def test_a_safe_next_wins_over_the_landing(client, settings, manager_without_totp):
    settings.MANAGER_MFA_REQUIRED = False

    response = _sign_in(client, manager_without_totp, next="/spaces/town-test-room/")

    assert response.url == "/spaces/town-test-room/"


def test_a_next_to_another_site_is_ignored(client, tenant_owner):
    contract = _lease(tenant_owner.memberships.get().organization)

    response = _sign_in(client, tenant_owner, next="https://evil.example/contracts/")

    assert response.url == f"/contracts/{contract.pk}/"


def _signed_in_message(client, response) -> str:
    page = client.get(response.url, follow=True)
    return " ".join(str(m) for m in page.context["messages"] if m.level == messages.SUCCESS)


def test_the_signed_in_message_is_in_korean_and_spaced(client, startup_member):
    startup_member.name = "김동남"
    startup_member.save(update_fields=["name"])

    response = _sign_in(client, startup_member)

    assert _signed_in_message(client, response) == "김동남 계정으로 로그인했습니다."


def test_the_signed_in_message_speaks_the_accounts_language(client):
    user = UserFactory(name="Jane Park", language="en")

    # The sign-in page was read in Korean (the site's default); the account reads English.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert _signed_in_message(client, response) == "Signed in as Jane Park."
