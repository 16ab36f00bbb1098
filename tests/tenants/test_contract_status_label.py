"""A lease whose first day is still ahead reads "Upcoming" wherever its status is shown, not "Active"."""

import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from tests.factories import LeasableUnitFactory
from tests.tenants.conftest import CONTRACT_END, TODAY
from tests.tenants.factories import LeaseContractFactory

pytestmark = pytest.mark.django_db
BADGE = re.compile(r'<span class="badge badge-(\w+)">([^<]+)</span>')


@pytest.fixture
def renewal(contract):
    """The accepted renewal of the tenant's lease: active, from the day after the current one ends."""
    return LeaseContractFactory(
        organization=contract.organization,
        unit=contract.unit,
        start_date=CONTRACT_END + timedelta(days=1),
        end_date=CONTRACT_END + relativedelta(years=1),
        renews=contract,
    )


def test_a_lease_in_force_reads_active_and_one_starting_later_reads_upcoming(contract, renewal):
    assert (contract.shown_status, str(contract.status_label)) == ("active", "Active")
    assert (renewal.shown_status, str(renewal.status_label)) == ("upcoming", "Upcoming")


def test_a_lease_starting_today_is_active(organization, town):
    starting_today = LeaseContractFactory(
        organization=organization, unit=LeasableUnitFactory(facility=town, code="201"), start_date=TODAY
    )

    assert str(starting_today.status_label) == "Active"


def test_the_tenants_contract_list_shows_the_renewal_as_upcoming(client, tenant_owner, contract, renewal):
    client.force_login(tenant_owner)

    page = client.get(reverse("tenants:contract_list")).content.decode()

    assert sorted(BADGE.findall(page)) == [("active", "Active"), ("upcoming", "Upcoming")]


def test_the_contract_page_shows_the_renewal_as_upcoming_in_korean(client, tenant_owner, renewal):
    tenant_owner.language = "ko"
    tenant_owner.save(update_fields=["language"])
    client.force_login(tenant_owner)

    page = client.get(reverse("tenants:contract_detail", args=[renewal.pk])).content.decode()

    assert BADGE.search(page).groups() == ("upcoming", "예정")
    assert "유효" not in page.split('class="badge', 1)[1].split("</span>", 1)[0]


def test_the_managers_list_and_its_csv_show_the_renewal_as_upcoming(client, manager, contract, renewal):
    client.force_login(manager)

    page = client.get(reverse("tenants:manage_contracts")).content.decode()
    csv = client.get(reverse("tenants:manage_contracts"), {"format": "csv"}).content.decode("utf-8-sig")

    assert sorted(BADGE.findall(page)) == [("active", "Active"), ("upcoming", "Upcoming")]
    rows = {line.split(",")[4]: line for line in csv.splitlines()[1:]}
    assert rows[renewal.start_date.isoformat()].split(",")[-2] == "Upcoming"
    assert rows[contract.start_date.isoformat()].split(",")[-2] == "Active"
