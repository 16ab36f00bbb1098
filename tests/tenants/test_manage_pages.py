import csv
import io
import re
from datetime import date, timedelta

import pytest

from tenants.models import LeaseContract, RenewalRequest
from tests.factories import LeasableUnitFactory, OrganizationFactory, enable_totp
from tests.tenants.conftest import TODAY
from tests.tenants.factories import LeaseContractFactory, RenewalRequestFactory
from tests.tenants.helpers import page_text

pytestmark = pytest.mark.django_db

MANAGER_PAGES = ["/manage/contracts/", "/manage/renewals/", "/manage/units/"]
CSV_HEADER = [
    "Facility",
    "Unit",
    "Organization",
    "Business registration number",
    "First day",
    "Last day",
    "Days left",
    "Monthly rent (KRW)",
    "Maintenance fee (KRW)",
    "Deposit (KRW)",
    "Status",
    "Renews contract",
]


@pytest.fixture
def signed_in_manager(client, manager):
    enable_totp(manager)
    client.force_login(manager)
    return manager


@pytest.fixture
def leases(contract, town, art_center, other_org_member):
    """Contracts of two facilities: three in Innovation Town (one expired), one in the Art Center."""
    other = other_org_member.memberships.get().organization
    cooperative = OrganizationFactory(name="동남사회적협동조합", name_en="Dongnam Social Cooperative")
    return {
        "ending_soon": contract,  # 105, ends in 45 days
        "ending_later": LeaseContractFactory(
            organization=other,
            unit=LeasableUnitFactory(facility=town, code="106"),
            start_date=date(2026, 1, 1),
            end_date=TODAY + timedelta(days=200),
            monthly_rent=410_000,
        ),
        "expired": LeaseContractFactory(
            organization=cooperative,
            unit=LeasableUnitFactory(facility=town, code="107"),
            start_date=date(2025, 1, 1),
            end_date=date(2026, 12, 31),
            status=LeaseContract.Status.EXPIRED,
        ),
        "art": LeaseContractFactory(
            organization=cooperative,
            unit=LeasableUnitFactory(facility=art_center, code="A1"),
            start_date=date(2026, 1, 1),
            end_date=TODAY + timedelta(days=10),
        ),
    }


def _listed(response, leases) -> list[str]:
    """The contracts a page links to, by their names in ``leases``, in page order."""
    content = response.content.decode()
    found = [(content.find(f'href="/contracts/{c.pk}/"'), name) for name, c in leases.items()]
    return [name for position, name in sorted(found) if position >= 0]


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _row(response, label: str) -> str:
    rows = re.findall(r"<tr>.*?</tr>", response.content.decode(), flags=re.S)
    matching = [row for row in rows if label in row]
    assert len(matching) == 1, label
    return " ".join(re.sub(r"<[^>]+>", " ", matching[0]).split())


# --- Contracts list ---------------------------------------------------------------------------


def test_the_contracts_list_shows_the_managers_facilities_by_end_date(client, signed_in_manager, leases):
    response = client.get("/manage/contracts/")

    assert response.status_code == 200
    assert _listed(response, leases) == ["expired", "ending_soon", "ending_later"]
    assert _row(response, "Innovation Town 105").endswith("45 360,000 Active")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("facility=innovation-town", ["expired", "ending_soon", "ending_later"]),
        ("status=expired", ["expired"]),
        ("status=active", ["ending_soon", "ending_later"]),
        ("expiring_within=45", ["ending_soon"]),
        ("expiring_within=44", []),
        ("expiring_within=200", ["ending_soon", "ending_later"]),
        ("organization=협동조합", ["expired"]),
        ("organization=cooperative", ["expired"]),
        ("organization=테스트기업&status=active&expiring_within=60", ["ending_soon"]),
    ],
)
def test_the_contracts_list_filters(client, signed_in_manager, leases, query, expected):
    response = client.get(f"/manage/contracts/?{query}")

    assert response.status_code == 200
    assert _listed(response, leases) == expected
    if not expected:
        assert "No contract matches." in page_text(response)


def test_the_contracts_list_marks_open_renewals_and_notice(client, signed_in_manager, leases, tenant_owner):
    RenewalRequestFactory(contract=leases["ending_soon"], requested_by=tenant_owner)
    LeaseContract.objects.filter(pk=leases["ending_later"].pk).update(
        non_renewal_notice_at=signed_in_manager.date_joined
    )

    response = client.get("/manage/contracts/")

    assert "Renewal open" in _row(response, "Innovation Town 105")
    assert "Renewal open" not in _row(response, "Innovation Town 106")
    assert "Moving out" in _row(response, "Innovation Town 106")


@pytest.mark.parametrize("facility", ["art-center", "no-such-facility"])
def test_filtering_on_a_facility_the_manager_does_not_manage_is_forbidden(client, signed_in_manager, leases, facility):
    assert client.get(f"/manage/contracts/?facility={facility}").status_code == 403
    assert client.get(f"/manage/contracts/?facility={facility}&format=csv").status_code == 403


def test_an_admin_sees_every_facilitys_contracts(client, admin_user, leases):
    enable_totp(admin_user)
    client.force_login(admin_user)

    everything = client.get("/manage/contracts/")
    art = client.get("/manage/contracts/?facility=art-center")

    assert _listed(everything, leases) == ["expired", "art", "ending_soon", "ending_later"]
    assert _listed(art, leases) == ["art"]


def test_a_bad_filter_value_is_a_bad_request(client, signed_in_manager, leases):
    response = client.get("/manage/contracts/?expiring_within=-1")

    assert response.status_code == 400


# --- CSV export -------------------------------------------------------------------------------


def test_the_csv_export_has_a_header_and_one_row_per_contract(client, signed_in_manager, leases, organization, town):
    response = client.get("/manage/contracts/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="contracts-20270302.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(response)
    assert rows[0] == CSV_HEADER
    assert len(rows) == 4
    assert [row[1] for row in rows[1:]] == ["107", "105", "106"]
    assert rows[2] == [
        town.name_en,
        "105",
        organization.name,
        organization.business_number_display,
        "2025-04-17",
        "2027-04-16",
        "45",
        "360000",
        "60000",
        "3600000",
        "Active",
        "",
    ]
    assert rows[1][2] == "동남사회적협동조합"
    assert "동남사회적협동조합".encode() in response.content


def test_the_csv_export_follows_the_filters(client, signed_in_manager, leases):
    response = client.get("/manage/contracts/?status=expired&format=csv")

    rows = _csv_rows(response)
    assert rows[0] == CSV_HEADER
    assert [(row[1], row[2], row[10]) for row in rows[1:]] == [("107", "동남사회적협동조합", "Expired")]


def test_the_csv_export_names_the_contract_a_renewal_renews(client, signed_in_manager, contract):
    LeaseContractFactory(
        organization=contract.organization,
        unit=contract.unit,
        start_date=contract.end_date + timedelta(days=1),
        end_date=contract.end_date + timedelta(days=365),
        renews=contract,
    )

    rows = _csv_rows(client.get("/manage/contracts/?format=csv"))

    assert [(row[4], row[11]) for row in rows[1:]] == [("2025-04-17", ""), ("2027-04-17", str(contract.pk))]


def test_the_contracts_page_links_to_the_csv_of_the_same_filter(client, signed_in_manager, leases):
    response = client.get("/manage/contracts/?status=active&organization=테스트")

    assert 'href="?status=active&amp;organization=%ED%85%8C%EC%8A%A4%ED%8A%B8&amp;format=csv"' in (
        response.content.decode()
    )


# --- Units ------------------------------------------------------------------------------------


def test_the_units_list_shows_who_occupies_each_unit_today(client, signed_in_manager, leases, organization, town):
    LeaseContractFactory(
        unit=LeasableUnitFactory(facility=town, code="108"),
        start_date=TODAY + timedelta(days=1),
        end_date=TODAY + timedelta(days=400),
    )

    response = client.get("/manage/units/")

    assert response.status_code == 200
    assert _row(response, "Innovation Town 105").endswith(f"{organization.name_en} (until 2027-04-16)")
    assert "until 2027-09-18" in _row(response, "Innovation Town 106")
    assert _row(response, "Innovation Town 107").endswith("Vacant")
    assert _row(response, "Innovation Town 108").endswith("Vacant")
    assert "Art Center" not in page_text(response)


def test_a_contract_ending_today_still_occupies_its_unit(client, signed_in_manager, contract, clock):
    clock.move_to(contract.end_date.isoformat() + "T18:00:00+09:00")
    client.force_login(signed_in_manager)
    occupied = _row(client.get("/manage/units/"), "Innovation Town 105")
    clock.move_to((contract.end_date + timedelta(days=1)).isoformat() + "T09:00:00+09:00")
    client.force_login(signed_in_manager)
    vacant = _row(client.get("/manage/units/"), "Innovation Town 105")

    assert "until 2027-04-16" in occupied
    assert vacant.endswith("Vacant")


# --- Who may see these pages ------------------------------------------------------------------


@pytest.mark.parametrize("url", MANAGER_PAGES)
@pytest.mark.parametrize("who", ["tenant_owner", "startup_member"])
def test_people_who_manage_nothing_are_forbidden(client, request, url, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url).status_code == 403
    assert client.get(url + "?format=csv").status_code == 403


@pytest.mark.parametrize("url", MANAGER_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", MANAGER_PAGES)
def test_a_manager_without_two_factor_is_sent_to_set_it_up(client, manager_without_totp, url):
    client.force_login(manager_without_totp)

    response = client.get(url)

    assert response.status_code == 302
    assert "/accounts/2fa/" in response.url


def test_the_decision_pages_are_for_managers_only(client, tenant_owner, contract):
    renewal = RenewalRequestFactory(contract=contract, requested_by=tenant_owner)
    client.force_login(tenant_owner)

    for action in ("approve", "reject", "request-changes"):
        assert (
            client.post(f"/manage/renewals/{renewal.pk}/{action}/", {"monthly_rent": 1, "reason": "x"}).status_code
            == 403
        )
    renewal.refresh_from_db()
    assert renewal.status == RenewalRequest.Status.SUBMITTED
