"""Random input to the booking and renewal services: they answer with a domain error or do the change whole.

The only exceptions allowed are ``BookingError`` and ``TenancyError`` carrying a code. After every call the
invariants hold: no two active bookings of a space overlap, a contract has at most one open renewal
request, an approved rent stays under the facility's cap, and a call that raised left every table as it
was.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from audit.models import AuditEntry
from bookings import services as booking_services
from bookings.api import DateTimeField
from bookings.models import Booking, WaitlistEntry
from hall.models import Space
from notifications.models import Notification
from tenants import services as tenancy_services
from tenants.models import LeaseContract, Membership, RenewalDocument, RenewalRequest
from tests.factories import (
    FROZEN_NOW,
    LeasableUnitFactory,
    MembershipFactory,
    OrganizationFactory,
    SpaceFactory,
    UserFactory,
)
from tests.tenants.factories import LeaseContractFactory

SEOUL = ZoneInfo("Asia/Seoul")
TODAY = FROZEN_NOW.date()

FUZZ = settings(
    deadline=None,
    max_examples=80,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)

pytestmark = pytest.mark.usefixtures("frozen_now")


# --- Strategies -----------------------------------------------------------------------------------

ZONES = [
    None,
    UTC,
    SEOUL,
    dt_timezone(timedelta(hours=14)),
    dt_timezone(timedelta(hours=-12)),
    dt_timezone(timedelta(hours=5, minutes=30)),
]

# Near the frozen now, mostly on the quarter hour: these are the times that can be booked, and collide.
near_moments = st.builds(
    lambda days, minutes: FROZEN_NOW + timedelta(days=days, minutes=minutes),
    st.integers(min_value=-3, max_value=75),
    st.one_of(st.integers(0, 95).map(lambda quarter: quarter * 15), st.integers(0, 24 * 60 - 1)),
)


def _in_zone(moment: datetime, zone) -> datetime:
    return moment.astimezone(SEOUL).replace(tzinfo=None) if zone is None else moment.astimezone(zone)


@st.composite
def moments(draw):
    """A moment anywhere from year 1 to 9999, naive or in one of several zones."""
    zone = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        return _in_zone(draw(near_moments), zone)
    return draw(
        st.datetimes(
            min_value=datetime(1, 1, 1),
            max_value=datetime(9999, 12, 31, 23, 59, 59),
            timezones=st.just(zone) if zone else st.none(),
        )
    )


@st.composite
def wild_periods(draw):
    start = draw(moments())
    if draw(st.booleans()):
        return start, draw(moments())
    minutes = draw(st.one_of(st.integers(-600, 600).map(lambda m: m - m % 15), st.integers(-(10**5), 10**5)))
    try:
        return start, start + timedelta(minutes=minutes)
    except OverflowError:
        return start, start


@st.composite
def plausible_periods(draw):
    """Half hours of the coming weeks in the day, as a booker would ask: many can be booked, some collide."""
    day = FROZEN_NOW.replace(hour=0) + timedelta(days=draw(st.integers(0, 65)))
    start = day + timedelta(minutes=30 * draw(st.integers(14, 44)))
    end = start + timedelta(minutes=30 * draw(st.integers(-1, 18)))
    zone = draw(st.sampled_from([None, SEOUL, UTC]))
    return _in_zone(start, zone), _in_zone(end, zone)


periods = st.one_of(plausible_periods(), plausible_periods(), wild_periods())


# What the API and the forms let through: DRF's CharField refuses NUL and lone surrogates, form data is UTF-8.
text_as_sent = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
titles = st.one_of(
    st.text(alphabet=text_as_sent, min_size=1, max_size=150),
    st.sampled_from(["Team meeting", "스타트업 멘토링", "  회의  ", "🎉" * 150, "a" * 150, "", " ", "\t\n "]),
)
notes = st.one_of(
    st.text(alphabet=text_as_sent, max_size=300),
    st.sampled_from(["", "   ", "\n", "갱신 부탁드립니다"]),
)


def as_drf_passes_it(moment: datetime) -> datetime | None:
    """What the API's DateTimeField makes of the moment sent as ISO 8601; None when it answers 400."""
    try:
        return DateTimeField().to_internal_value(moment.isoformat())
    except ValidationError:
        return None


# --- Invariants -----------------------------------------------------------------------------------


def assert_no_active_overlap():
    rows = Booking.objects.filter(status__in=Booking.ACTIVE_STATUSES).order_by("space_id", "start", "pk")
    for before, after in pairwise(rows.values_list("space_id", "start", "end", "pk")):
        if before[0] == after[0]:
            assert before[2] <= after[1], f"bookings {before[3]} and {after[3]} overlap"


def booking_tables():
    return (
        sorted(Booking.objects.values_list("pk", "status", "start", "end", "attendees", "title")),
        AuditEntry.objects.count(),
        Notification.objects.count(),
        WaitlistEntry.objects.count(),
    )


def assert_one_open_renewal_per_contract():
    open_by_contract = Counter(
        RenewalRequest.objects.filter(status__in=RenewalRequest.OPEN_STATUSES).values_list("contract_id", flat=True)
    )
    assert all(count == 1 for count in open_by_contract.values()), open_by_contract


def assert_rents_within_cap():
    for renewal in RenewalRequest.objects.filter(proposed_rent__isnull=False).select_related("contract__unit"):
        assert 0 <= renewal.proposed_rent <= tenancy_services.max_renewal_rent(renewal.contract)


def assert_one_live_contract_per_unit_and_day():
    live = LeaseContract.objects.filter(status__in=LeaseContract.LIVE_STATUSES).order_by("unit_id", "start_date")
    for before, after in pairwise(live.values_list("unit_id", "start_date", "end_date", "pk")):
        if before[0] == after[0]:
            assert before[2] < after[1], f"contracts {before[3]} and {after[3]} share days"


def tenancy_tables():
    return (
        sorted(
            RenewalRequest.objects.values_list(
                "pk", "contract_id", "status", "term_months", "proposed_rent", "note", "manager_note"
            )
        ),
        sorted(LeaseContract.objects.values_list("pk", "status", "start_date", "end_date", "non_renewal_notice_at")),
        RenewalDocument.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


# --- Bookings -------------------------------------------------------------------------------------


@pytest.fixture
def booking_cast(town, art_center, startup_member, manager):
    two_orgs = MembershipFactory(role=Membership.Role.MEMBER).user
    MembershipFactory(user=two_orgs, organization=OrganizationFactory())
    return {
        "spaces": [
            SpaceFactory(facility=town, slug="fuzz-room", capacity=12),
            SpaceFactory(facility=town, slug="fuzz-room-paid", capacity=40, fee=10_000),
            SpaceFactory(facility=art_center, slug="fuzz-gallery", booking_unit=Space.BookingUnit.DAY, capacity=80),
        ],
        "users": {
            "member": startup_member,
            "manager": manager,
            "two_orgs": two_orgs,
            "no_org": UserFactory(),
        },
        "organizations": {
            "own": startup_member.memberships.get().organization,
            "other": OrganizationFactory(),
        },
    }


def test_create_booking_answers_with_a_domain_error_or_a_whole_booking(booking_cast):
    outcomes = Counter()

    @FUZZ
    @given(
        space=st.sampled_from(range(len(booking_cast["spaces"]))),
        who=st.sampled_from(["member", "member", "manager", "two_orgs", "no_org"]),
        period=periods,
        caller=st.sampled_from(["api", "api", "api", "direct"]),
        title=titles,
        attendees=st.one_of(st.integers(1, 12), st.integers(0, 10**6)),
        organization=st.sampled_from([None, None, None, "own", "other"]),
        override_reason=st.sampled_from(["", "", "", "   ", "Board meeting"]),
    )
    @example(
        space=0,
        who="member",
        period=(datetime(2026, 12, 2, 10, 0), datetime(2026, 12, 2, 11, 0)),
        caller="api",
        title="Team meeting",
        attendees=3,
        organization=None,
        override_reason="",
    )
    @example(
        space=0,
        who="manager",
        period=(datetime(2026, 12, 2, 10, 30), datetime(2026, 12, 2, 12, 0)),
        caller="api",
        title="  Overlapping  ",
        attendees=2,
        organization=None,
        override_reason="Board meeting",
    )
    def book(space, who, period, caller, title, attendees, organization, override_reason):
        start, end = period
        if caller == "api":
            start, end = as_drf_passes_it(start), as_drf_passes_it(end)
            if start is None or end is None:
                outcomes["refused by the API"] += 1
                return
        before = booking_tables()
        try:
            booking = booking_services.create_booking(
                requested_by=booking_cast["users"][who],
                space=booking_cast["spaces"][space],
                start=start,
                end=end,
                title=title,
                attendees=attendees,
                organization=booking_cast["organizations"].get(organization),
                override_reason=override_reason,
            )
        except booking_services.BookingError as error:
            assert isinstance(error.code, str) and error.code
            assert error.status in (400, 403, 409)
            assert booking_tables() == before, f"{error.code} left changes behind"
            outcomes[error.code] += 1
        else:
            booking.refresh_from_db()
            assert booking.status in Booking.ACTIVE_STATUSES
            assert booking.start == start and booking.end == end and booking.end > booking.start
            assert booking.title == title.strip() and booking.title
            assert booking.attendees == attendees >= 1
            assert len(booking_tables()[0]) == len(before[0]) + 1
            assert AuditEntry.objects.count() == before[1] + 1
            outcomes["booked"] += 1
        assert_no_active_overlap()

    book()

    assert outcomes["booked"] >= 1, outcomes
    assert sum(count for code, count in outcomes.items() if code != "booked") >= 1, outcomes


# --- Renewals -------------------------------------------------------------------------------------

CONTRACT_END = TODAY + timedelta(days=45)


@pytest.fixture
def tenancy_cast(town, art_center, tenant_owner, manager, other_manager, startup_member, admin_user):
    organization = tenant_owner.memberships.get().organization
    tenant_admin = MembershipFactory(organization=organization, role=Membership.Role.ADMIN).user
    tenant_member = MembershipFactory(organization=organization, role=Membership.Role.MEMBER).user

    def contract(code, start):
        unit = LeasableUnitFactory(facility=town, code=code, monthly_rent=360_000, maintenance_fee=60_000)
        return LeaseContractFactory(organization=organization, unit=unit, start_date=start, end_date=CONTRACT_END)

    return {
        "contracts": [
            contract("201", CONTRACT_END - relativedelta(years=2) + timedelta(days=1)),
            # Tenancy since 54 months: only a 6-month renewal stays within the 60-month cap.
            contract("202", CONTRACT_END - relativedelta(months=54) + timedelta(days=1)),
        ],
        "users": {
            "owner": tenant_owner,
            "tenant_admin": tenant_admin,
            "tenant_member": tenant_member,
            "manager": manager,
            "other_manager": other_manager,
            "stranger": startup_member,
            "admin": admin_user,
        },
    }


terms = st.one_of(st.sampled_from(RenewalRequest.TERM_CHOICES), st.integers(-(10**6), 10**6))
rents = st.one_of(
    st.none(),
    st.sampled_from([0, 360_000, 378_000, 378_001]),
    st.integers(-(10**9), 3 * 10**9),
)


# Owners and the facility's manager twice: the ones whose calls go through.
WHO = ["owner", "owner", "tenant_admin", "tenant_member", "manager", "manager", "other_manager", "stranger", "admin"]


@st.composite
def tenancy_operations(draw):
    kind = draw(st.sampled_from(["request", "approve", "approve", "reject", "changes", "resubmit", "accept", "notice"]))
    operation = {
        "kind": kind,
        "contract": draw(st.integers(0, 1)),
        "who": draw(st.sampled_from(WHO)),
        "note": draw(notes),
    }
    if kind in ("request", "resubmit"):
        operation["term"] = draw(terms)
        operation["today"] = TODAY + timedelta(days=draw(st.one_of(st.just(0), st.integers(-400, 100))))
    if kind == "approve":
        operation["rent"] = draw(rents)
    return operation


@st.composite
def tenancy_histories(draw):
    """Operations in a row, most often after a request the owner may make, so the later ones have a renewal."""
    operations = draw(st.lists(tenancy_operations(), min_size=1, max_size=6))
    if draw(st.integers(0, 3)):
        contract = draw(st.integers(0, 1))
        first = {"kind": "request", "contract": contract, "who": "owner", "note": "", "term": 6, "today": TODAY}
        operations.insert(0, first)
    return operations


def _apply(operation, contract, user):
    renewal = RenewalRequest.objects.filter(contract=contract).order_by("-pk").first()
    kind, note = operation["kind"], operation["note"]
    if kind == "request":
        return tenancy_services.request_renewal(
            contract=contract, user=user, term_months=operation["term"], note=note, today=operation["today"]
        )
    if kind == "notice":
        return tenancy_services.give_notice(contract=contract, user=user, note=note)
    if renewal is None:
        return None
    if kind == "approve":
        return tenancy_services.approve_renewal(
            renewal=renewal, manager=user, monthly_rent=operation["rent"], note=note
        )
    if kind == "reject":
        return tenancy_services.reject_renewal(renewal=renewal, manager=user, reason=note)
    if kind == "changes":
        return tenancy_services.request_changes(renewal=renewal, manager=user, note=note)
    if kind == "resubmit":
        return tenancy_services.resubmit_renewal(
            renewal=renewal, user=user, term_months=operation["term"], note=note, today=operation["today"]
        )
    return tenancy_services.accept_renewal(renewal=renewal, user=user, ip="203.0.113.7")


def test_renewal_services_answer_with_a_domain_error_or_a_whole_change(tenancy_cast):
    outcomes = Counter()

    @settings(FUZZ, max_examples=60)
    @given(operations=tenancy_histories())
    @example(
        operations=[
            {"kind": "request", "contract": 0, "who": "owner", "note": "", "term": 12, "today": TODAY},
            {"kind": "request", "contract": 0, "who": "tenant_admin", "note": "again", "term": 24, "today": TODAY},
            {"kind": "approve", "contract": 0, "who": "manager", "note": "", "rent": 378_001},
            {"kind": "approve", "contract": 0, "who": "manager", "note": " ok ", "rent": 378_000},
            {"kind": "accept", "contract": 0, "who": "owner", "note": ""},
        ]
    )
    def run(operations):
        with transaction.atomic():
            for operation in operations:
                contract = tenancy_cast["contracts"][operation["contract"]]
                contract.refresh_from_db()
                before = tenancy_tables()
                try:
                    result = _apply(operation, contract, tenancy_cast["users"][operation["who"]])
                except tenancy_services.TenancyError as error:
                    assert isinstance(error.code, str) and error.code
                    assert error.status in (400, 403, 404, 409)
                    assert tenancy_tables() == before, f"{error.code} left changes behind"
                    outcomes[error.code] += 1
                else:
                    outcomes["done" if result is not None else "nothing to act on"] += 1
                assert_one_open_renewal_per_contract()
                assert_rents_within_cap()
                assert_one_live_contract_per_unit_and_day()
            transaction.set_rollback(True)

    run()

    assert outcomes["done"] >= 1, outcomes
    assert sum(count for code, count in outcomes.items() if code not in ("done", "nothing to act on")) >= 1, outcomes


def test_renewal_terms_and_rents_from_the_api_range(tenancy_cast):
    """The API's own bounds (term among 6/12/24, rent 0..2e9) reach the services and still only give codes."""
    contract = tenancy_cast["contracts"][0]
    owner, manager = tenancy_cast["users"]["owner"], tenancy_cast["users"]["manager"]
    renewal = tenancy_services.request_renewal(contract=contract, user=owner, term_months=12)

    @settings(FUZZ, max_examples=40)
    @given(rent=st.integers(0, 2_000_000_000), note=notes)
    def approve(rent, note):
        with transaction.atomic():
            before = tenancy_tables()
            try:
                approved = tenancy_services.approve_renewal(
                    renewal=renewal, manager=manager, monthly_rent=rent, note=note
                )
            except tenancy_services.TenancyError as error:
                assert error.code == "over_rent_cap" and rent > tenancy_services.max_renewal_rent(contract)
                assert tenancy_tables() == before
            else:
                assert approved.proposed_rent == rent <= tenancy_services.max_renewal_rent(contract)
                assert approved.manager_note == note.strip()
            assert_rents_within_cap()
            transaction.set_rollback(True)

    approve()
