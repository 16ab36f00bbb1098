"""Reductions on evidence (감면 신청): an organization applies with a document, the facility's manager approves
it until a date or refuses it with a reason, the applicant is told once, and an approved application reduces
the fee of the bookings made while it holds, the largest single reduction winning as before.

Tuesday 2026-12-01 09:00 Seoul, in English (tests/rental/conftest.py); the room costs 15,000 won an hour.
"""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audit.models import AuditEntry
from bookings import reductions
from bookings.models import Booking, ReductionApplication, ReductionCategory
from common.errors import DomainError
from notifications.models import Notification
from tenants.models import Membership, Organization
from tests.factories import OrganizationFactory, seoul
from tests.rental.factories import MONDAY_10, book, client_for, member_of, org_of
from tests.tenants.factories import LeaseContractFactory, image_bytes, pdf_bytes, pdf_upload, upload

PAGE = "/reductions/"
QUEUE = "/manage/reductions/"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def categories(hall):
    reductions.load_categories()
    return {category.code: category for category in ReductionCategory.objects.filter(facility__slug="innovation-town")}


@pytest.fixture
def merit(categories):
    """국가유공자 at the Innovation Town: 50 %, evidence required."""
    return categories["national_merit"]


@pytest.fixture
def owner(organization):
    return member_of(organization, role=Membership.Role.OWNER, email="owner@robots.example")


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


def apply(owner, category, document="default", **kwargs) -> ReductionApplication:
    return reductions.apply_for_reduction(
        organization=org_of(owner),
        category=category,
        user=owner,
        document=pdf_upload("국가유공자증.pdf") if document == "default" else document,
        **kwargs,
    )


@pytest.fixture
def pending(owner, merit):
    return apply(owner, merit)


@pytest.fixture
def approved(pending, manager):
    return reductions.approve_reduction(application=pending, manager=manager, valid_until=date(2026, 12, 31))


def _post_application(client, organization, category, document=None):
    data = {"organization": organization.pk, "category": category.pk}
    if document is not None:
        data["document"] = document
    return client.post(PAGE, data)


def _refused(call, **kwargs) -> reductions.ReductionError:
    with pytest.raises(reductions.ReductionError) as raised:
        call(**kwargs)
    return raised.value


# --- The categories ------------------------------------------------------------------------------------


def test_each_facility_lists_the_usual_categories_and_a_second_seed_adds_none(hall):
    town = hall["innovation-town"]
    town.tenant_reduction_percent, town.public_body_reduction_percent = 20, 40
    town.save()

    assert reductions.load_categories() == 7 * len(hall)
    assert reductions.load_categories() == 0

    rows = ReductionCategory.objects.filter(facility=town).order_by("position")
    assert [(c.name, c.code, c.percent, c.evidence_required) for c in rows] == [
        ("국가유공자", "national_merit", 50, True),
        ("장애인", "disability", 50, True),
        ("기초생활수급자", "basic_livelihood", 50, True),
        ("다자녀가정", "multi_child", 30, True),
        ("사회적경제기업", "social_economy", town.social_economy_reduction_percent, True),
        ("공공기관", "public_body", 40, False),
        ("입주기업", "tenant", 20, False),
    ]


def test_the_database_keeps_a_category_percent_between_1_and_100(categories):
    for percent in (0, 101):
        with pytest.raises(IntegrityError), transaction.atomic():
            ReductionCategory.objects.filter(pk=categories["disability"].pk).update(percent=percent)


def test_the_categories_decided_by_the_lease_or_the_kind_are_not_open_to_applications(owner, categories):
    error = _refused(apply, owner=owner, category=categories["tenant"], document=None)

    assert (error.code, error.field) == ("not_applicable", "category")
    assert not ReductionApplication.objects.exists()
    offered = {category.code for category in reductions.categories_open_to_application()}
    assert "tenant" not in offered and "public_body" not in offered
    assert {"national_merit", "disability", "basic_livelihood", "multi_child", "social_economy"} <= offered


# --- Applying ------------------------------------------------------------------------------------------


def test_an_owner_applies_with_evidence_and_the_document_is_kept(owner, merit, settings):
    application = apply(owner, merit)

    assert (application.status, application.applicant, application.organization) == (
        "pending",
        owner,
        org_of(owner),
    )
    assert (application.document_name, application.document_type) == ("국가유공자증.pdf", "application/pdf")
    with application.document.open("rb") as stored:
        assert stored.read() == pdf_bytes()
    assert AuditEntry.objects.filter(action="reduction.applied").count() == 1


def test_the_form_sends_an_application_with_its_document(owner_client, owner, merit):
    response = _post_application(owner_client, org_of(owner), merit, pdf_upload("merit.pdf"))

    assert response.status_code == 302
    body = owner_client.get(PAGE).content.decode()
    assert "was sent to the facility&#x27;s manager" in body or "was sent to the facility's manager" in body
    assert "merit.pdf" in body
    assert "Under review" in body


def test_without_the_document_a_category_needing_evidence_is_refused_next_to_the_field(
    owner_client, owner, merit, settings
):
    response = _post_application(owner_client, org_of(owner), merit)

    assert response.status_code == 400
    body = response.content.decode()
    assert "This reduction needs evidence: attach a document (PDF, JPEG or PNG)." in body
    assert 'id="id_document_error"' in body
    assert not ReductionApplication.objects.exists()
    assert not AuditEntry.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("merit.pdf", b"just text, not a PDF\n", "merit.pdf is not a PDF, JPEG or PNG file."),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, "setup.exe is not a PDF, JPEG or PNG file."),
        ("scan.png", image_bytes("PNG")[:40] + b"\x00" * 40, "scan.png is not a readable image."),
    ],
    ids=["text-as-pdf", "exe", "broken-png"],
)
def test_a_bad_document_is_refused_and_nothing_is_saved(owner_client, owner, merit, settings, name, content, message):
    response = _post_application(owner_client, org_of(owner), merit, upload(name, content))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReductionApplication.objects.exists()
    assert _stored_files(settings) == []


def test_a_document_over_the_size_limit_is_refused(owner, merit, settings):
    settings.RENEWAL_DOCUMENT_MAX_BYTES = 1024
    error = _refused(apply, owner=owner, category=merit, document=pdf_upload("big.pdf", padding=2048))

    assert (error.code, error.field) == ("file_too_large", "document")
    assert not ReductionApplication.objects.exists()
    assert _stored_files(settings) == []


def test_a_plain_member_may_not_apply(member, organization, merit, settings):
    response = _post_application(client_for(member), organization, merit, pdf_upload())

    assert response.status_code == 403
    assert not ReductionApplication.objects.exists()
    assert _stored_files(settings) == []
    page = client_for(member).get(PAGE).content.decode()
    assert "Only the organization's owners or admins may apply for a reduction." in page


def test_a_second_open_application_for_the_category_is_refused_kindly(owner_client, owner, pending, settings):
    response = _post_application(owner_client, org_of(owner), pending.category, pdf_upload("again.pdf"))

    assert response.status_code == 409
    assert (
        "Your organization already has an application for this reduction under review or approved."
        in response.content.decode()
    )
    assert ReductionApplication.objects.get() == pending
    assert len(_stored_files(settings)) == 1


def test_the_database_holds_one_open_application_per_organization_and_category(pending, approved, owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReductionApplication.objects.create(
            organization=pending.organization, category=pending.category, applicant=owner
        )


def test_the_database_refuses_an_approval_without_an_end(pending):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReductionApplication.objects.filter(pk=pending.pk).update(status="approved")


def test_once_refused_or_withdrawn_the_organization_may_apply_again(owner, pending, manager):
    reductions.refuse_reduction(application=pending, manager=manager, reason="The copy is unreadable.")
    second = apply(owner, pending.category)
    reductions.withdraw_reduction(application=second, user=owner)

    third = apply(owner, pending.category)

    assert third.status == "pending"
    assert list(ReductionApplication.objects.order_by("pk").values_list("status", flat=True)) == [
        "refused",
        "withdrawn",
        "pending",
    ]


def test_an_approval_past_its_date_is_closed_when_the_organization_applies_again(owner, approved, clock):
    clock.move_to(seoul(2027, 1, 1, 9))

    renewed = apply(owner, approved.category)

    approved.refresh_from_db()
    assert (approved.status, renewed.status) == ("expired", "pending")


def test_an_organization_with_two_applications_at_two_facilities_may_hold_both(owner, merit, hall):
    art_merit = ReductionCategory.objects.get(facility=hall["art-center"], code="national_merit")

    apply(owner, merit)
    apply(owner, art_merit)

    assert ReductionApplication.objects.filter(status="pending").count() == 2


def test_the_applicant_withdraws_an_application_under_review(owner_client, pending):
    response = owner_client.post(f"/reductions/{pending.pk}/withdraw/")

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "withdrawn"


def test_a_plain_member_sees_the_application_but_cannot_withdraw_it(member, pending):
    client = client_for(member)

    body = client.get(PAGE).content.decode()
    response = client.post(f"/reductions/{pending.pk}/withdraw/")

    assert "Person of national merit" in body and "Under review" in body
    assert f"/reductions/{pending.pk}/withdraw/" not in body
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_member_of_another_organization_cannot_withdraw_it(stranger, pending):
    response = client_for(stranger).post(f"/reductions/{pending.pk}/withdraw/")

    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"


# --- The manager's decision ----------------------------------------------------------------------------


def test_the_facilitys_manager_approves_until_a_date(manager_client, pending):
    response = manager_client.post(f"{QUEUE}{pending.pk}/approve/", {"valid_until": "2027-06-30"})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.valid_until) == ("approved", date(2027, 6, 30))
    assert pending.decided_by is not None
    assert AuditEntry.objects.filter(action="reduction.approved").count() == 1


def test_an_approval_holds_a_year_by_default(pending, manager):
    reductions.approve_reduction(application=pending, manager=manager)

    pending.refresh_from_db()
    assert pending.valid_until == date(2027, 11, 30)
    body = client_for(manager).get(QUEUE).content.decode()
    assert 'value="2027-11-30"' not in body  # nothing pending any more
    assert "Reductions in force" in body and "2027-11-30" in body


def test_an_approval_ending_before_today_is_refused_next_to_the_date(manager_client, pending):
    response = manager_client.post(f"{QUEUE}{pending.pk}/approve/", {"valid_until": "2026-11-30"})

    assert response.status_code == 400
    assert "The reduction must hold at least until today." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_manager_of_another_facility_cannot_decide(other_manager_client, pending):
    approve = other_manager_client.post(f"{QUEUE}{pending.pk}/approve/", {"valid_until": "2027-06-30"})
    refuse_page = other_manager_client.get(f"{QUEUE}{pending.pk}/refuse/")
    refuse = other_manager_client.post(f"{QUEUE}{pending.pk}/refuse/", {"reason": "No."})

    assert (approve.status_code, refuse_page.status_code, refuse.status_code) == (403, 403, 403)
    assert pending.pk not in [a.pk for a in other_manager_client.get(QUEUE).context["applications"]]
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert not Notification.objects.filter(kind__startswith="reduction_").exists()


def test_a_member_cannot_open_the_queue_nor_decide(member, owner_client, pending):
    for client in (client_for(member), owner_client):
        assert client.get(QUEUE).status_code == 403
        assert client.post(f"{QUEUE}{pending.pk}/approve/", {"valid_until": "2027-06-30"}).status_code == 403
        assert client.post(f"{QUEUE}{pending.pk}/refuse/", {"reason": "No."}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_manager_without_two_factor_authentication_is_told_to_set_it_up(pending, manager_without_totp):
    with pytest.raises(DomainError) as raised:
        reductions.approve_reduction(application=pending, manager=manager_without_totp)

    assert (raised.value.code, raised.value.status) == ("mfa_required", 403)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_refusing_asks_for_the_reason(manager_client, pending):
    page = manager_client.get(f"{QUEUE}{pending.pk}/refuse/")
    blank = manager_client.post(f"{QUEUE}{pending.pk}/refuse/", {"reason": "  "})

    assert page.status_code == 200 and "Refuse the reduction?" in page.content.decode()
    assert blank.status_code == 400
    assert "Say why the reduction is refused; the applicant reads it." in blank.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"

    refused = manager_client.post(f"{QUEUE}{pending.pk}/refuse/", {"reason": "The copy is unreadable."})

    assert refused.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.decision_reason) == ("refused", "The copy is unreadable.")


def test_a_decided_application_cannot_be_decided_again(approved, manager):
    error = _refused(reductions.refuse_reduction, application=approved, manager=manager, reason="Changed my mind")

    assert (error.code, error.status) == ("invalid_state", 409)


def test_the_queue_lists_the_pending_applications_with_their_evidence(manager_client, pending, owner, categories):
    reductions.withdraw_reduction(application=apply(owner, categories["disability"]), user=owner)

    body = manager_client.get(QUEUE).content.decode()

    assert f'href="/reductions/{pending.pk}/document/"' in body
    assert "국가유공자증.pdf" in body
    assert body.count('name="valid_until"') == 1
    assert 'value="2027-11-30"' in body  # a year by default
    assert f'href="/manage/reductions/{pending.pk}/refuse/"' in body


def test_the_queue_runs_a_fixed_number_of_queries(manager_client, categories):
    def grow(count):
        while ReductionApplication.objects.count() < count:
            owner = member_of(OrganizationFactory(), role=Membership.Role.OWNER)
            apply(owner, categories["national_merit"])
            granted = apply(owner, categories["multi_child"])
            reductions.approve_reduction(application=granted, manager=categories["multi_child"].facility.managers.get())

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(QUEUE).status_code == 200
        return len(queries)

    grow(2)
    manager_client.get(QUEUE)
    small = count()
    grow(12)
    large = count()

    assert small == large


def test_the_page_of_the_applications_runs_a_fixed_number_of_queries(owner_client, owner, categories, manager):
    codes = ["national_merit", "disability", "basic_livelihood", "multi_child", "social_economy"]

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(PAGE).status_code == 200
        return len(queries)

    apply(owner, categories[codes[0]])
    owner_client.get(PAGE)
    small = count()
    for code in codes[1:]:
        reductions.approve_reduction(application=apply(owner, categories[code]), manager=manager)
    large = count()

    assert small == large


# --- The applicant is told ------------------------------------------------------------------------------


def test_the_applicant_is_told_of_the_approval_once(pending, manager, owner, run_on_commit, mailoutbox):
    with run_on_commit():
        reductions.approve_reduction(application=pending, manager=manager, valid_until=date(2027, 6, 30))
    with pytest.raises(reductions.ReductionError):
        reductions.approve_reduction(application=pending, manager=manager, valid_until=date(2027, 6, 30))

    assert [mail.to for mail in mailoutbox] == [[owner.email]]
    body = " ".join(mailoutbox[0].body.split())
    assert "Your application for a reduction is approved." in body
    assert "Reduction: Person of national merit, 50%" in body
    assert "until 2027-06-30" in body
    assert Notification.objects.filter(kind="reduction_approved", recipient=owner).count() == 2  # e-mail, inbox


def test_the_applicant_is_told_of_the_refusal_with_the_reason(pending, manager, owner, run_on_commit, mailoutbox):
    with run_on_commit():
        reductions.refuse_reduction(application=pending, manager=manager, reason="The copy is unreadable.")

    assert len(mailoutbox) == 1
    body = " ".join(mailoutbox[0].body.split())
    assert "Your application for a reduction was not approved." in body
    assert "Reason: The copy is unreadable." in body


# --- The fee ------------------------------------------------------------------------------------------


def test_an_approved_application_reduces_the_fee(approved, member, room):
    booking = book(member, room)

    assert (booking.fee, booking.reduction_percent, booking.amount_due) == (30_000, 50, 15_000)
    assert booking.reduction_category == "national_merit"
    body = client_for(member).get(booking.get_absolute_url()).content.decode()
    assert "30,000 won − 50% reduction (person of national merit) = <strong>15,000 won</strong>" in " ".join(
        body.split()
    )


def test_an_approval_at_another_facility_does_not_reduce_here(owner, categories, hall, other_manager, member, room):
    art_merit = ReductionCategory.objects.get(facility=hall["art-center"], code="national_merit")
    application = apply(owner, art_merit)
    reductions.approve_reduction(application=application, manager=other_manager)

    assert book(member, room).reduction_percent == 0


@pytest.fixture
def distinct_reductions(town):
    town.tenant_reduction_percent = 20
    town.save()
    return town


def test_the_largest_single_reduction_applies_an_approved_application_beating_the_lease(
    distinct_reductions, owner, categories, manager, member, room
):
    LeaseContractFactory(organization=org_of(owner))
    granted = apply(owner, categories["multi_child"])  # 30 %
    reductions.approve_reduction(application=granted, manager=manager)

    booking = book(member, room)

    assert (booking.reduction_percent, booking.reduction_category, booking.amount_due) == (30, "multi_child", 21_000)


def test_the_largest_single_reduction_applies_the_lease_beating_an_approved_application(
    distinct_reductions, owner, categories, manager, member, room
):
    distinct_reductions.tenant_reduction_percent = 40
    distinct_reductions.save()
    LeaseContractFactory(organization=org_of(owner))
    granted = apply(owner, categories["multi_child"])
    reductions.approve_reduction(application=granted, manager=manager)

    booking = book(member, room)

    assert (booking.reduction_percent, booking.reduction_category, booking.amount_due) == (40, "tenant", 18_000)


def test_two_approved_applications_are_not_added_up(owner, categories, manager, member, room):
    for code in ("multi_child", "disability"):
        reductions.approve_reduction(application=apply(owner, categories[code]), manager=manager)

    booking = book(member, room)

    assert (booking.reduction_percent, booking.reduction_category) == (50, "disability")


def test_the_automatic_categories_work_as_before(categories, room):
    public_body = member_of(OrganizationFactory(kind=Organization.Kind.PUBLIC_BODY))

    booking = book(public_body, room)

    assert (booking.reduction_percent, booking.reduction_category) == (50, "public_body")


def test_an_application_past_its_date_no_longer_reduces(owner, pending, manager, member, room, clock):
    reductions.approve_reduction(application=pending, manager=manager, valid_until=date(2026, 12, 2))
    assert book(member, room, MONDAY_10).reduction_percent == 50  # booked on its last day but one

    clock.move_to(seoul(2026, 12, 2, 23, 59))
    assert book(member, room, MONDAY_10 + timedelta(hours=2)).reduction_percent == 50  # its last day
    clock.move_to(seoul(2026, 12, 3, 0, 1))
    late = book(member, room, MONDAY_10 + timedelta(hours=4))

    assert (late.reduction_percent, late.amount_due) == (0, 30_000)
    page = client_for(owner).get(PAGE).content.decode()
    assert "Expired" in page


def test_while_under_review_the_form_says_so_and_the_fee_has_no_reduction(pending, member, room, manager):
    body = client_for(member).get(f"/spaces/{room.slug}/").content.decode()

    assert "Reduction under review" in body
    assert "Person of national merit (50%): not applied to bookings made before it is approved." in body
    assert "Your reduction" not in body

    during = book(member, room)
    reductions.approve_reduction(application=pending, manager=manager)
    after = book(member, room, MONDAY_10 + timedelta(hours=3))

    during.refresh_from_db()
    assert (during.reduction_percent, during.amount_due) == (0, 30_000)  # the fee is fixed when booking
    assert (after.reduction_percent, after.amount_due) == (50, 15_000)
    body = client_for(member).get(f"/spaces/{room.slug}/").content.decode()
    assert "Reduction under review" not in body
    assert "Your reduction: 50% (person of national merit)." in body


def test_in_korean_the_fee_reads_감면_신청_중(pending, member, room):
    member.language = "ko"
    member.save(update_fields=["language"])
    client = client_for(member)
    client.cookies["django_language"] = "ko"

    with translation.override("ko"):
        body = client.get(f"/spaces/{room.slug}/").content.decode()

    assert "감면 신청 중" in body


# --- The evidence is private --------------------------------------------------------------------------


def test_the_evidence_is_served_to_the_organization_and_the_facilitys_managers_only(
    pending, member, owner, manager, other_manager, stranger, client
):
    url = f"/reductions/{pending.pk}/document/"

    for allowed in (owner, member, manager):
        response = client_for(allowed).get(url)
        assert response.status_code == 200, allowed
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert response["Content-Type"] == "application/pdf"
    for refused in (other_manager, stranger):
        assert client_for(refused).get(url).status_code == 404
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


# --- The pages -----------------------------------------------------------------------------------------


def test_the_page_lists_the_applications_and_the_categories_of_each_facility(owner_client, approved, categories):
    body = owner_client.get(PAGE).content.decode()

    assert "Apply for a reduction" in body
    assert "until 2026-12-31" in body
    assert "Gyeongnam Social Economy Innovation Town" in body
    assert "Automatic" in body  # tenants and public bodies
    assert 'name="document"' in body and 'enctype="multipart/form-data"' in body


def test_a_booker_without_organization_is_told_reductions_are_for_organizations(categories, client):
    from tests.factories import UserFactory

    body = client_for(UserFactory(language="en")).get(PAGE).content.decode()

    assert "Reductions are granted to organizations." in body
    assert 'name="document"' not in body


def test_the_booking_model_names_a_category_a_facility_added_itself(approved, member, room, town):
    custom = ReductionCategory.objects.create(facility=town, code="youth", name="청년", name_en="Youth", percent=60)
    owner = approved.applicant
    reductions.approve_reduction(application=apply(owner, custom), manager=town.managers.get())

    booking = book(member, room)

    assert booking.reduction_category == "youth"
    assert Booking.objects.get(pk=booking.pk).get_reduction_label() == "Youth"
