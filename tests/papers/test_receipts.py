"""Receipts (영수증): one for the payment and one for the refund of a booking, issued by the facility's operator,
read back from the PDF; refused while there is nothing to show."""

import re

import pytest

from bookings import services
from bookings.models import Booking
from papers.models import IssuedPaper
from tests.factories import seoul
from tests.papers.conftest import flat, pdf_text
from tests.rental.factories import PaidSpaceFactory, book, client_for

pytestmark = pytest.mark.django_db


def receipt_url(booking) -> str:
    return f"/papers/bookings/{booking.pk}/receipt.pdf"


def refund_url(booking) -> str:
    return f"/papers/bookings/{booking.pk}/refund-receipt.pdf"


def test_the_receipt_of_a_payment_names_the_payer_the_issuer_and_the_amount(paid, member_client):
    response = member_client.get(receipt_url(paid))

    assert response.status_code == 200
    text = flat(pdf_text(response))
    assert "영수증" in text
    assert "10,000원" in text
    assert "납부자 창원로봇" in text
    assert "발행인 경상남도 · 경남사회적경제혁신타운" in text
    assert "시설 사용료: 세미나실 가, 2026-12-07 (월) 10:00 – 12:00" in text
    assert "납부 일시 2026-12-01 09:00" in text
    assert "입금 참조 transfer 1" in text
    assert "위 금액을 정히 영수합니다." in text
    paper = IssuedPaper.objects.get(booking=paid, kind=IssuedPaper.Kind.PAYMENT_RECEIPT)
    assert re.fullmatch(r"DN-R-2026-\d{6}", paper.number)
    assert paper.token is None  # only permits are verified by a code


def test_a_refund_has_its_own_receipt_once_it_is_paid_back(paid, member, manager, member_client, clock):
    # Cancelled by the booker four days before (Thu 3 Dec for Mon 7 Dec): 90% back by the default tiers.
    clock.move_to(seoul(2026, 12, 3, 9))
    services.cancel_booking(booking=paid, user=member)
    paid.refresh_from_db()
    assert paid.payment_status == Booking.PaymentStatus.REFUND_DUE

    due = member_client.get(refund_url(paid))
    assert due.status_code == 409
    assert "아직 환불되지 않았습니다." in due.content.decode()

    clock.move_to(seoul(2026, 12, 4, 11))
    services.record_refund(booking=paid, manager=manager)
    response = member_client.get(refund_url(paid))

    assert response.status_code == 200
    text = flat(pdf_text(response))
    assert "환불 영수증" in text
    assert "환불받는 분 창원로봇" in text
    assert "납부액 10,000원 (2026-12-01 09:00)" in text
    assert "환불 완료 9,000원" in text
    assert "환불 일시 2026-12-04 11:00" in text
    assert "2026-12-03 09:00 예약 취소" in text
    assert "위 금액을 환불하였음을 확인합니다." in text
    paper = IssuedPaper.objects.get(booking=paid, kind=IssuedPaper.Kind.REFUND_RECEIPT)
    assert re.fullmatch(r"DN-RF-2026-\d{6}", paper.number)
    # The payment's receipt stays available after the refund.
    assert member_client.get(receipt_url(paid)).status_code == 200


def test_an_unpaid_booking_has_no_receipt(pending, manager, member_client):
    services.approve_booking(booking=pending, manager=manager)

    response = member_client.get(receipt_url(pending))

    assert response.status_code == 409
    assert "납부한 금액이 없으므로 영수증이 없습니다." in response.content.decode()
    assert member_client.get(refund_url(pending)).status_code == 409
    assert not IssuedPaper.objects.exists()


def test_a_free_booking_has_no_receipt(town, member):
    free_room = PaidSpaceFactory(facility=town, slug="papers-free-receipt", fee=0, requires_approval=False)
    booking = book(member, free_room)

    assert client_for(member).get(receipt_url(booking)).status_code == 409


def test_an_english_receipt(paid, member):
    member.language = "en"
    member.save(update_fields=["language"])

    text = flat(pdf_text(client_for(member).get(receipt_url(paid))))

    assert "Receipt" in text
    assert "Received from Changwon Robots" in text
    assert "Amount paid 10,000 won" in text
    assert "We have duly received the amount above." in text


def test_receipts_are_for_the_booker_colleagues_and_managers_only(paid, member, colleague, manager, stranger):
    for user in (member, colleague, manager):
        assert client_for(user).get(receipt_url(paid)).status_code == 200, user
    assert client_for(stranger).get(receipt_url(paid)).status_code == 404
    assert client_for(stranger).get(refund_url(paid)).status_code == 404
