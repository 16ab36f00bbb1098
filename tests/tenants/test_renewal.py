from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.utils.html import escape

from audit.models import AuditEntry
from tenants import services
from tenants.models import LeaseContract, RenewalDocument, RenewalRequest
from tests.factories import LeasableUnitFactory, enable_totp, seoul
from tests.tenants.conftest import CONTRACT_END, NOW, TODAY
from tests.tenants.factories import (
    LeaseContractFactory,
    RenewalRequestFactory,
    image_bytes,
    jpeg_upload,
    pdf_bytes,
    pdf_upload,
    png_upload,
    upload,
)
from tests.tenants.helpers import actions_on, page_text

pytestmark = pytest.mark.django_db

WINDOW_OPENS = CONTRACT_END - timedelta(days=90)  # 2027-01-16
NEW_START = CONTRACT_END + timedelta(days=1)  # 2027-04-17


def _request(contract, user, term=12, **kwargs):
    return services.request_renewal(contract=contract, user=user, term_months=term, **kwargs)


def _refused(call, **kwargs) -> services.TenancyError:
    with pytest.raises(services.TenancyError) as raised:
        call(**kwargs)
    return raised.value


def _on(clock, day: date):
    clock.move_to(seoul(day.year, day.month, day.day, 10))


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def submitted(contract, tenant_owner):
    return _request(contract, tenant_owner, note="We would like to stay.")


@pytest.fixture
def approved(submitted, manager):
    return services.approve_renewal(renewal=submitted, manager=manager, monthly_rent=370_000, note="Welcome to stay.")


# --- Who may ask, and when ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["tenant_owner", "tenant_admin"])
def test_an_owner_or_admin_requests_a_renewal(request, contract, who):
    user = request.getfixturevalue(who)

    renewal = _request(contract, user, term=24, note="  Two more years, please.  ")

    renewal.refresh_from_db()
    assert renewal.status == RenewalRequest.Status.SUBMITTED
    assert (renewal.contract, renewal.requested_by, renewal.term_months) == (contract, user, 24)
    assert renewal.note == "Two more years, please."
    entry = AuditEntry.objects.get(action="renewal.submitted")
    assert (entry.actor, entry.target, entry.after) == (user, renewal, {"term_months": 24})


def test_a_plain_member_may_not_request_a_renewal(contract, tenant_member):
    error = _refused(_request, contract=contract, user=tenant_member)

    assert (error.code, error.status) == ("not_allowed", 403)
    assert not RenewalRequest.objects.exists()


def test_someone_outside_the_organization_may_not_request_a_renewal(client, contract, other_org_member):
    error = _refused(_request, contract=contract, user=other_org_member)
    client.force_login(other_org_member)

    assert (error.code, error.status) == ("not_member", 403)
    assert client.get(f"/contracts/{contract.pk}/").status_code == 404
    assert client.post(f"/contracts/{contract.pk}/renew/", {"term_months": 12}).status_code == 404
    assert not RenewalRequest.objects.exists()


@pytest.mark.parametrize(
    "day",
    [WINDOW_OPENS - timedelta(days=1), CONTRACT_END + timedelta(days=1), CONTRACT_END + timedelta(days=30)],
    ids=["day-before-the-window", "day-after-the-end", "month-after-the-end"],
)
def test_a_renewal_cannot_be_requested_outside_the_window(clock, contract, tenant_owner, day):
    _on(clock, day)

    error = _refused(_request, contract=contract, user=tenant_owner)

    assert error.code == "outside_window"
    assert error.message == "Renewal can be requested from 2027-01-16 until 2027-04-16."
    assert not RenewalRequest.objects.exists()


@pytest.mark.parametrize(
    "day", [WINDOW_OPENS, CONTRACT_END], ids=["first-day-of-the-window", "last-day-of-the-contract"]
)
def test_a_renewal_can_be_requested_on_the_edges_of_the_window(clock, contract, tenant_owner, day):
    _on(clock, day)

    renewal = _request(contract, tenant_owner)

    assert renewal.status == RenewalRequest.Status.SUBMITTED


def test_the_window_follows_the_facilitys_setting(clock, contract, tenant_owner, town):
    town.renewal_window_days = 30
    town.save()
    _on(clock, CONTRACT_END - timedelta(days=31))

    error = _refused(_request, contract=contract, user=tenant_owner)
    _on(clock, CONTRACT_END - timedelta(days=30))

    assert error.code == "outside_window"
    assert _request(contract, tenant_owner).status == RenewalRequest.Status.SUBMITTED


# --- The tenancy cap --------------------------------------------------------------------------


@pytest.fixture
def long_tenancy(organization, unit):
    """54 months of tenancy in three contracts (24 + 24 + 6), the last ending 2027-04-30."""
    first = LeaseContractFactory(
        organization=organization,
        unit=unit,
        start_date=date(2022, 11, 1),
        end_date=date(2024, 10, 31),
        status=LeaseContract.Status.RENEWED,
    )
    second = LeaseContractFactory(
        organization=organization,
        unit=unit,
        start_date=date(2024, 11, 1),
        end_date=date(2026, 10, 31),
        status=LeaseContract.Status.RENEWED,
        renews=first,
    )
    return LeaseContractFactory(
        organization=organization, unit=unit, start_date=date(2026, 11, 1), end_date=date(2027, 4, 30), renews=second
    )


def test_a_tenancy_of_54_of_60_months_can_take_6_more_but_not_12(long_tenancy, tenant_owner):
    assert services.tenancy_start(long_tenancy) == date(2022, 11, 1)
    assert services.renewal_terms(long_tenancy) == [6]

    errors = [_refused(_request, contract=long_tenancy, user=tenant_owner, term=term) for term in (12, 24)]
    renewal = _request(long_tenancy, tenant_owner, term=6)

    assert [error.code for error in errors] == ["over_tenancy_cap", "over_tenancy_cap"]
    assert errors[0].message == "A 12-month renewal would pass the facility's limit of 60 months of tenancy."
    assert renewal.term_months == 6
    assert RenewalRequest.objects.count() == 1


def test_a_single_contract_of_54_months_can_take_6_more_but_not_12(organization, unit, tenant_owner):
    contract = LeaseContractFactory(
        organization=organization, unit=unit, start_date=date(2022, 11, 1), end_date=date(2027, 4, 30)
    )

    assert services.renewal_terms(contract) == [6]
    assert _refused(_request, contract=contract, user=tenant_owner, term=12).code == "over_tenancy_cap"


def test_a_tenancy_at_the_cap_cannot_be_renewed_and_the_page_says_so(client, organization, unit, tenant_owner):
    contract = LeaseContractFactory(
        organization=organization, unit=unit, start_date=date(2022, 5, 1), end_date=date(2027, 4, 30)
    )
    client.force_login(tenant_owner)

    page = client.get(f"/contracts/{contract.pk}/")

    assert services.renewal_terms(contract) == []
    assert "No term fits within the tenancy limit" in page_text(page)
    assert _refused(_request, contract=contract, user=tenant_owner, term=6).code == "over_tenancy_cap"


def test_the_contract_page_offers_only_the_terms_within_the_cap(client, long_tenancy, tenant_owner):
    client.force_login(tenant_owner)

    page = page_text(client.get(f"/contracts/{long_tenancy.pk}/"))

    assert "6 months" in page
    assert "12 months" not in page
    assert "24 months" not in page


def test_a_term_other_than_6_12_or_24_months_is_refused(contract, tenant_owner):
    error = _refused(_request, contract=contract, user=tenant_owner, term=18)

    assert (error.code, error.field) == ("invalid", "term_months")
    assert not RenewalRequest.objects.exists()


# --- One open request -------------------------------------------------------------------------


def test_a_second_request_finds_the_open_one(submitted, contract, tenant_admin):
    error = _refused(_request, contract=contract, user=tenant_admin, term=6)

    assert (error.code, error.status) == ("already_open", 409)
    assert error.existing == submitted
    assert RenewalRequest.objects.get() == submitted
    assert submitted.term_months == 12


def test_the_database_refuses_a_second_open_request_for_a_contract(contract, tenant_owner):
    RenewalRequestFactory(contract=contract, requested_by=tenant_owner)

    for status in RenewalRequest.OPEN_STATUSES:
        with pytest.raises(IntegrityError), transaction.atomic():
            RenewalRequestFactory(contract=contract, requested_by=tenant_owner, status=status)

    assert RenewalRequest.objects.count() == 1


def test_closed_requests_do_not_count_as_open(contract, tenant_owner):
    for status in ("rejected", "withdrawn", "accepted"):
        RenewalRequestFactory(contract=contract, requested_by=tenant_owner, status=status)

    renewal = _request(contract, tenant_owner)

    assert renewal.status == RenewalRequest.Status.SUBMITTED
    assert RenewalRequest.objects.count() == 4


# --- Documents --------------------------------------------------------------------------------


def test_pdf_jpeg_and_png_documents_are_kept_with_the_request(contract, tenant_owner, settings):
    files = [pdf_upload("사업보고서.pdf"), jpeg_upload("photo.JPEG"), png_upload("plan.png")]

    renewal = _request(contract, tenant_owner, files=files)

    documents = list(renewal.documents.all())
    assert [(d.original_name, d.content_type, d.uploaded_by) for d in documents] == [
        ("사업보고서.pdf", "application/pdf", tenant_owner),
        ("photo.JPEG", "image/jpeg", tenant_owner),
        ("plan.png", "image/png", tenant_owner),
    ]
    assert documents[0].size == len(pdf_bytes())
    with documents[0].file.open("rb") as stored:
        assert stored.read() == pdf_bytes()
    assert len(_stored_files(settings)) == 3


def test_a_document_exactly_at_the_size_limit_is_accepted(contract, tenant_owner, settings):
    settings.RENEWAL_DOCUMENT_MAX_BYTES = 1024 * 1024
    document = pdf_upload("report.pdf", padding=1024 * 1024 - len(pdf_bytes()))
    assert document.size == settings.RENEWAL_DOCUMENT_MAX_BYTES

    renewal = _request(contract, tenant_owner, files=[document])

    assert renewal.documents.get().size == 1024 * 1024


BAD_DOCUMENTS = [
    ("report.pdf", b"Business report 2026\nrevenue: 12,000,000 won\n", "report.pdf is not a PDF, JPEG or PNG file."),
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, "setup.exe is not a PDF, JPEG or PNG file."),
    ("plan.pdf", image_bytes("PNG"), "plan.pdf is not a PDF, JPEG or PNG file."),
    ("report.png", pdf_bytes(), "report.png is not a PDF, JPEG or PNG file."),
    ("scan.png", image_bytes("PNG")[:40] + b"\x00" * 40, "scan.png is not a readable image."),
    ("photo.jpg", image_bytes("JPEG")[:30] + b"\xff" * 30, "photo.jpg is not a readable image."),
    ("empty.pdf", b"", "empty.pdf is empty."),
]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    BAD_DOCUMENTS,
    ids=["text-as-pdf", "exe", "png-as-pdf", "pdf-as-png", "broken-png", "broken-jpeg", "empty"],
)
def test_a_bad_document_is_refused_and_nothing_is_saved(contract, tenant_owner, settings, name, content, message):
    error = _refused(_request, contract=contract, user=tenant_owner, files=[upload(name, content)])

    assert (error.code, error.field, error.message) == ("bad_file", "documents", message)
    assert not RenewalRequest.objects.exists()
    assert not RenewalDocument.objects.exists()
    assert not AuditEntry.objects.exists()
    assert _stored_files(settings) == []


def test_a_document_over_the_size_limit_is_refused_and_nothing_is_saved(contract, tenant_owner, settings):
    settings.RENEWAL_DOCUMENT_MAX_BYTES = 1024 * 1024
    document = pdf_upload("big.pdf", padding=1024 * 1024 - len(pdf_bytes()) + 1)

    error = _refused(_request, contract=contract, user=tenant_owner, files=[document])

    assert (error.code, error.field, error.message) == ("file_too_large", "documents", "big.pdf is larger than 1.0 MB.")
    assert not RenewalRequest.objects.exists()
    assert not RenewalDocument.objects.exists()
    assert _stored_files(settings) == []


def test_a_good_document_next_to_a_bad_one_is_not_kept_either(contract, tenant_owner, settings):
    files = [pdf_upload("report.pdf"), upload("setup.exe", b"MZ\x90\x00" + b"\x00" * 120)]

    error = _refused(_request, contract=contract, user=tenant_owner, files=files)

    assert error.message == "setup.exe is not a PDF, JPEG or PNG file."
    assert not RenewalRequest.objects.exists()
    assert not RenewalDocument.objects.exists()
    assert _stored_files(settings) == []


# --- The manager's decision -------------------------------------------------------------------


def _unchanged(renewal):
    renewal.refresh_from_db()
    return (renewal.status, renewal.proposed_rent, renewal.decided_by, renewal.decided_at) == (
        RenewalRequest.Status.SUBMITTED,
        None,
        None,
        None,
    )


@pytest.mark.parametrize("who", ["other_manager", "tenant_owner"])
def test_only_a_manager_of_the_units_facility_may_approve(request, submitted, who):
    error = _refused(
        services.approve_renewal, renewal=submitted, manager=request.getfixturevalue(who), monthly_rent=360_000
    )

    assert (error.code, error.status) == ("not_manager", 403)
    assert _unchanged(submitted)
    assert actions_on(submitted) == ["renewal.submitted"]


@pytest.mark.parametrize("action", ["reject_renewal", "request_changes"])
def test_a_manager_of_another_facility_may_not_refuse_or_send_back(submitted, other_manager, action):
    kwargs = {"reason": "No."} if action == "reject_renewal" else {"note": "No."}

    error = _refused(getattr(services, action), renewal=submitted, manager=other_manager, **kwargs)

    assert error.code == "not_manager"
    assert _unchanged(submitted)


def test_the_approved_rent_may_rise_exactly_to_the_cap(submitted, manager):
    assert services.max_renewal_rent(submitted.contract) == 378_000

    renewal = services.approve_renewal(renewal=submitted, manager=manager, monthly_rent=378_000, note=" ok ")

    renewal.refresh_from_db()
    assert renewal.status == RenewalRequest.Status.APPROVED
    assert (renewal.proposed_rent, renewal.manager_note) == (378_000, "ok")
    assert (renewal.decided_by, renewal.decided_at) == (manager, NOW)
    assert actions_on(renewal) == ["renewal.submitted", "renewal.approved"]


def test_a_rent_one_won_over_the_cap_is_refused(submitted, manager):
    error = _refused(services.approve_renewal, renewal=submitted, manager=manager, monthly_rent=378_001)

    assert (error.code, error.field) == ("over_rent_cap", "monthly_rent")
    assert error.message == "The rent may rise at most 5.00% at renewal: at most 378,000 won."
    assert _unchanged(submitted)


@pytest.mark.parametrize(("rent", "ceiling"), [(333_333, 349_999), (123_457, 129_629), (99, 103)])
def test_the_rent_cap_rounds_down_to_whole_won(organization, unit, tenant_owner, manager, rent, ceiling):
    contract = LeaseContractFactory(
        organization=organization, unit=unit, start_date=date(2025, 4, 17), end_date=CONTRACT_END, monthly_rent=rent
    )
    renewal = _request(contract, tenant_owner)

    refused = _refused(services.approve_renewal, renewal=renewal, manager=manager, monthly_rent=ceiling + 1)
    approved = services.approve_renewal(renewal=renewal, manager=manager, monthly_rent=ceiling)

    assert services.max_renewal_rent(contract) == ceiling
    assert refused.code == "over_rent_cap"
    assert approved.proposed_rent == ceiling


def test_the_rent_cap_follows_the_facilitys_setting(submitted, manager, town):
    town.max_rent_increase_percent = "2.50"
    town.save()

    refused = _refused(services.approve_renewal, renewal=submitted, manager=manager, monthly_rent=369_001)
    approved = services.approve_renewal(renewal=submitted, manager=manager, monthly_rent=369_000)

    assert refused.code == "over_rent_cap"
    assert approved.proposed_rent == 369_000


def test_a_lower_rent_may_be_approved(submitted, manager):
    assert services.approve_renewal(renewal=submitted, manager=manager, monthly_rent=300_000).proposed_rent == 300_000


@pytest.mark.parametrize("reason", ["", "   "])
def test_refusing_needs_a_reason(submitted, manager, reason):
    error = _refused(services.reject_renewal, renewal=submitted, manager=manager, reason=reason)

    assert (error.code, error.field) == ("reason_required", "reason")
    assert _unchanged(submitted)


def test_a_refused_request_tells_why_and_a_new_one_may_follow(submitted, manager, contract, tenant_owner):
    services.reject_renewal(renewal=submitted, manager=manager, reason="The unit will be refurbished.")

    submitted.refresh_from_db()
    assert submitted.status == RenewalRequest.Status.REJECTED
    assert submitted.manager_note == "The unit will be refurbished."
    assert (submitted.decided_by, submitted.decided_at) == (manager, NOW)
    assert AuditEntry.objects.get(action="renewal.rejected").reason == "The unit will be refurbished."
    assert _refused(services.approve_renewal, renewal=submitted, manager=manager, monthly_rent=1).code == (
        "invalid_state"
    )
    assert _request(contract, tenant_owner, term=6).status == RenewalRequest.Status.SUBMITTED


@pytest.mark.parametrize("note", ["", "  "])
def test_asking_for_changes_needs_a_message(submitted, manager, note):
    error = _refused(services.request_changes, renewal=submitted, manager=manager, note=note)

    assert error.code == "reason_required"
    assert _unchanged(submitted)


def test_changes_asked_for_then_resubmitted_then_approved(submitted, manager, tenant_owner):
    services.request_changes(renewal=submitted, manager=manager, note="Add the latest business report.")
    submitted.refresh_from_db()
    before_resubmission = submitted.status
    cannot_approve = _refused(services.approve_renewal, renewal=submitted, manager=manager, monthly_rent=360_000)

    services.resubmit_renewal(
        renewal=submitted, user=tenant_owner, term_months=6, note="Report attached.", files=[pdf_upload()]
    )
    services.approve_renewal(renewal=submitted, manager=manager, monthly_rent=360_000)

    submitted.refresh_from_db()
    assert before_resubmission == RenewalRequest.Status.CHANGES_REQUESTED
    assert cannot_approve.code == "invalid_state"
    assert submitted.status == RenewalRequest.Status.APPROVED
    assert (submitted.term_months, submitted.note) == (6, "Report attached.")
    assert submitted.documents.get().original_name == "business-report.pdf"
    assert actions_on(submitted) == [
        "renewal.submitted",
        "renewal.changes_requested",
        "renewal.resubmitted",
        "renewal.approved",
    ]


def test_a_request_can_only_be_resubmitted_when_changes_were_asked_for(submitted, tenant_owner):
    error = _refused(services.resubmit_renewal, renewal=submitted, user=tenant_owner, term_months=6)

    assert error.code == "invalid_state"
    submitted.refresh_from_db()
    assert submitted.term_months == 12


def test_a_plain_member_may_not_resubmit(submitted, manager, tenant_member):
    services.request_changes(renewal=submitted, manager=manager, note="Shorter, please.")

    error = _refused(services.resubmit_renewal, renewal=submitted, user=tenant_member, term_months=6)

    assert error.code == "not_allowed"
    submitted.refresh_from_db()
    assert (submitted.status, submitted.term_months) == (RenewalRequest.Status.CHANGES_REQUESTED, 12)


# --- Acceptance -------------------------------------------------------------------------------


def test_accepting_creates_the_next_contract_from_the_day_after_the_end(approved, contract, tenant_owner):
    new = services.accept_renewal(renewal=approved, user=tenant_owner, ip="203.0.113.7")

    new.refresh_from_db()
    assert (new.start_date, new.end_date) == (NEW_START, date(2028, 4, 16))
    assert (new.unit, new.organization, new.renews) == (contract.unit, contract.organization, contract)
    assert new.status == LeaseContract.Status.ACTIVE
    assert new.monthly_rent == 370_000
    assert (new.maintenance_fee, new.deposit, new.notice_period_days) == (
        contract.maintenance_fee,
        contract.deposit,
        contract.notice_period_days,
    )
    assert (new.accepted_by, new.signed_at, new.accepted_ip) == (tenant_owner, NOW, "203.0.113.7")
    approved.refresh_from_db()
    assert approved.status == RenewalRequest.Status.ACCEPTED
    assert (approved.accepted_by, approved.accepted_at, approved.accepted_ip) == (tenant_owner, NOW, "203.0.113.7")
    assert approved.new_contract == new
    contract.refresh_from_db()
    assert contract.status == LeaseContract.Status.ACTIVE
    assert contract.renewed_by == new


@pytest.mark.parametrize(("term", "end"), [(6, date(2027, 10, 16)), (24, date(2029, 4, 16))])
def test_the_next_contract_runs_for_the_term_asked_for(contract, tenant_owner, manager, term, end):
    renewal = _request(contract, tenant_owner, term=term)
    services.approve_renewal(renewal=renewal, manager=manager, monthly_rent=360_000)

    new = services.accept_renewal(renewal=renewal, user=tenant_owner, ip=None)

    assert (new.start_date, new.end_date) == (NEW_START, end)


def test_terms_can_be_accepted_only_once(approved, tenant_owner, tenant_admin):
    services.accept_renewal(renewal=approved, user=tenant_owner, ip="203.0.113.7")

    error = _refused(services.accept_renewal, renewal=approved, user=tenant_admin, ip="198.51.100.1")

    assert (error.code, error.status) == ("invalid_state", 409)
    assert LeaseContract.objects.count() == 2
    approved.refresh_from_db()
    assert (approved.accepted_by, approved.accepted_ip) == (tenant_owner, "203.0.113.7")


def test_terms_not_yet_approved_cannot_be_accepted(submitted, tenant_owner):
    error = _refused(services.accept_renewal, renewal=submitted, user=tenant_owner, ip=None)

    assert error.code == "invalid_state"
    assert LeaseContract.objects.count() == 1


@pytest.mark.parametrize(("who", "code"), [("tenant_member", "not_allowed"), ("manager", "not_member")])
def test_only_the_tenants_owners_and_admins_accept(request, approved, who, code):
    error = _refused(services.accept_renewal, renewal=approved, user=request.getfixturevalue(who), ip=None)

    assert error.code == code
    assert LeaseContract.objects.count() == 1
    approved.refresh_from_db()
    assert approved.status == RenewalRequest.Status.APPROVED


def test_a_renewed_contract_cannot_be_renewed_a_second_time(approved, contract, tenant_owner):
    services.accept_renewal(renewal=approved, user=tenant_owner, ip=None)

    error = _refused(_request, contract=contract, user=tenant_owner, term=6)

    assert error.code == "invalid_state"
    assert RenewalRequest.objects.filter(contract=contract).count() == 1


def test_after_the_end_the_old_contract_becomes_renewed_and_the_new_one_runs(clock, approved, contract, tenant_owner):
    new = services.accept_renewal(renewal=approved, user=tenant_owner, ip=None)
    _on(clock, NEW_START)

    services.update_contract_statuses()

    contract.refresh_from_db()
    new.refresh_from_db()
    assert (contract.status, new.status) == (LeaseContract.Status.RENEWED, LeaseContract.Status.ACTIVE)


def test_the_next_renewal_counts_the_whole_tenancy(clock, organization, unit, tenant_owner, manager):
    contract = LeaseContractFactory(
        organization=organization, unit=unit, start_date=date(2023, 5, 1), end_date=date(2027, 4, 30)
    )
    renewal = _request(contract, tenant_owner, term=6)
    services.approve_renewal(renewal=renewal, manager=manager, monthly_rent=360_000)
    new = services.accept_renewal(renewal=renewal, user=tenant_owner, ip=None)
    _on(clock, date(2027, 9, 1))

    assert services.tenancy_start(new) == date(2023, 5, 1)
    assert services.renewal_terms(new) == [6]
    assert _refused(_request, contract=new, user=tenant_owner, term=12).code == "over_tenancy_cap"


# --- Notice of not renewing -------------------------------------------------------------------


def test_notice_of_not_renewing_withdraws_the_open_request_and_blocks_renewal(approved, contract, tenant_admin):
    services.give_notice(contract=contract, user=tenant_admin, note="  Moving to Busan.  ")

    contract.refresh_from_db()
    approved.refresh_from_db()
    assert (contract.non_renewal_notice_at, contract.non_renewal_notice_by) == (NOW, tenant_admin)
    assert contract.non_renewal_note == "Moving to Busan."
    assert approved.status == RenewalRequest.Status.WITHDRAWN
    assert actions_on(approved)[-1] == "renewal.withdrawn"
    assert actions_on(contract) == ["contract.notice_given"]
    blocked = _refused(_request, contract=contract, user=tenant_admin)
    assert (blocked.code, blocked.message) == ("invalid_state", "Notice of not renewing was given for this contract.")
    assert _refused(services.accept_renewal, renewal=approved, user=tenant_admin, ip=None).code == "invalid_state"
    assert LeaseContract.objects.count() == 1


def test_notice_can_be_given_once_and_only_by_owners_or_admins(contract, tenant_member, tenant_owner):
    by_member = _refused(services.give_notice, contract=contract, user=tenant_member)
    services.give_notice(contract=contract, user=tenant_owner)
    again = _refused(services.give_notice, contract=contract, user=tenant_owner)

    assert by_member.code == "not_allowed"
    assert again.code == "invalid_state"
    contract.refresh_from_db()
    assert contract.non_renewal_notice_by == tenant_owner


def test_notice_cannot_be_given_for_a_contract_already_renewed(approved, contract, tenant_owner):
    services.accept_renewal(renewal=approved, user=tenant_owner, ip=None)

    error = _refused(services.give_notice, contract=contract, user=tenant_owner)

    assert error.code == "invalid_state"
    contract.refresh_from_db()
    assert contract.non_renewal_notice_at is None


# --- The audit trail --------------------------------------------------------------------------


def test_each_step_of_a_renewal_is_in_the_audit_log(contract, tenant_owner, manager):
    renewal = _request(contract, tenant_owner, note="Please.")
    services.request_changes(renewal=renewal, manager=manager, note="Which term?")
    services.resubmit_renewal(renewal=renewal, user=tenant_owner, term_months=24)
    services.approve_renewal(renewal=renewal, manager=manager, monthly_rent=378_000, note="Fine.")
    new = services.accept_renewal(renewal=renewal, user=tenant_owner, ip="203.0.113.7")

    entries = list(AuditEntry.objects.order_by("pk"))
    assert [(e.action, e.actor, e.target) for e in entries] == [
        ("renewal.submitted", tenant_owner, renewal),
        ("renewal.changes_requested", manager, renewal),
        ("renewal.resubmitted", tenant_owner, renewal),
        ("renewal.approved", manager, renewal),
        ("renewal.accepted", tenant_owner, renewal),
        ("contract.created", tenant_owner, new),
    ]
    assert entries[1].reason == "Which term?"
    assert entries[3].after == {"monthly_rent": 378_000}
    assert entries[4].after == {"new_contract": new.pk, "ip": "203.0.113.7"}


# --- Through the pages ------------------------------------------------------------------------


def test_the_contract_page_offers_renewal_inside_the_window_only(client, clock, contract, tenant_owner):
    client.force_login(tenant_owner)
    _on(clock, WINDOW_OPENS - timedelta(days=1))
    before = client.get(f"/contracts/{contract.pk}/")
    _on(clock, WINDOW_OPENS)
    inside = client.get(f"/contracts/{contract.pk}/")

    assert ">Renew</button>" not in before.content.decode()
    assert "Renewal opens on 2027-01-16." in page_text(before)
    assert ">Renew</button>" in inside.content.decode()
    assert all(f"{term} months" in page_text(inside) for term in (6, 12, 24))


def test_a_plain_member_sees_the_contract_but_no_renew_button(client, contract, tenant_member):
    client.force_login(tenant_member)

    page = client.get(f"/contracts/{contract.pk}/")

    assert page.status_code == 200
    assert ">Renew</button>" not in page.content.decode()
    refused = client.post(f"/contracts/{contract.pk}/renew/", {"term_months": 12})
    assert refused.status_code == 403
    assert escape("Only the organization's owners or admins may do this.") in refused.content.decode()
    assert not RenewalRequest.objects.exists()


def test_the_whole_renewal_through_the_pages(client, contract, tenant_owner, manager, unit):
    enable_totp(manager)
    client.force_login(tenant_owner)
    contract_page = client.get(f"/contracts/{contract.pk}/")
    sent = client.post(
        f"/contracts/{contract.pk}/renew/",
        {"term_months": "12", "note": "We would like to stay.", "documents": [pdf_upload("사업보고서.pdf")]},
        follow=True,
    )
    renewal = RenewalRequest.objects.get()

    client.force_login(manager)
    queue = client.get("/manage/renewals/")
    decision_page = client.get(f"/renewals/{renewal.pk}/")
    document = client.get(f"/renewals/{renewal.pk}/documents/{renewal.documents.get().pk}/")
    decided = client.post(f"/manage/renewals/{renewal.pk}/approve/", {"monthly_rent": "370000"}, follow=True)

    client.force_login(tenant_owner)
    acceptance_page = client.get(f"/renewals/{renewal.pk}/")
    accepted = client.post(f"/renewals/{renewal.pk}/accept/", REMOTE_ADDR="203.0.113.7", follow=True)
    new = LeaseContract.objects.get(renews=contract)

    assert ">Renew</button>" in contract_page.content.decode()
    assert sent.redirect_chain[-1][0] == f"/renewals/{renewal.pk}/"
    assert "Your renewal request was sent to the facility's manager." in page_text(sent)
    assert "사업보고서.pdf" in page_text(sent)
    assert (renewal.term_months, renewal.note, renewal.requested_by) == (12, "We would like to stay.", tenant_owner)

    assert f"{unit.facility.name_en} 105" in page_text(queue)
    assert "2027-04-16" in page_text(queue)
    assert "45 days left" in page_text(queue)
    assert "1 document" in page_text(queue)
    assert 'name="monthly_rent" value="360000"' in decision_page.content.decode()
    assert "At most 378,000 won (the facility's cap)." in page_text(decision_page)
    assert b"".join(document.streaming_content) == pdf_bytes()
    assert "Approved; the tenant can now accept the terms." in page_text(decided)

    assert "Accept and sign" in page_text(acceptance_page)
    assert "A new contract of 12 months at 370,000 won a month" in page_text(acceptance_page)
    assert accepted.redirect_chain[-1][0] == f"/contracts/{new.pk}/"
    assert "You accepted the terms; here is your new contract." in page_text(accepted)
    history = accepted.content.decode().split('id="chain-heading"')[1].split("</ol>")[0]
    assert f'href="/contracts/{contract.pk}/">2025-04-17 – 2027-04-16</a>' in history
    assert f'href="/contracts/{new.pk}/">2027-04-17 – 2028-04-16</a>' in history
    assert history.index("2025-04-17 – 2027-04-16") < history.index("2027-04-17 – 2028-04-16")
    assert "renews the contract above" in page_text(accepted)
    assert (new.monthly_rent, new.accepted_by, new.accepted_ip) == (370_000, tenant_owner, "203.0.113.7")


def test_the_renewal_queue_lists_open_requests_oldest_first_with_time_to_expiry(
    client, clock, contract, tenant_owner, manager, other_org_member, town
):
    enable_totp(manager)
    other_org = other_org_member.memberships.get().organization
    later = LeaseContractFactory(
        organization=other_org,
        unit=LeasableUnitFactory(facility=town, code="110"),
        start_date=date(2025, 3, 22),
        end_date=TODAY + timedelta(days=20),
    )
    closed = LeaseContractFactory(
        organization=other_org,
        unit=LeasableUnitFactory(facility=town, code="111"),
        start_date=date(2025, 3, 22),
        end_date=TODAY + timedelta(days=20),
    )
    clock.move_to(seoul(2027, 2, 20, 9))
    _request(contract, tenant_owner)
    clock.move_to(seoul(2027, 2, 25, 9))
    RenewalRequestFactory(contract=later, requested_by=other_org_member)
    RenewalRequestFactory(contract=closed, requested_by=other_org_member, status="rejected")
    clock.move_to(NOW)
    client.force_login(manager)

    page = page_text(client.get("/manage/renewals/"))

    assert page.index("Innovation Town 105") < page.index("Innovation Town 110")
    assert "Innovation Town 111" not in page
    assert "2027-02-20" in page and "2027-02-25" in page
    assert "45 days left" in page  # 105 ends in 45 days
    assert "20 days left" in page  # 110 ends in 20 days


def test_the_renewal_queue_shows_only_the_managers_facilities(client, submitted, other_manager):
    enable_totp(other_manager)
    client.force_login(other_manager)

    page = page_text(client.get("/manage/renewals/"))

    assert "No renewal request is open." in page
    assert client.get(f"/renewals/{submitted.pk}/").status_code == 404
    assert client.post(f"/manage/renewals/{submitted.pk}/approve/", {"monthly_rent": "1"}).status_code == 403
    assert _unchanged(submitted)


@pytest.mark.parametrize(
    ("who", "status"),
    [("tenant_member", 200), ("manager", 200), ("other_manager", 404), ("other_org_member", 404)],
)
def test_renewal_documents_are_served_only_to_the_tenant_and_the_facilitys_managers(
    client, request, contract, tenant_owner, who, status
):
    renewal = _request(contract, tenant_owner, files=[pdf_upload("사업보고서.pdf")])
    client.force_login(request.getfixturevalue(who))

    response = client.get(f"/renewals/{renewal.pk}/documents/{renewal.documents.get().pk}/")

    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert "attachment" in response["Content-Disposition"]


def test_a_refused_upload_on_the_page_shows_why_and_saves_nothing(client, contract, tenant_owner):
    client.force_login(tenant_owner)

    response = client.post(
        f"/contracts/{contract.pk}/renew/",
        {"term_months": "12", "documents": [upload("setup.exe", b"MZ\x90\x00" + b"\x00" * 120)]},
    )

    assert response.status_code == 400
    assert "setup.exe is not a PDF, JPEG or PNG file." in page_text(response)
    assert not RenewalRequest.objects.exists()
    assert not RenewalDocument.objects.exists()


def test_a_second_request_on_the_page_leads_to_the_open_one(client, submitted, contract, tenant_owner):
    client.force_login(tenant_owner)

    response = client.post(f"/contracts/{contract.pk}/renew/", {"term_months": "6"}, follow=True)

    assert response.redirect_chain[-1][0] == f"/renewals/{submitted.pk}/"
    assert "A renewal request for this contract is already open." in page_text(response)
    assert RenewalRequest.objects.count() == 1


def test_changes_asked_for_on_the_page_are_answered_on_the_page(client, submitted, tenant_owner, manager):
    enable_totp(manager)
    client.force_login(manager)
    refused_without_reason = client.post(f"/manage/renewals/{submitted.pk}/reject/", {"reason": " "}, follow=True)
    sent_back = client.post(
        f"/manage/renewals/{submitted.pk}/request-changes/", {"reason": "Attach the report."}, follow=True
    )
    client.force_login(tenant_owner)
    tenant_view = client.get(f"/renewals/{submitted.pk}/")
    resubmitted = client.post(
        f"/renewals/{submitted.pk}/resubmit/",
        {"term_months": "24", "note": "Attached.", "documents": [png_upload()]},
        follow=True,
    )

    assert "Say why the renewal is refused; the tenant reads it." in page_text(refused_without_reason)
    assert "The request was sent back to the tenant for changes." in page_text(sent_back)
    assert "Attach the report." in page_text(tenant_view)
    assert "Send again" in page_text(tenant_view)
    assert "Your request was sent again." in page_text(resubmitted)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.term_months) == (RenewalRequest.Status.SUBMITTED, 24)
    assert submitted.documents.get().content_type == "image/png"


def test_notice_given_on_the_page_withdraws_the_request(client, submitted, contract, tenant_owner):
    client.force_login(tenant_owner)

    response = client.post(f"/contracts/{contract.pk}/notice/", {"note": "Moving out."}, follow=True)

    assert "Your notice of not renewing was sent to the facility's manager." in page_text(response)
    assert ">Renew</button>" not in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == RenewalRequest.Status.WITHDRAWN


# --- Through the API --------------------------------------------------------------------------


def test_the_whole_renewal_through_the_api(api_client, contract, tenant_owner, manager):
    enable_totp(manager)
    api_client.force_login(tenant_owner)
    requested = api_client.post(
        f"/api/v1/contracts/{contract.pk}/renewal/", {"term_months": 12, "note": "Please."}, format="json"
    )
    renewal_id = requested.json()["id"]

    api_client.force_login(manager)
    approved = api_client.post(f"/api/v1/renewals/{renewal_id}/approve/", {"monthly_rent": 378_000}, format="json")

    api_client.force_login(tenant_owner)
    accepted = api_client.post(f"/api/v1/renewals/{renewal_id}/accept/", REMOTE_ADDR="198.51.100.4")
    again = api_client.post(f"/api/v1/renewals/{renewal_id}/accept/")

    assert requested.status_code == 201
    assert requested.json()["status"] == "submitted"
    assert (requested.json()["contract"], requested.json()["term_months"]) == (contract.pk, 12)
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["proposed_rent"]) == ("approved", 378_000)
    assert accepted.status_code == 201
    body = accepted.json()
    assert (body["start_date"], body["end_date"]) == ("2027-04-17", "2028-04-16")
    assert (body["renews"], body["unit"], body["monthly_rent"], body["status"]) == (
        contract.pk,
        "105",
        378_000,
        "active",
    )
    new = LeaseContract.objects.get(pk=body["id"])
    assert (new.accepted_by, new.accepted_ip) == (tenant_owner, "198.51.100.4")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_state"
    assert LeaseContract.objects.count() == 2


def test_the_api_hides_another_organizations_contract(api_client, contract, other_org_member):
    api_client.force_login(other_org_member)

    response = api_client.post(f"/api/v1/contracts/{contract.pk}/renewal/", {"term_months": 12}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not RenewalRequest.objects.exists()


def test_a_manager_of_another_facility_cannot_approve_through_the_api(api_client, submitted, other_manager):
    enable_totp(other_manager)
    api_client.force_login(other_manager)

    response = api_client.post(f"/api/v1/renewals/{submitted.pk}/approve/", {"monthly_rent": 360_000}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert _unchanged(submitted)


def test_a_manager_without_two_factor_cannot_approve_through_the_api(api_client, submitted, manager_without_totp):
    api_client.force_login(manager_without_totp)

    response = api_client.post(f"/api/v1/renewals/{submitted.pk}/approve/", {"monthly_rent": 360_000}, format="json")

    assert response.status_code == 403
    assert "code" in response.json()
    assert _unchanged(submitted)


def test_the_tenant_cannot_approve_their_own_request_through_the_api(api_client, submitted, tenant_owner):
    api_client.force_login(tenant_owner)

    response = api_client.post(f"/api/v1/renewals/{submitted.pk}/approve/", {"monthly_rent": 999_999}, format="json")

    assert response.status_code == 403
    assert _unchanged(submitted)


def test_api_errors_carry_a_code(api_client, submitted, contract, tenant_member, tenant_owner, manager):
    enable_totp(manager)
    api_client.force_login(tenant_member)
    by_member = api_client.post(f"/api/v1/contracts/{contract.pk}/renewal/", {"term_months": 12}, format="json")
    api_client.force_login(tenant_owner)
    second = api_client.post(f"/api/v1/contracts/{contract.pk}/renewal/", {"term_months": 6}, format="json")
    bad_term = api_client.post(f"/api/v1/contracts/{contract.pk}/renewal/", {"term_months": 18}, format="json")
    api_client.force_login(manager)
    over_cap = api_client.post(f"/api/v1/renewals/{submitted.pk}/approve/", {"monthly_rent": 378_001}, format="json")
    no_reason = api_client.post(f"/api/v1/renewals/{submitted.pk}/reject/", {}, format="json")

    assert (by_member.status_code, by_member.json()["code"]) == (403, "not_allowed")
    assert (second.status_code, second.json()["code"], second.json()["existing"]) == (409, "already_open", submitted.pk)
    assert (bad_term.status_code, bad_term.json()["code"]) == (400, "invalid")
    assert "term_months" in bad_term.json()["errors"]
    assert (over_cap.status_code, over_cap.json()["code"]) == (400, "over_rent_cap")
    assert over_cap.json()["errors"]["monthly_rent"] == [
        "The rent may rise at most 5.00% at renewal: at most 378,000 won."
    ]
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "reason_required")
    assert _unchanged(submitted)


def test_changes_through_the_api(api_client, submitted, manager):
    enable_totp(manager)
    api_client.force_login(manager)

    response = api_client.post(
        f"/api/v1/renewals/{submitted.pk}/request-changes/", {"reason": "Shorter term?"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["manager_note"]) == ("changes_requested", "Shorter term?")


def test_the_renewals_list_shows_each_person_only_their_own(
    api_client, submitted, other_org_member, manager, other_manager
):
    listed = {}
    for user in (other_org_member, manager, other_manager):
        api_client.force_login(user)
        listed[user] = [item["id"] for item in api_client.get("/api/v1/renewals/").json()["results"]]

    assert listed == {other_org_member: [], manager: [submitted.pk], other_manager: []}


def test_someone_outside_gets_not_found_when_deciding_through_the_api(api_client, submitted, other_org_member):
    api_client.force_login(other_org_member)

    response = api_client.post(f"/api/v1/renewals/{submitted.pk}/approve/", {"monthly_rent": 360_000}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert _unchanged(submitted)
