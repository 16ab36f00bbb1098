from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from tenants.models import LeaseContract, Membership, RenewalRequest
from tenants.services import renewal_terms, renewal_window

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
LOAD_DAY = date(2027, 3, 2)


def _seed(*args):
    call_command("seed_dongnam", "--demo", *args, stdout=StringIO())


def _at(day: date, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL), tick=False)


def _tenant_contracts():
    organization = Membership.objects.get(user__email="tenant@dongnam.example").organization
    return LeaseContract.objects.filter(organization=organization)


def test_the_demo_tenant_leases_innovation_town_105_until_45_days_after_loading():
    with _at(LOAD_DAY):
        _seed("--no-month")

    contract = _tenant_contracts().get()
    assert contract.unit.facility.slug == "innovation-town"
    assert contract.unit.code == "105"
    assert contract.status == LeaseContract.Status.ACTIVE
    assert contract.end_date == LOAD_DAY + timedelta(days=45) == date(2027, 4, 16)
    assert contract.start_date == date(2025, 4, 17)
    assert contract.monthly_rent == contract.unit.monthly_rent
    assert contract.signed_at is not None
    assert contract.organization.name_en == "Dongnam Social Cooperative"


def test_the_demo_lease_can_be_renewed_on_the_day_it_is_loaded():
    with _at(LOAD_DAY):
        _seed("--no-month")
        contract = _tenant_contracts().get()
        opens, closes = renewal_window(contract)

        assert opens <= LOAD_DAY <= closes
        assert renewal_terms(contract) == [6, 12, 24]
        assert not RenewalRequest.objects.exists()


def test_in_the_demo_month_the_tenant_asked_two_days_ago_to_renew_for_a_year():
    with _at(LOAD_DAY):
        _seed()

    renewal = RenewalRequest.objects.get()
    assert renewal.contract == _tenant_contracts().get()
    assert renewal.status == RenewalRequest.Status.SUBMITTED
    assert renewal.term_months == 12
    assert renewal.requested_by.email == "tenant@dongnam.example"
    assert renewal.created.astimezone(SEOUL).date() == LOAD_DAY - timedelta(days=2)


def test_seeding_again_on_a_later_day_leaves_the_demo_lease_as_it_was():
    with _at(LOAD_DAY):
        _seed("--no-month")
    before = list(_tenant_contracts().values())

    for later in (LOAD_DAY + timedelta(days=10), LOAD_DAY + timedelta(days=60)):
        with _at(later, hour=15):
            _seed("--no-month")

    assert list(_tenant_contracts().values()) == before
    assert LeaseContract.objects.count() == 1


def test_the_startup_demo_account_has_no_lease():
    with _at(LOAD_DAY):
        _seed("--no-month")

    organization = Membership.objects.get(user__email="startup@dongnam.example").organization
    assert not LeaseContract.objects.filter(organization=organization).exists()
