"""Whatever a user may do or see because they manage a facility needs TOTP (MANAGER_MFA_REQUIRED): without
it, a named manager is a plain member on every page and endpoint, not only under /manage/."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from bookings import services as bookings
from bookings.models import Booking
from tenants import services as tenancy
from tests.factories import enable_totp, seoul

# A Monday a week after the tenants' frozen "now" (2027-03-02).
START = seoul(2027, 3, 8, 10)


@pytest.fixture
def members_booking(space, startup_member):
    return bookings.create_booking(
        requested_by=startup_member,
        space=space,
        start=START,
        end=START + timedelta(hours=2),
        title="Members' meeting",
        attendees=4,
    )


@pytest.fixture
def renewal(contract, tenant_owner, pdf):
    return tenancy.request_renewal(contract=contract, user=tenant_owner, term_months=12, files=[pdf])


@pytest.fixture
def pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


@pytest.fixture
def api(manager_without_totp):
    client = APIClient()
    client.force_login(manager_without_totp)
    return client


def test_without_totp_a_manager_cannot_cancel_a_booking_of_their_facility(
    api, client, manager_without_totp, members_booking
):
    client.force_login(manager_without_totp)

    by_api = api.post(f"/api/v1/bookings/{members_booking.pk}/cancel/", {"reason": "Double booked"}, format="json")
    by_page = client.post(f"/bookings/{members_booking.pk}/cancel/", {"reason": "Double booked"})

    assert (by_api.status_code, by_page.status_code) == (404, 404)
    members_booking.refresh_from_db()
    assert members_booking.status == Booking.Status.PENDING


def test_without_totp_a_manager_reads_none_of_their_facilitys_bookings(
    api, client, manager_without_totp, members_booking
):
    client.force_login(manager_without_totp)

    listed = api.get("/api/v1/bookings/").json()
    page = client.get(f"/bookings/{members_booking.pk}/")

    assert listed["count"] == 0
    assert members_booking.requested_by.email not in str(listed)
    assert page.status_code == 404


def test_without_totp_a_manager_reads_no_contract_renewal_or_document(api, client, manager_without_totp, renewal):
    client.force_login(manager_without_totp)
    document = renewal.documents.get()

    assert api.get("/api/v1/contracts/").json()["count"] == 0
    assert api.get("/api/v1/renewals/").json()["count"] == 0
    assert client.get(f"/contracts/{renewal.contract_id}/").status_code == 404
    assert client.get(f"/renewals/{renewal.pk}/documents/{document.pk}/").status_code == 404


def test_without_totp_a_manager_is_refused_by_the_services_too(manager_without_totp, members_booking):
    with pytest.raises(bookings.BookingError) as refused:
        bookings.approve_booking(booking=members_booking, manager=manager_without_totp)

    assert refused.value.code == "not_manager"


def test_with_totp_the_same_manager_acts_and_reads(api, manager_without_totp, members_booking, renewal):
    enable_totp(manager_without_totp)

    assert api.get("/api/v1/bookings/").json()["count"] == 1
    assert api.get("/api/v1/renewals/").json()["count"] == 1
    cancelled = api.post(f"/api/v1/bookings/{members_booking.pk}/cancel/", {"reason": "Double booked"}, format="json")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


def test_without_the_requirement_a_manager_acts_without_totp(api, settings, members_booking):
    settings.MANAGER_MFA_REQUIRED = False

    assert api.get("/api/v1/bookings/").json()["count"] == 1


def test_a_plain_member_asking_to_renew_with_bad_input_is_told_403_not_400(contract, tenant_member):
    client = APIClient()
    client.force_login(tenant_member)

    response = client.post(f"/api/v1/contracts/{contract.pk}/renewal/", {"term_months": "many"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
