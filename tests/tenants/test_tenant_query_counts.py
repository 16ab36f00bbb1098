"""Tenant pages and endpoints run a fixed number of queries, however many contracts and renewals there are."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import LeaseContract, Membership, RenewalDocument, RenewalRequest
from tests.factories import LeasableUnitFactory, MembershipFactory, OrganizationFactory, enable_totp
from tests.tenants.conftest import TODAY
from tests.tenants.factories import LeaseContractFactory, RenewalRequestFactory, pdf_upload, renewal_chain

pytestmark = pytest.mark.django_db

SMALL, LARGE = 2, 20


@pytest.fixture
def grow(town, organization, tenant_owner):
    """Give the tenant (a member of two organizations) ``total`` running contracts, each with history,
    an open renewal request and a document; units without contract are added alongside."""
    second = OrganizationFactory(name="둘째 기관")
    MembershipFactory(organization=second, user=tenant_owner, role=Membership.Role.ADMIN)
    organizations = [organization, second]

    def grow(total):
        for number in range(LeaseContract.objects.filter(status="active").count(), total):
            unit = LeasableUnitFactory(facility=town, code=f"U{number:03d}")
            LeasableUnitFactory(facility=town, code=f"V{number:03d}")
            previous = LeaseContractFactory(
                organization=organizations[number % 2],
                unit=unit,
                start_date=date(2024, 1, 1),
                end_date=date(2025, 12, 31),
                status=LeaseContract.Status.RENEWED,
            )
            contract = LeaseContractFactory(
                organization=previous.organization,
                unit=unit,
                start_date=date(2026, 1, 1),
                end_date=TODAY + timedelta(days=10 + number),
                renews=previous,
            )
            renewal = RenewalRequestFactory(contract=contract, requested_by=tenant_owner)
            RenewalDocument.objects.create(
                renewal=renewal,
                file=pdf_upload(),
                original_name="report.pdf",
                content_type="application/pdf",
                size=100,
                uploaded_by=tenant_owner,
            )
        assert LeaseContract.objects.filter(status="active").count() == total
        assert RenewalRequest.objects.count() == total

    return grow


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(queries)


def _counts_at_both_sizes(grow, client, url) -> tuple[int, int]:
    grow(SMALL)
    client.get(url)  # warm up: the session and the content types are loaded once
    small = _count_queries(client, url)
    grow(LARGE)
    large = _count_queries(client, url)
    return small, large


@pytest.fixture
def as_manager(client, manager):
    enable_totp(manager)
    client.force_login(manager)
    return client


@pytest.fixture
def as_tenant(client, tenant_owner):
    client.force_login(tenant_owner)
    return client


@pytest.mark.parametrize(
    ("url", "bound"),
    [
        # The manager pages' tabs count the bookings awaiting approval: one query more than the page's own.
        ("/manage/contracts/", 10 + 1),
        ("/manage/contracts/?status=active&expiring_within=60&organization=기관", 10 + 1),
        ("/manage/contracts/?format=csv", 6),
        ("/manage/renewals/", 9 + 1),
        ("/manage/units/", 10 + 1),
        ("/api/v1/contracts/", 4),
        ("/api/v1/renewals/", 4),
    ],
)
def test_manager_pages_use_a_fixed_number_of_queries(grow, as_manager, url, bound):
    small, large = _counts_at_both_sizes(grow, as_manager, url)

    assert small == large
    assert large <= bound


@pytest.mark.parametrize(
    ("url", "bound"),
    [
        ("/contracts/", 6),
        ("/api/v1/contracts/", 4),
        ("/api/v1/renewals/", 4),
        ("/api/v1/organizations/", 5),
    ],
)
def test_tenant_pages_use_a_fixed_number_of_queries(grow, as_tenant, url, bound):
    small, large = _counts_at_both_sizes(grow, as_tenant, url)

    assert small == large
    assert large <= bound


def _chain(organization, town, code: str, renewals: int, tenant_owner) -> LeaseContract:
    """A tenancy with ``renewals`` accepted renewals before the running contract, which has an open request."""
    first_start = date(2026 - renewals, 6, 1)
    contracts = renewal_chain(
        organization=organization,
        unit=LeasableUnitFactory(facility=town, code=code),
        first_start=first_start,
        renewals=renewals,
    )
    for old, new in pairwise(contracts):
        RenewalRequestFactory(
            contract=old, requested_by=tenant_owner, status=RenewalRequest.Status.ACCEPTED, new_contract=new
        )
    RenewalRequestFactory(contract=contracts[-1], requested_by=tenant_owner, term_months=6)
    return contracts[-1]


@pytest.mark.parametrize("who", ["tenant_owner", "manager"])
def test_the_contract_page_uses_the_same_queries_however_long_its_history(
    client, request, organization, town, tenant_owner, who
):
    user = request.getfixturevalue(who)
    if who == "manager":
        enable_totp(user)
    client.force_login(user)
    short = _chain(organization, town, "S1", 1, tenant_owner)
    long = _chain(organization, town, "L1", 4, tenant_owner)
    client.get(short.get_absolute_url())

    short_count = _count_queries(client, short.get_absolute_url())
    long_count = _count_queries(client, long.get_absolute_url())

    assert short_count == long_count
    assert long_count <= 13
    page = client.get(long.get_absolute_url()).content.decode()
    assert page.count("renews the contract above") == 4
