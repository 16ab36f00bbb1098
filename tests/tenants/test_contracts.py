from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEntry
from tenants import services, tasks
from tenants.models import LeaseContract
from tests.factories import LeasableUnitFactory
from tests.tenants.conftest import NOW, TODAY
from tests.tenants.factories import LeaseContractFactory, renewal_chain
from tests.tenants.helpers import actions_on

pytestmark = pytest.mark.django_db

LIVE = [LeaseContract.Status.DRAFT, LeaseContract.Status.ACTIVE, LeaseContract.Status.RENEWED]
ENDED = [LeaseContract.Status.EXPIRED, LeaseContract.Status.TERMINATED]

# The existing contract of the unit in these tests: the whole of 2027.
HELD_FROM, HELD_UNTIL = date(2027, 1, 1), date(2027, 12, 31)


def _create(manager, organization, unit, start_date, end_date, **extra):
    return services.create_contract(
        manager=manager,
        organization=organization,
        unit=unit,
        start_date=start_date,
        end_date=end_date,
        monthly_rent=360_000,
        **extra,
    )


@pytest.fixture
def held(organization, unit):
    def held(status=LeaseContract.Status.ACTIVE):
        return LeaseContractFactory(
            organization=organization, unit=unit, start_date=HELD_FROM, end_date=HELD_UNTIL, status=status
        )

    return held


# --- create_contract --------------------------------------------------------------------------


def test_a_manager_of_the_units_facility_creates_an_active_signed_contract(manager, organization, unit):
    contract = _create(manager, organization, unit, date(2027, 4, 1), date(2029, 3, 31), deposit=3_600_000)

    contract.refresh_from_db()
    assert contract.status == LeaseContract.Status.ACTIVE
    assert contract.signed_at == NOW
    assert (contract.start_date, contract.end_date) == (date(2027, 4, 1), date(2029, 3, 31))
    assert (contract.organization, contract.unit, contract.deposit) == (organization, unit, 3_600_000)
    entry = AuditEntry.objects.get(action="contract.created")
    assert entry.actor == manager
    assert entry.target == contract
    assert entry.after["end_date"] == "2029-03-31"


def test_an_admin_may_create_a_contract_in_any_facility(admin_user, organization, unit):
    contract = _create(admin_user, organization, unit, date(2027, 4, 1), date(2028, 3, 31))

    assert LeaseContract.objects.get() == contract


@pytest.mark.parametrize("who", ["other_manager", "tenant_owner"])
def test_only_a_manager_of_the_units_facility_may_create_a_contract(request, organization, unit, who):
    with pytest.raises(services.TenancyError) as raised:
        _create(request.getfixturevalue(who), organization, unit, date(2027, 4, 1), date(2028, 3, 31))

    assert raised.value.code == "not_manager"
    assert raised.value.status == 403
    assert not LeaseContract.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("status", LIVE)
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (HELD_FROM, HELD_UNTIL),
        (date(2027, 6, 1), date(2027, 6, 30)),
        (date(2026, 7, 1), HELD_FROM),
        (HELD_UNTIL, date(2028, 12, 31)),
        (date(2026, 1, 1), date(2028, 12, 31)),
    ],
    ids=["same-days", "inside", "ends-on-its-first-day", "starts-on-its-last-day", "around"],
)
def test_a_contract_overlapping_a_live_one_is_refused_as_unit_taken(
    manager, other_org_member, held, unit, status, start, end
):
    existing = held(status)
    other_organization = other_org_member.memberships.get().organization

    with pytest.raises(services.TenancyError) as raised:
        _create(manager, other_organization, unit, start, end)

    assert raised.value.code == "unit_taken"
    assert raised.value.status == 409
    assert list(LeaseContract.objects.all()) == [existing]


@pytest.mark.parametrize(
    ("start", "end"), [(date(2028, 1, 1), date(2028, 12, 31)), (date(2026, 1, 1), date(2026, 12, 31))]
)
def test_a_contract_may_start_the_day_after_or_end_the_day_before_another(
    manager, organization, held, unit, start, end
):
    held()

    contract = _create(manager, organization, unit, start, end)

    assert LeaseContract.objects.count() == 2
    assert contract.status == LeaseContract.Status.ACTIVE


@pytest.mark.parametrize("status", ENDED)
def test_expired_and_terminated_contracts_do_not_hold_the_unit(manager, organization, held, unit, status):
    held(status)

    contract = _create(manager, organization, unit, HELD_FROM, HELD_UNTIL)

    assert LeaseContract.objects.filter(unit=unit).count() == 2
    assert contract.status == LeaseContract.Status.ACTIVE


def test_a_contract_of_another_unit_does_not_block(manager, organization, held, town):
    held()

    contract = _create(manager, organization, LeasableUnitFactory(facility=town, code="106"), HELD_FROM, HELD_UNTIL)

    assert contract.unit.code == "106"


@pytest.mark.parametrize("end", [date(2027, 4, 1), date(2027, 3, 31)], ids=["same-day", "before"])
def test_the_last_day_must_come_after_the_first_day(manager, organization, unit, end):
    with pytest.raises(services.TenancyError) as raised:
        _create(manager, organization, unit, date(2027, 4, 1), end)

    assert raised.value.code == "invalid_range"
    assert raised.value.field == "end_date"
    assert not LeaseContract.objects.exists()


@pytest.mark.parametrize("end", [date(2027, 4, 1), date(2027, 3, 31)], ids=["same-day", "before"])
def test_the_database_refuses_a_contract_whose_last_day_is_not_after_its_first(organization, unit, end):
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaseContract.objects.create(
            organization=organization, unit=unit, start_date=date(2027, 4, 1), end_date=end, monthly_rent=1
        )

    assert not LeaseContract.objects.exists()


@pytest.mark.postgres
@pytest.mark.parametrize("existing_status", LIVE)
@pytest.mark.parametrize("new_status", LIVE)
def test_postgres_refuses_a_second_live_contract_for_overlapping_days(
    other_org_member, held, unit, existing_status, new_status
):
    existing = held(existing_status)

    with pytest.raises(IntegrityError, match="contract_one_live_per_unit"), transaction.atomic():
        LeaseContract.objects.create(
            organization=other_org_member.memberships.get().organization,
            unit=unit,
            start_date=HELD_UNTIL,
            end_date=date(2028, 6, 30),
            monthly_rent=1,
            status=new_status,
        )

    assert list(LeaseContract.objects.all()) == [existing]


@pytest.mark.postgres
@pytest.mark.parametrize("status", ENDED)
def test_postgres_lets_ended_contracts_overlap(organization, held, unit, status):
    held(status)
    LeaseContract.objects.create(
        organization=organization, unit=unit, start_date=HELD_FROM, end_date=HELD_UNTIL, monthly_rent=1
    )
    LeaseContract.objects.create(
        organization=organization, unit=unit, start_date=HELD_FROM, end_date=HELD_UNTIL, monthly_rent=1, status=status
    )

    assert LeaseContract.objects.filter(unit=unit).count() == 3


@pytest.mark.postgres
def test_postgres_lets_back_to_back_contracts_share_no_day(organization, held, unit):
    held()

    LeaseContract.objects.create(
        organization=organization,
        unit=unit,
        start_date=HELD_UNTIL + timedelta(days=1),
        end_date=date(2028, 12, 31),
        monthly_rent=1,
    )

    assert LeaseContract.objects.filter(unit=unit).count() == 2


@pytest.mark.postgres
def test_postgres_constraint_answers_unit_taken_when_the_service_check_is_missed(
    manager, other_org_member, held, unit, monkeypatch
):
    existing = held()
    monkeypatch.setattr(services, "_check_unit_free", lambda **kwargs: None)

    with pytest.raises(services.TenancyError) as raised:
        _create(manager, other_org_member.memberships.get().organization, unit, HELD_FROM, HELD_UNTIL)

    assert raised.value.code == "unit_taken"
    assert list(LeaseContract.objects.all()) == [existing]
    assert not AuditEntry.objects.exists()


# --- The daily status job ---------------------------------------------------------------------


def _status(contract):
    contract.refresh_from_db()
    return contract.status


def test_an_active_contract_stays_active_through_its_last_day(contract, clock):
    clock.move_to(contract.end_date.isoformat() + "T23:00:00+09:00")

    assert services.update_contract_statuses() == {"renewed": 0, "expired": 0}
    assert _status(contract) == LeaseContract.Status.ACTIVE


def test_an_active_contract_past_its_last_day_expires(contract, clock):
    clock.move_to((contract.end_date + timedelta(days=1)).isoformat() + "T00:05:00+09:00")

    counts = services.update_contract_statuses()

    assert counts == {"renewed": 0, "expired": 1}
    assert _status(contract) == LeaseContract.Status.EXPIRED
    entry = AuditEntry.objects.get(action="contract.expired")
    assert entry.target == contract
    assert entry.actor is None
    assert (entry.before, entry.after) == ({"status": "active"}, {"status": "expired"})


def test_a_contract_renewed_by_an_active_successor_becomes_renewed(organization, unit, clock):
    first, second = renewal_chain(organization=organization, unit=unit, first_start=date(2026, 3, 1), renewals=1)
    LeaseContract.objects.filter(pk=first.pk).update(status=LeaseContract.Status.ACTIVE)
    clock.move_to("2027-03-01T00:05:00+09:00")

    counts = services.update_contract_statuses()

    assert counts == {"renewed": 1, "expired": 0}
    assert _status(first) == LeaseContract.Status.RENEWED
    assert _status(second) == LeaseContract.Status.ACTIVE
    assert actions_on(first) == ["contract.renewed"]


def test_a_contract_whose_successor_is_not_active_expires(organization, unit, clock):
    first, second = renewal_chain(organization=organization, unit=unit, first_start=date(2026, 3, 1), renewals=1)
    LeaseContract.objects.filter(pk=first.pk).update(status=LeaseContract.Status.ACTIVE)
    LeaseContract.objects.filter(pk=second.pk).update(status=LeaseContract.Status.DRAFT)
    clock.move_to("2027-03-01T00:05:00+09:00")

    services.update_contract_statuses()

    assert _status(first) == LeaseContract.Status.EXPIRED
    assert _status(second) == LeaseContract.Status.DRAFT


@pytest.mark.parametrize("status", [LeaseContract.Status.DRAFT, LeaseContract.Status.TERMINATED])
def test_the_daily_job_leaves_contracts_that_are_not_active_alone(organization, unit, status):
    contract = LeaseContractFactory(
        organization=organization, unit=unit, start_date=date(2025, 1, 1), end_date=date(2026, 12, 31), status=status
    )

    assert services.update_contract_statuses() == {"renewed": 0, "expired": 0}
    assert _status(contract) == status


def test_the_daily_job_is_idempotent(organization, unit, town, clock):
    first, second = renewal_chain(organization=organization, unit=unit, first_start=date(2026, 3, 1), renewals=1)
    LeaseContract.objects.filter(pk=first.pk).update(status=LeaseContract.Status.ACTIVE)
    lapsed = LeaseContractFactory(
        organization=organization,
        unit=LeasableUnitFactory(facility=town, code="107"),
        start_date=date(2025, 3, 1),
        end_date=date(2027, 2, 28),
    )
    clock.move_to("2027-03-01T00:05:00+09:00")

    assert tasks.update_contract_statuses() == {"renewed": 1, "expired": 1}
    entries = AuditEntry.objects.count()
    clock.move_to("2027-03-02T00:05:00+09:00")
    assert tasks.update_contract_statuses() == {"renewed": 0, "expired": 0}
    assert services.update_contract_statuses(today=TODAY) == {"renewed": 0, "expired": 0}

    assert AuditEntry.objects.count() == entries
    assert [_status(first), _status(second), _status(lapsed)] == ["renewed", "active", "expired"]
