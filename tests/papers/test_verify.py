"""The public page the permit's QR code leads to: valid while the booking holds, with no personal data."""

import pytest

from bookings import services
from papers.models import IssuedPaper
from tests.factories import seoul
from tests.rental.factories import approved_and_paid, book, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def permit(paid, member_client) -> IssuedPaper:
    assert member_client.get(f"/papers/bookings/{paid.pk}/permit.pdf").status_code == 200
    return IssuedPaper.objects.get(booking=paid, kind=IssuedPaper.Kind.PERMIT)


def verify(client, permit, language="ko"):
    return client.get(f"/papers/verify/{permit.token}/", HTTP_ACCEPT_LANGUAGE=language)


def test_anyone_sees_that_a_permit_is_valid_with_its_main_facts(permit, client):
    response = verify(client, permit)

    assert response.status_code == 200
    body = response.content.decode()
    assert "유효한 사용허가서입니다." in body
    assert permit.number in body
    assert "경남사회적경제혁신타운" in body
    assert "세미나실 가" in body
    assert "2026-12-07 (월) 10:00 – 12:00" in body
    assert "창원로봇" in body
    assert response["Cache-Control"].startswith("max-age=0")
    assert response["X-Robots-Tag"] == "noindex"


def test_the_page_tells_no_personal_data(permit, client):
    body = verify(client, permit).content.decode()

    booker = permit.booking.requested_by
    for private in (booker.name, booker.email, "김대표", "신제품 시연과 설명회", "로봇 시연회", "609-80"):
        assert private not in body, private


def test_a_cancelled_booking_makes_the_permit_invalid(permit, member, client):
    services.cancel_booking(booking=permit.booking, user=member)

    body = verify(client, permit).content.decode()

    assert "더 이상 유효하지 않은 사용허가서입니다." in body
    assert "유효한 사용허가서입니다." not in body
    assert "현재 예약 상태: 취소." in body


def test_in_english(permit, client):
    body = verify(client, permit, "en").content.decode()

    assert "This permit is valid." in body


def test_after_the_booking_the_permit_still_reads_valid_for_its_time(permit, client, clock):
    clock.move_to(seoul(2026, 12, 8, 9))

    body = verify(client, permit, "en").content.decode()

    assert "This permit is valid." in body
    assert "The permitted time has passed." in body


def test_an_unknown_or_receipt_token_is_not_found(paid, permit, member_client, client):
    assert client.get("/papers/verify/not-a-token/").status_code == 404
    member_client.get(f"/papers/bookings/{paid.pk}/receipt.pdf")
    assert not IssuedPaper.objects.filter(kind=IssuedPaper.Kind.PAYMENT_RECEIPT, token__isnull=False).exists()


def test_a_person_is_not_named(room, individual, manager, client):
    booking = approved_and_paid(book(individual, room), manager)
    client_for(individual).get(f"/papers/bookings/{booking.pk}/permit.pdf")
    permit = IssuedPaper.objects.get(booking=booking)

    body = verify(client, permit).content.decode()

    assert individual.name not in body
    assert "개인" in body
