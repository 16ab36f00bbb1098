"""Tenant outcomes (성과 보고): filing a year, the January reminder and "ask again", the manager's table and its
exports, the figures beside a renewal, and a fixed number of queries.

The clock stands at 2027-03-02 (tests/tenants/conftest.py): 2026 is the year tenants report. The tenant
cooperative leases Innovation Town 105 from 2025-04-17 to 2027-04-16, so it may report 2025 and 2026.
"""

import csv
import io
import threading
from datetime import date, timedelta

import openpyxl
import pytest
from celery.schedules import crontab
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dongnam.celery import app as celery_app
from notifications.messages import build_message, link_of
from notifications.models import Notification
from tenants import outcomes
from tenants.errors import TenancyError
from tenants.models import LeaseContract, Membership, OutcomeReport
from tenants.tasks import send_outcome_report_reminders
from tests.factories import (
    LeasableUnitFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    enable_totp,
    seoul,
)
from tests.tenants.conftest import NOW
from tests.tenants.factories import LeaseContractFactory, RenewalRequestFactory
from tests.tenants.helpers import actions_on, page_text

pytestmark = pytest.mark.django_db

FIGURES = {"sales": 100_000_000, "employees": 4, "investment": 0, "ip_count": 1, "products_launched": 0}
DUE_SUBJECT = "[Dongnam] Please report your outcomes of 2026"


def file(organization, user, year=2026, **figures):
    return outcomes.file_outcome_report(organization=organization, user=user, year=year, **{**FIGURES, **figures})


def form_data(year=2026, **fields):
    data = {"year": year, **FIGURES, "ip_note": "", "products_note": ""}
    data.update(fields)
    return data


def outcomes_url(organization, year=None):
    return outcomes.outcome_url(organization, year)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def signed_in_manager(client, manager):
    enable_totp(manager)
    client.force_login(manager)
    return manager


def tenant_with_lease(town, code, *, name, start=date(2025, 1, 1), end=date(2027, 12, 31), status="active"):
    """Another organization leasing a unit of ``town``, with an owner."""
    organization = OrganizationFactory(name=name, name_en=name)
    owner = MembershipFactory(organization=organization, role=Membership.Role.OWNER, user=UserFactory(language="en"))
    LeaseContractFactory(
        organization=organization,
        unit=LeasableUnitFactory(facility=town, code=code),
        start_date=start,
        end_date=end,
        status=status,
    )
    return organization, owner.user


# --- Who may file ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["tenant_owner", "tenant_admin"])
def test_an_owner_or_admin_of_a_tenant_files_a_year(request, contract, organization, who):
    user = request.getfixturevalue(who)

    report = file(organization, user, ip_note="특허 출원 10-2026-0001234")

    assert report.year == 2026 and report.sales == 100_000_000 and report.employees == 4
    assert report.filed_by == user
    assert report.ip_note == "특허 출원 10-2026-0001234"
    assert actions_on(report) == ["outcome.filed"]


def test_a_plain_member_may_not_file(contract, organization, tenant_member):
    with pytest.raises(TenancyError) as refused:
        file(organization, tenant_member)

    assert refused.value.code == "not_allowed" and refused.value.status == 403
    assert not OutcomeReport.objects.exists()


def test_a_member_of_another_organization_may_not_file(contract, organization, other_org_member):
    with pytest.raises(TenancyError) as refused:
        file(organization, other_org_member)

    assert refused.value.code == "not_member" and refused.value.status == 403


def test_an_organization_without_a_lease_does_not_file(db):
    owner = MembershipFactory(role=Membership.Role.OWNER).user

    with pytest.raises(TenancyError) as refused:
        file(owner.memberships.get().organization, owner)

    assert refused.value.code == "not_tenant" and refused.value.status == 403


def test_a_draft_contract_does_not_make_a_tenant(organization, unit, tenant_owner):
    LeaseContractFactory(organization=organization, unit=unit, status=LeaseContract.Status.DRAFT)

    with pytest.raises(TenancyError) as refused:
        file(organization, tenant_owner)

    assert refused.value.code == "not_tenant"


def test_a_year_without_a_lease_is_refused(contract, organization, tenant_owner):
    with pytest.raises(TenancyError) as refused:
        file(organization, tenant_owner, year=2024)

    assert refused.value.code == "no_lease_that_year" and refused.value.field == "year"


@pytest.mark.parametrize("year", [2027, 2028])
def test_a_year_that_has_not_ended_is_refused(contract, organization, tenant_owner, year):
    with pytest.raises(TenancyError) as refused:
        file(organization, tenant_owner, year=year)

    assert refused.value.code == "year_not_ended" and refused.value.status == 400


def test_a_former_tenant_still_reports_the_years_it_leased(organization, unit, tenant_owner):
    LeaseContractFactory(
        organization=organization,
        unit=unit,
        start_date=date(2024, 3, 1),
        end_date=date(2026, 2, 28),
        status=LeaseContract.Status.EXPIRED,
    )

    assert outcomes.reportable_years(organization, today=NOW.date()) == [2026, 2025, 2024]
    assert file(organization, tenant_owner, year=2024).year == 2024


# --- One report per year -----------------------------------------------------------------------------------


def test_filing_a_year_again_corrects_it(contract, organization, tenant_owner, tenant_admin):
    first = file(organization, tenant_owner)

    second = file(organization, tenant_admin, sales=120_000_000, employees=5)

    assert second.pk == first.pk
    assert OutcomeReport.objects.count() == 1
    report = OutcomeReport.objects.get()
    assert (report.sales, report.employees, report.filed_by) == (120_000_000, 5, tenant_admin)
    assert actions_on(report) == ["outcome.filed", "outcome.updated"]


def test_filing_the_same_figures_again_changes_nothing(contract, organization, tenant_owner):
    file(organization, tenant_owner)
    file(organization, tenant_owner)

    assert actions_on(OutcomeReport.objects.get()) == ["outcome.filed"]


def test_the_database_keeps_one_report_per_organization_and_year(contract, organization, tenant_owner):
    file(organization, tenant_owner)

    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeReport.objects.create(organization=organization, year=2026, sales=1, employees=1)


@pytest.mark.parametrize(
    "fields", [{"sales": -1}, {"employees": -1}, {"investment": -5}, {"year": 1999}, {"year": 2101}]
)
def test_the_database_refuses_negative_figures_and_odd_years(organization, fields):
    values = {"organization": organization, "year": 2026, "sales": 1, "employees": 1, **fields}

    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeReport.objects.create(**values)


# --- The tenant's page -------------------------------------------------------------------------------------


def test_the_owner_files_from_the_page_with_last_year_chosen(client, contract, organization, tenant_owner):
    client.force_login(tenant_owner)

    page = client.get(outcomes_url(organization))
    assert page.status_code == 200
    assert page.context["form"]["year"].value() == 2026
    response = client.post(outcomes_url(organization), form_data(sales="150,000,000원", investment="30 000 000"))

    assert response.status_code == 302
    assert response["Location"] == outcomes_url(organization, 2026)
    report = OutcomeReport.objects.get()
    assert (report.sales, report.investment) == (150_000_000, 30_000_000)
    listed = page_text(client.get(response["Location"]))
    assert "The outcomes of 2026 were saved." in listed
    assert "150,000,000" in listed


def test_a_reported_year_opens_with_its_figures(client, contract, organization, tenant_owner):
    file(organization, tenant_owner, year=2025, sales=77_000_000)
    client.force_login(tenant_owner)

    response = client.get(outcomes_url(organization, 2025))

    assert response.context["form"]["year"].value() == 2025
    # Amounts read with thousands separators, which the form takes back.
    assert 'name="sales" value="77,000,000"' in response.content.decode()


@pytest.mark.parametrize("field", ["sales", "employees", "investment", "ip_count", "products_launched"])
def test_a_negative_figure_is_an_error_next_to_its_field(client, contract, organization, tenant_owner, field):
    client.force_login(tenant_owner)

    response = client.post(outcomes_url(organization), form_data(**{field: "-5"}))

    assert response.status_code == 400
    assert response.context["form"].errors[field] == ["Enter 0 or more."]
    assert "Enter 0 or more." in page_text(response)
    assert not OutcomeReport.objects.exists()


@pytest.mark.parametrize("value", ["abc", "1.5", "", "99999999999999999999999"])
def test_a_figure_that_is_not_a_whole_number_is_a_form_error(client, contract, organization, tenant_owner, value):
    client.force_login(tenant_owner)

    response = client.post(outcomes_url(organization), form_data(sales=value))

    assert response.status_code == 400
    assert response.context["form"].errors["sales"]
    assert not OutcomeReport.objects.exists()


@pytest.mark.parametrize("year", ["2027", "2028", "2024", "nonsense"])
def test_a_year_not_offered_is_refused_on_the_form(client, contract, organization, tenant_owner, year):
    client.force_login(tenant_owner)

    response = client.post(outcomes_url(organization), form_data(year=year))

    assert response.status_code == 400
    assert response.context["form"].errors["year"] == ["Choose a year that has ended and in which you leased a unit."]
    assert not OutcomeReport.objects.exists()


def test_a_plain_member_reads_the_figures_and_may_not_post(client, contract, organization, tenant_owner, tenant_member):
    file(organization, tenant_owner)
    client.force_login(tenant_member)

    page = client.get(outcomes_url(organization))
    refused = client.post(outcomes_url(organization), form_data(sales="-1"))

    assert page.status_code == 200
    assert "100,000,000" in page_text(page)
    assert "Save the figures" not in page_text(page)
    assert refused.status_code == 403
    assert OutcomeReport.objects.get().sales == 100_000_000


def test_a_stranger_does_not_find_the_page(client, contract, organization, other_org_member):
    client.force_login(other_org_member)

    assert client.get(outcomes_url(organization)).status_code == 404
    assert client.post(outcomes_url(organization), form_data()).status_code == 404


def test_an_organization_without_a_lease_is_told_so(client, startup_member):
    client.force_login(startup_member)
    organization = startup_member.memberships.get().organization

    text = page_text(client.get(outcomes_url(organization)))

    assert "Only organizations that lease a unit of the hall report outcomes." in text


def test_the_page_shows_each_years_change_from_the_year_before(client, contract, organization, tenant_owner):
    file(organization, tenant_owner, year=2025, sales=100_000_000, employees=4, investment=0)
    file(organization, tenant_owner, year=2026, sales=150_000_000, employees=3, investment=20_000_000)
    client.force_login(tenant_owner)

    text = page_text(client.get(outcomes_url(organization)))

    assert "150,000,000 Change from the year before: ▲ +50,000,000 (+50.0%)" in text
    assert "3 Change from the year before: ▼ -1 (-25.0%)" in text
    # From nothing, the change has no percentage.
    assert "20,000,000 Change from the year before: ▲ +20,000,000" in text
    assert "+20,000,000 (" not in text


def test_the_organization_page_links_to_the_outcomes(client, contract, organization, tenant_owner):
    client.force_login(tenant_owner)

    response = client.get(reverse("tenants:organization_detail", args=[organization.pk]))

    assert f'href="{outcomes_url(organization)}"' in response.content.decode()


# --- The January reminder ----------------------------------------------------------------------------------


def test_the_reminder_is_scheduled_on_15_january_at_nine():
    entry = celery_app.conf.beat_schedule["outcome-report-reminders"]

    assert entry["task"] == "tenants.tasks.send_outcome_report_reminders"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == crontab(month_of_year=1, day_of_month=15, hour=9, minute=0)


def _due_mail(mailoutbox):
    return sorted(message.to[0] for message in mailoutbox if message.subject == DUE_SUBJECT)


def test_tenants_are_asked_once_per_year_for_last_years_outcomes(
    clock, contract, organization, tenant_owner, tenant_admin, tenant_member, town, run_on_commit, mailoutbox
):
    filed, filed_owner = tenant_with_lease(town, "201", name="Filed already")
    file(filed, filed_owner)
    tenant_with_lease(town, "202", name="Moved out", end=date(2026, 12, 31), status="expired")
    tenant_with_lease(town, "203", name="Moved in this year", start=date(2027, 1, 2))
    clock.move_to(seoul(2027, 1, 15, 9))

    with run_on_commit():
        first = send_outcome_report_reminders()
    with run_on_commit():
        second = send_outcome_report_reminders()

    assert first == 4  # the owner and the admin, by e-mail and in the app
    assert second == 0
    assert _due_mail(mailoutbox) == sorted([tenant_owner.email, tenant_admin.email])
    mail = next(message for message in mailoutbox if message.to == [tenant_owner.email])
    assert f"http://127.0.0.1:8000{outcomes_url(organization, 2026)}" in mail.body
    assert actions_on(organization) == ["outcome.reminded"]


def test_a_reminder_is_not_sent_once_the_year_is_reported(
    clock, contract, organization, tenant_owner, django_capture_on_commit_callbacks, mailoutbox
):
    clock.move_to(seoul(2027, 1, 15, 9))
    with django_capture_on_commit_callbacks(execute=False):
        send_outcome_report_reminders()
    file(organization, tenant_owner)

    for notification in Notification.objects.filter(kind="outcome_report_due"):
        from notifications.services import deliver

        deliver(notification.pk)

    assert _due_mail(mailoutbox) == []
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SKIPPED}


def test_the_in_app_reminder_leads_to_the_outcome_page(clock, contract, organization, tenant_owner):
    clock.move_to(seoul(2027, 1, 15, 9))
    send_outcome_report_reminders()

    notification = Notification.objects.get(kind="outcome_report_due", channel="in_app")

    assert link_of(notification) == outcomes_url(organization, 2026)
    assert build_message(notification).subject == DUE_SUBJECT


# --- Ask again ---------------------------------------------------------------------------------------------


def ask(client, organization, year=2026, facility="innovation-town"):
    return client.post(
        reverse("tenants:ask_outcome_report", args=[organization.pk]), {"year": year, "facility": facility}
    )


def test_a_manager_asks_again_and_is_held_to_once_a_day(
    client, clock, signed_in_manager, contract, organization, tenant_owner, run_on_commit, mailoutbox
):
    with run_on_commit():
        response = ask(client, organization)

    assert response.status_code == 302
    assert response["Location"] == "/manage/outcomes/?facility=innovation-town&year=2026"
    assert _due_mail(mailoutbox) == [tenant_owner.email]
    assert "The facility's manager asks again" in mailoutbox[0].body
    assert actions_on(organization) == ["outcome.reminded"]

    clock.move_to(NOW + timedelta(hours=23))
    with run_on_commit():
        again = ask(client, organization)
    assert again.status_code == 302
    assert "was asked on 2027-03-02 10:00" in page_text(client.get(again["Location"]))
    assert len(_due_mail(mailoutbox)) == 1

    clock.move_to(NOW + timedelta(days=1, minutes=1))
    with run_on_commit():
        ask(client, organization)
    assert len(_due_mail(mailoutbox)) == 2
    keys = set(Notification.objects.filter(channel="email").values_list("dedupe_key", flat=True))
    assert len(keys) == 2


def test_asking_after_the_january_reminder_waits_a_day(
    client, clock, signed_in_manager, contract, organization, mailoutbox, run_on_commit
):
    clock.move_to(seoul(2027, 1, 15, 9))
    send_outcome_report_reminders()
    clock.move_to(seoul(2027, 1, 15, 15))

    with run_on_commit():
        ask(client, organization)

    assert Notification.objects.filter(kind="outcome_report_due", channel="email").count() == 1


def test_a_reported_year_is_not_asked_again(client, signed_in_manager, contract, organization, tenant_owner):
    file(organization, tenant_owner)

    response = ask(client, organization)

    assert response.status_code == 302
    assert "has reported 2026" in page_text(client.get(response["Location"]))
    assert not Notification.objects.exists()


def test_asking_needs_a_post_with_the_csrf_token(manager, contract, organization):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    url = reverse("tenants:ask_outcome_report", args=[organization.pk])

    assert client.get(url).status_code == 405
    assert client.post(url, {"year": 2026}).status_code == 403
    assert not Notification.objects.exists()


@pytest.mark.parametrize("who", ["other_manager", "tenant_owner", "startup_member"])
def test_only_the_managers_of_the_tenants_facility_ask(client, request, contract, organization, who):
    client.force_login(request.getfixturevalue(who))

    assert ask(client, organization).status_code == 403
    assert not Notification.objects.exists()


def test_asking_without_a_year_is_a_bad_request(client, signed_in_manager, contract, organization):
    response = client.post(reverse("tenants:ask_outcome_report", args=[organization.pk]), {})

    assert response.status_code == 400


# --- The manager's table -----------------------------------------------------------------------------------


@pytest.fixture
def two_years(contract, organization, tenant_owner, town, art_center):
    """The cooperative reported 2025 and 2026; a second tenant of the town has not reported 2026; a tenant of the
    Art Center; a town tenant that only came in 2027."""
    file(organization, tenant_owner, year=2025, sales=100_000_000, employees=4, investment=0, ip_count=2)
    file(organization, tenant_owner, year=2026, sales=150_000_000, employees=3, investment=20_000_000, ip_count=2)
    quiet, _owner = tenant_with_lease(town, "106", name="Quiet Studio", start=date(2026, 6, 1))
    art, _owner = tenant_with_lease(art_center, "A1", name="Art Tenant")
    late, _owner = tenant_with_lease(town, "107", name="Late Comer", start=date(2027, 1, 10))
    return {"quiet": quiet, "art": art, "late": late}


def test_the_table_shows_figures_with_their_change_and_who_has_not_reported(
    client, signed_in_manager, two_years, organization
):
    response = client.get("/manage/outcomes/")

    assert response.status_code == 200
    assert response.context["year"] == 2026
    rows = {row.organization.name: row for row in response.context["table"].rows}
    assert set(rows) == {organization.name, "Quiet Studio"}
    cooperative = rows[organization.name]
    figures = {figure.name: figure for figure in cooperative.figures}
    assert (figures["sales"].difference, figures["sales"].percent) == (50_000_000, 50.0)
    assert (figures["employees"].difference, figures["employees"].percent) == (-1, -25.0)
    assert (figures["investment"].difference, figures["investment"].percent) == (20_000_000, None)
    assert (figures["ip_count"].difference, figures["ip_count"].percent) == (0, 0.0)
    text = page_text(response)
    assert "▲ +50,000,000 (+50.0%)" in text
    assert "▼ -1 (-25.0%)" in text
    assert "Quiet Studio Unit 106 Not filed Ask again" in text
    assert "1 / 2 organizations reported" in text


def test_the_table_of_another_year(client, signed_in_manager, two_years):
    response = client.get("/manage/outcomes/?facility=innovation-town&year=2025")

    rows = response.context["table"].rows
    assert [row.filed for row in rows] == [True]
    assert rows[0].previous is None
    assert "▲" not in page_text(response)


@pytest.mark.parametrize("query", ["year=2027", "year=1999", "year=abc"])
def test_a_year_that_has_not_ended_or_makes_no_sense_is_a_bad_request(client, signed_in_manager, two_years, query):
    assert client.get(f"/manage/outcomes/?{query}").status_code == 400


def test_a_manager_of_another_facility_sees_only_theirs(client, other_manager, two_years):
    client.force_login(other_manager)

    own = client.get("/manage/outcomes/")
    theirs = client.get("/manage/outcomes/?facility=innovation-town")
    csv_of_theirs = client.get("/manage/outcomes/?facility=innovation-town&format=csv")

    assert [row.organization.name for row in own.context["table"].rows] == ["Art Tenant"]
    assert theirs.status_code == 403
    assert csv_of_theirs.status_code == 403


def test_an_admin_chooses_any_facility(client, admin_user, two_years):
    client.force_login(admin_user)

    response = client.get("/manage/outcomes/?facility=art-center")

    assert [row.organization.name for row in response.context["table"].rows] == ["Art Tenant"]


@pytest.mark.parametrize("who", ["tenant_owner", "startup_member"])
def test_members_may_not_open_the_table(client, request, two_years, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get("/manage/outcomes/").status_code == 403


def test_the_manager_tabs_lead_to_the_table(client, signed_in_manager):
    response = client.get(reverse("tenants:unit_list"))

    assert 'href="/manage/outcomes/"' in response.content.decode()


# --- Exports ----------------------------------------------------------------------------------------------


@pytest.fixture
def formula_tenant(town, tenant_owner):
    organization, owner = tenant_with_lease(town, "108", name='=HYPERLINK("http://evil.example","x")')
    file(organization, owner, sales=5_000_000, employees=2, products_note="@SUM(A1:A2)")
    return organization


def test_the_csv_keeps_numbers_and_neutralizes_formulas(client, signed_in_manager, two_years, formula_tenant):
    response = client.get("/manage/outcomes/?facility=innovation-town&year=2026&format=csv")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="outcomes-innovation-town-2026.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:6] == ["Facility", "Organization", "Business registration number", "Units", "Year", "Status"]
    assert header[6:9] == [
        "Sales (KRW)",
        "Sales (KRW): change from the year before",
        "Sales (KRW): change from the year before (%)",
    ]
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    evil = by_name['\'=HYPERLINK("http://evil.example","x")']
    assert evil["Products: details"] == "'@SUM(A1:A2)"
    assert evil["Sales (KRW)"] == "5000000"
    cooperative = next(row for name, row in by_name.items() if row["Status"] == "Filed" and "HYPERLINK" not in name)
    assert cooperative["Sales (KRW): change from the year before"] == "50000000"
    assert cooperative["Employees: change from the year before (%)"] == "-25.0"
    assert by_name["Quiet Studio"]["Status"] == "Not filed"
    assert by_name["Quiet Studio"]["Sales (KRW)"] == ""


def test_the_xlsx_opens_with_the_figures_and_no_formula(client, signed_in_manager, two_years, formula_tenant):
    response = client.get("/manage/outcomes/?facility=innovation-town&year=2026&format=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[4:7] == ["Year", "Status", "Sales (KRW)"]
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    cooperative = next(row for row in by_name.values() if row["Sales (KRW)"] == 150_000_000)
    assert cooperative["Employees"] == 3
    assert cooperative["Sales (KRW): change from the year before (%)"] == 50.0
    assert cooperative["Year"] == 2026
    evil_name = '\'=HYPERLINK("http://evil.example","x")'
    assert evil_name in by_name
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_exports_speak_the_readers_language(client, signed_in_manager, two_years):
    signed_in_manager.language = "ko"
    signed_in_manager.save(update_fields=["language"])

    csv_header = next(csv.reader(io.StringIO(client.get("/manage/outcomes/?format=csv").content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/manage/outcomes/?format=xlsx").content)).active

    assert csv_header[:2] == ["시설", "기관"]
    assert "매출액(원)" in csv_header and "고용 인원" in csv_header
    assert [cell.value for cell in sheet[1]][:2] == ["시설", "기관"]
    assert "미제출" in [cell.value for cell in sheet["F"]]


# --- Beside a renewal --------------------------------------------------------------------------------------


def test_the_manager_reviews_a_renewal_beside_the_latest_figures(client, signed_in_manager, two_years, contract):
    renewal = RenewalRequestFactory(contract=contract)

    text = page_text(client.get(renewal.get_absolute_url()))

    assert "Tenant outcomes" in text
    assert "2026 2025 Sales (KRW) 150,000,000 Change from the year before: ▲ +50,000,000 (+50.0%) 100,000,000" in text
    assert "Employees 3 Change from the year before: ▼ -1 (-25.0%) 4" in text


def test_the_manager_sees_that_a_tenant_has_not_reported(client, signed_in_manager, contract):
    renewal = RenewalRequestFactory(contract=contract)

    text = page_text(client.get(renewal.get_absolute_url()))

    assert "Not filed The outcomes of 2026 are not reported yet." in text
    assert "The organization has not reported any year yet." in text


def test_the_renewal_form_asks_for_a_missing_year_and_renewal_still_works(client, contract, organization, tenant_owner):
    client.force_login(tenant_owner)

    before = page_text(client.get(contract.get_absolute_url()))
    renewed = client.post(reverse("tenants:request_renewal", args=[contract.pk]), {"term_months": 12})
    while_open = page_text(client.get(renewed["Location"]))
    file(organization, tenant_owner)
    after = page_text(client.get(renewed["Location"]))

    assert "Please report your outcomes of 2026." in before
    assert renewed.status_code == 302
    assert contract.renewal_requests.get().status == "submitted"
    assert "Please report your outcomes of 2026." in while_open
    assert "Please report your outcomes" not in after


def test_the_prompt_links_to_the_missing_year(client, contract, organization, tenant_owner):
    client.force_login(tenant_owner)

    html = client.get(contract.get_absolute_url()).content.decode()

    assert f'href="{outcomes_url(organization)}?year=2026"' in html


# --- Queries ----------------------------------------------------------------------------------------------


@pytest.fixture
def grow(town, manager):
    """``total`` tenants of the town, every other one with reports for 2025 and 2026 and asked once."""
    made = []

    def grow(total):
        while len(made) < total:
            number = len(made)
            organization, owner = tenant_with_lease(town, f"Q{number:03d}", name=f"Tenant {number:03d}")
            if number % 2:
                file(organization, owner, year=2025)
                file(organization, owner, year=2026, sales=120_000_000)
            else:
                outcomes.ask_for_outcome_report(organization=organization, manager=manager, year=2026)
            made.append(organization)

    return grow


@pytest.mark.parametrize("export", ["", "&format=csv", "&format=xlsx"])
def test_the_table_and_its_exports_take_the_same_queries_at_any_size(client, signed_in_manager, grow, export):
    url = f"/manage/outcomes/?facility=innovation-town&year=2026{export}"
    counts = []
    for size in (3, 20):
        grow(size)
        client.get(url)  # warm up: the session and the content types are loaded once
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts


def test_the_tenants_page_takes_the_same_queries_with_more_years(client, organization, tenant_owner, unit):
    LeaseContractFactory(organization=organization, unit=unit, start_date=date(2015, 1, 1), end_date=date(2027, 12, 31))
    client.force_login(tenant_owner)
    url = outcomes_url(organization)
    counts = []
    for years in (range(2024, 2027), range(2015, 2027)):
        for year in years:
            file(organization, tenant_owner, year=year)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts


# --- At the same moment (PostgreSQL) -----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_owners_filing_the_same_year_at_once_make_one_report(contract, organization, tenant_owner, tenant_admin):
    barrier = threading.Barrier(2)
    results = [None, None]

    def attempt(index, user, sales):
        try:
            barrier.wait(timeout=15)
            results[index] = ("filed", file(organization, user, sales=sales).pk)
        except BaseException as error:
            results[index] = ("crashed", repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(0, tenant_owner, 111_000_000), daemon=True),
        threading.Thread(target=attempt, args=(1, tenant_admin, 222_000_000), daemon=True),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [kind for kind, _pk in results] == ["filed", "filed"], results
    assert results[0][1] == results[1][1]
    report = OutcomeReport.objects.get()
    assert report.sales in (111_000_000, 222_000_000)
    assert sorted(actions_on(report)) == ["outcome.filed", "outcome.updated"]
