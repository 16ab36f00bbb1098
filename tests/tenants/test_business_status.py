"""The National Tax Service's business status check, against a stand-in that speaks its API on loopback.

The stand-in answers ``POST /nts-businessman/v1/status?serviceKey=…`` as the public data portal documents:
``{"status_code": "OK", "match_cnt": n, "request_cnt": n, "data": [{"b_no", "b_stt", "b_stt_cd", "tax_type",
"end_dt", …}]}``.
"""

import json
from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone
from werkzeug import Response

from bookings import fees
from tenants import business, nts, services, tasks
from tenants.models import LeaseContract, Membership, Organization
from tests.factories import (
    LeasableUnitFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

STATUS_PATH = "/nts-businessman/v1/status"
SERVICE_KEY = "test-service-key/+="
CLOSED_ON = "20240331"


def nts_row(number: str) -> dict:
    """What the tax service says of a number, by its last digit here: 1 active, 2 suspended, 3 closed, else
    not registered."""
    code = {"1": "01", "2": "02", "3": "03"}.get(number[-2], "")
    label = {"01": "계속사업자", "02": "휴업자", "03": "폐업자"}.get(code, "")
    return {
        "b_no": number,
        "b_stt": label,
        "b_stt_cd": code,
        "tax_type": "부가가치세 일반과세자" if code else "국세청에 등록되지 않은 사업자등록번호입니다.",
        "tax_type_cd": "01" if code else "",
        "end_dt": CLOSED_ON if code == "03" else "",
        "utcc_yn": "N",
        "tax_type_change_dt": "",
        "invoice_apply_dt": "",
        "rbf_tax_type": "",
        "rbf_tax_type_cd": "",
    }


class TaxService:
    """The stand-in's behaviour, and what it was asked."""

    def __init__(self):
        self.calls: list[list[str]] = []
        self.keys: list[str] = []
        self.fail_with: int | None = None

    def __call__(self, request):
        self.keys.append(request.args.get("serviceKey", ""))
        numbers = json.loads(request.data)["b_no"]
        self.calls.append(numbers)
        if self.fail_with:
            return Response("Service Unavailable", status=self.fail_with)
        if len(numbers) > 100:
            return Response(json.dumps({"status_code": "TOO_LARGE_REQUEST"}), status=413)
        body = {
            "status_code": "OK",
            "match_cnt": len(numbers),
            "request_cnt": len(numbers),
            "data": [nts_row(number) for number in numbers],
        }
        return Response(json.dumps(body, ensure_ascii=False), content_type="application/json")


@pytest.fixture
def tax_service(httpserver, settings):
    service = TaxService()
    httpserver.expect_request(STATUS_PATH, method="POST").respond_with_handler(service)
    settings.NTS_API_BASE = httpserver.url_for("").rstrip("/")
    settings.NTS_SERVICE_KEY = SERVICE_KEY
    return service


def with_status_digit(digit: str, serial: int) -> str:
    """A valid number (its check digit right) whose next-to-last digit tells the stand-in the status."""
    from tenants.validators import business_number_check_digit

    first_nine = f"60112{serial:03d}{digit}"
    return first_nine + str(business_number_check_digit(first_nine))


def organization(digit: str, serial: int = 1, **fields) -> Organization:
    return OrganizationFactory(business_number=with_status_digit(digit, serial), **fields)


def test_each_status_is_stored_with_its_time_and_the_tax_services_words(tax_service, db):
    active, suspended, closed, unknown = (organization(digit, serial) for serial, digit in enumerate("1239"))
    now = timezone.now()

    updated = business.check_business_numbers([active.pk, suspended.pk, closed.pk, unknown.pk], now=now)

    assert updated == 4
    assert tax_service.keys == [SERVICE_KEY]  # one call, the key sent as the portal expects it
    for org, status in ((active, "active"), (suspended, "suspended"), (closed, "closed"), (unknown, "unverified")):
        org.refresh_from_db()
        assert (org.business_status, org.business_checked_at) == (status, now)
    closed.refresh_from_db()
    assert closed.business_status_note == "폐업자 (2024-03-31)"
    unknown.refresh_from_db()
    assert "등록되지 않은" in unknown.business_status_note


def test_numbers_are_asked_100_per_call(tax_service, db):
    organizations = [organization("1", serial) for serial in range(150)]

    business.check_business_numbers([org.pk for org in organizations])

    assert [len(numbers) for numbers in tax_service.calls] == [100, 50]
    assert Organization.objects.filter(business_status="active").count() == 150


@pytest.mark.parametrize("failure", [500, 503])
def test_a_failing_service_leaves_the_number_unverified_to_be_asked_later(tax_service, db, failure):
    org = organization("1")
    tax_service.fail_with = failure

    assert business.check_business_numbers([org.pk]) == 0

    org.refresh_from_db()
    assert (org.business_status, org.business_checked_at) == ("unverified", None)
    assert business.organizations_due_for_check() == [org.pk]
    tax_service.fail_with = None
    assert tasks.recheck_business_numbers() == 1
    org.refresh_from_db()
    assert org.business_status == "active"


def test_a_timeout_or_garbage_is_no_answer(db, settings, httpserver):
    settings.NTS_SERVICE_KEY = SERVICE_KEY
    settings.NTS_API_BASE = httpserver.url_for("").rstrip("/")
    httpserver.expect_request(STATUS_PATH, method="POST").respond_with_data("<html>maintenance</html>")
    org = organization("1")
    assert business.check_business_numbers([org.pk]) == 0

    settings.NTS_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    assert business.check_business_numbers([org.pk]) == 0
    with mock.patch("urllib.request.urlopen", side_effect=TimeoutError), pytest.raises(nts.NtsUnavailable):
        nts.fetch_statuses([org.business_number])
    org.refresh_from_db()
    assert org.business_status == "unverified"


def test_without_a_key_nothing_is_asked_and_only_the_check_digit_counts(db, settings, client):
    settings.NTS_SERVICE_KEY = ""
    owner = UserFactory()
    org = organization("1")
    Membership.objects.create(organization=org, user=owner, role=Membership.Role.OWNER)

    assert business.check_business_numbers([org.pk]) == 0
    client.force_login(owner)
    page = client.get(f"/organizations/{org.pk}/").content.decode()
    assert "not set up on this site" in page or "설정되어 있지 않" in page


def test_the_yearly_recheck_asks_numbers_answered_over_a_year_ago(tax_service, db):
    now = timezone.now()
    fresh, stale, never = organization("1", 1), organization("1", 2), organization("1", 3)
    Organization.objects.filter(pk=fresh.pk).update(business_checked_at=now - timedelta(days=30))
    Organization.objects.filter(pk=stale.pk).update(business_checked_at=now - timedelta(days=400))

    assert set(business.organizations_due_for_check(now=now)) == {stale.pk, never.pk}
    assert tasks.recheck_business_numbers() == 2
    assert sorted(tax_service.calls[0]) == sorted([stale.business_number, never.business_number])


def test_registering_makes_the_owner_and_queues_a_check(tax_service, db, client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    number = with_status_digit("1", 7)

    with (
        mock.patch.object(tasks.check_business_numbers, "delay") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/organizations/new/",
            {
                "name": "해오름 협동조합",
                "kind": "cooperative",
                "business_number": f"{number[:3]}-{number[3:5]}-{number[5:]}",
            },
        )

    org = Organization.objects.get(business_number=number)
    assert response.status_code == 302 and response["Location"] == f"/organizations/{org.pk}/"
    assert Membership.objects.get(organization=org).user == user
    assert org.business_status == "unverified"
    queued.assert_called_once_with([org.pk])


def test_a_bad_registration_is_a_400_and_saves_nothing(db, client):
    client.force_login(UserFactory())

    response = client.post("/organizations/new/", {"name": "", "kind": "startup", "business_number": "123-45-67891"})

    assert response.status_code == 400
    assert not Organization.objects.exists()


def test_a_changed_number_is_unverified_until_asked_again(tax_service, db, django_capture_on_commit_callbacks):
    org = organization("1")
    business.check_business_numbers([org.pk])
    owner = MembershipFactory(organization=org, role=Membership.Role.OWNER).user

    with (
        mock.patch.object(tasks.check_business_numbers, "delay") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.update_organization(
            organization=org, user=owner, changes={"business_number": with_status_digit("3", 9)}
        )

    org.refresh_from_db()
    assert (org.business_status, org.business_checked_at) == ("unverified", None)
    queued.assert_called_once_with([org.pk])
    business.check_business_numbers([org.pk])
    org.refresh_from_db()
    assert org.business_status == "closed"


@pytest.fixture
def closed_cooperative(tax_service, db):
    org = organization("3", kind=Organization.Kind.COOPERATIVE)
    business.check_business_numbers([org.pk])
    org.refresh_from_db()
    return org


def test_a_closed_business_cannot_take_a_lease(closed_cooperative, manager, town):
    unit = LeasableUnitFactory(facility=town)
    with pytest.raises(services.TenancyError) as refused:
        services.create_contract(
            manager=manager,
            organization=closed_cooperative,
            unit=unit,
            start_date=date(2027, 1, 1),
            end_date=date(2027, 12, 31),
            monthly_rent=300_000,
        )
    assert refused.value.code == "business_closed" and refused.value.status == 409
    assert "2024-03-31" in refused.value.message
    assert not LeaseContract.objects.exists()


def test_a_closed_business_gets_no_social_economy_reduction(closed_cooperative, town):
    assert fees.reduction_for(closed_cooperative, town, is_tenant=False)[1] != "social_economy"
    closed_cooperative.business_status = Organization.BusinessStatus.ACTIVE
    closed_cooperative.save()
    assert fees.reduction_for(closed_cooperative, town, is_tenant=False)[1] == "social_economy"


def test_the_page_and_the_api_say_why(closed_cooperative, client, api_client):
    owner = MembershipFactory(organization=closed_cooperative, role=Membership.Role.OWNER).user
    client.force_login(owner)
    page = client.get(f"/organizations/{closed_cooperative.pk}/").content.decode()
    assert "badge-business-closed" in page
    assert "폐업자 (2024-03-31)" in page

    api_client.force_login(owner)
    row = next(
        row for row in api_client.get("/api/v1/organizations/").json()["results"] if row["id"] == closed_cooperative.pk
    )
    assert row["business_status"] == "closed"
    assert row["business_checked_at"] is not None
