"""The usage permit (사용허가서): what it says, read back from the PDF, its number fixed at the first download,
who may have it and which bookings have one."""

import re

import pytest
from django.utils import translation

from audit.models import AuditEntry
from bookings import services
from bookings.models import Booking
from papers.models import IssuedPaper
from tenants.models import Organization
from tests.factories import OrganizationFactory
from tests.papers.conftest import flat, korean, pdf_text
from tests.rental.factories import PaidSpaceFactory, approved_and_paid, book, client_for, member_of

pytestmark = pytest.mark.django_db


def permit_url(booking) -> str:
    return f"/papers/bookings/{booking.pk}/permit.pdf"


def test_the_permit_of_a_paid_booking_reads_in_korean_with_its_facts(paid, member_client):
    response = member_client.get(permit_url(paid))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="DN-2026-')
    text = flat(pdf_text(response))
    assert "사용허가서" in text
    assert "동남전시장" in text
    assert "경남사회적경제혁신타운 (운영: 경상남도)" in text
    assert "세미나실 가" in text
    assert "2026-12-07 (월) 10:00 – 12:00" in text
    assert "기관 창원로봇" in text
    assert "대표자 김대표" in text
    assert "이용 목적 신제품 시연과 설명회" in text
    assert "참석 인원 12명" in text
    assert "대관료 10,000원" in text
    assert "감면 없음" in text
    assert "납부액 10,000원 (2026-12-01 09:00 납부)" in text
    assert "사용 권리는 다른 사람에게 양도하거나 전대할 수 없습니다." in text
    assert "위와 같이 시설 사용을 허가합니다." in text
    assert "2026년 12월 1일" in text
    paper = IssuedPaper.objects.get(booking=paid, kind=IssuedPaper.Kind.PERMIT)
    assert re.fullmatch(r"DN-2026-\d{6}", paper.number)
    assert f"제 {paper.number} 호" in text
    assert f"/papers/verify/{paper.token}/" in text.replace(" ", "")


def test_the_permit_fits_on_one_a4_page(paid, member_client):
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(member_client.get(permit_url(paid)).content))

    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width) * 25.4 / 72), round(float(height) * 25.4 / 72)) == (210, 297)


def test_the_permit_embeds_the_korean_font(paid, member_client):
    from io import BytesIO

    from pypdf import PdfReader

    page = PdfReader(BytesIO(member_client.get(permit_url(paid)).content)).pages[0]
    fonts = [font.get_object()["/BaseFont"] for font in page["/Resources"]["/Font"].values()]

    # A subset (the "ABCDEF+" prefix) of Noto Sans CJK KR, embedded: the reader's computer needs no font.
    assert any(re.fullmatch(r"/[A-Z]{6}\+Noto-Sans-CJK-KR.*", name) for name in fonts), fonts


def test_a_reduction_is_shown_with_its_category_percent_and_amount(room, manager, town):
    cooperative = OrganizationFactory(name="동남협동조합", kind=Organization.Kind.COOPERATIVE, representative="한대표")
    member = korean(member_of(cooperative, email="coop@example.com"))
    booking = approved_and_paid(book(member, room, hours=4, title="총회", attendees=20), manager)

    text = flat(pdf_text(client_for(member).get(permit_url(booking))))

    assert "대관료 20,000원" in text
    with translation.override("ko"):
        category = booking.get_reduction_label()
    assert category  # 사회적경제 조직
    assert f"감면 {category} {town.social_economy_reduction_percent}% (−6,000원)" in text
    assert "납부액 14,000원" in text


def test_the_issue_number_and_date_stay_the_same_on_every_download(paid, member_client, colleague, clock):
    from tests.factories import seoul

    first = member_client.get(permit_url(paid))
    clock.move_to(seoul(2027, 1, 5, 9))
    again = client_for(colleague).get(permit_url(paid))

    paper = IssuedPaper.objects.get(booking=paid, kind=IssuedPaper.Kind.PERMIT)
    assert IssuedPaper.objects.filter(booking=paid).count() == 1
    assert first["Content-Disposition"] == again["Content-Disposition"] == f'attachment; filename="{paper.number}.pdf"'
    text = flat(pdf_text(again))
    assert f"제 {paper.number} 호" in text
    assert "2026년 12월 1일" in text  # issued then, not on the second download
    assert paper.issued_to == paid.requested_by
    assert AuditEntry.objects.filter(action="paper.permit", target_id=paid.pk).count() == 1


def test_each_permit_has_its_own_number(paid, member_client, room, member, manager):
    other = approved_and_paid(book(member, room, start=paid.end, title="두 번째"), manager)

    member_client.get(permit_url(paid))
    member_client.get(permit_url(other))

    numbers = IssuedPaper.objects.filter(kind=IssuedPaper.Kind.PERMIT).values_list("number", flat=True)
    assert len(set(numbers)) == 2


def test_the_first_download_is_in_the_bookings_history(paid, member_client):
    member_client.get(permit_url(paid))

    body = member_client.get(paid.get_absolute_url()).content.decode()

    assert "사용허가서 발급" in body


def test_an_english_reader_gets_the_permit_in_english(paid, member):
    member.language = "en"
    member.save(update_fields=["language"])

    text = flat(pdf_text(client_for(member).get(permit_url(paid))))

    assert "Usage permit" in text
    assert "Dongnam Exhibition Hall" in text
    assert "Organization Changwon Robots" in text
    assert "Gyeongnam Social Economy Innovation Town" in text
    assert "Seminar room A" in text
    assert "Amount paid 10,000 won" in text
    assert "Use the space only for the permitted purpose" in text


def test_a_free_approved_booking_has_a_permit_for_0_won(town, member):
    free_room = PaidSpaceFactory(facility=town, slug="papers-free", name="무료 회의실", fee=0, requires_approval=False)
    booking = book(member, free_room, title="무료 모임")
    assert booking.status == Booking.Status.APPROVED
    assert booking.payment_status == Booking.PaymentStatus.NOT_REQUIRED

    text = flat(pdf_text(client_for(member).get(permit_url(booking))))

    assert "무료 회의실" in text
    assert "대관료 0원" in text
    assert "납부액 0원 (무료)" in text


def test_a_booking_by_a_person_names_the_person(room, individual, manager):
    booking = approved_and_paid(book(individual, room, title="개인 작업"), manager)

    text = flat(pdf_text(client_for(individual).get(permit_url(booking))))

    assert "신청인 박개인 (개인)" in text
    assert "대표자" not in text


# --- which bookings have one ------------------------------------------------------------------


def test_a_pending_booking_has_no_permit_yet(pending, member_client):
    response = member_client.get(permit_url(pending), HTTP_ACCEPT_LANGUAGE="ko")

    assert response.status_code == 409
    assert "사용허가서는 예약이 승인된 뒤에 발급됩니다." in response.content.decode()
    assert not IssuedPaper.objects.exists()


def test_an_approved_booking_is_paid_before_its_permit(pending, manager, member_client):
    services.approve_booking(booking=pending, manager=manager)

    response = member_client.get(permit_url(pending))

    assert response.status_code == 409
    assert "사용허가서는 사용료를 납부한 뒤에 발급됩니다." in response.content.decode()


def test_a_cancelled_booking_has_no_permit_any_more(paid, member, member_client):
    member_client.get(permit_url(paid))
    services.cancel_booking(booking=paid, user=member)

    response = member_client.get(permit_url(paid))

    assert response.status_code == 409
    assert "사용허가서가 없습니다" in response.content.decode()


# --- who may have it ----------------------------------------------------------------------------


def test_the_booker_colleagues_and_the_facilitys_managers_may_download_it(paid, member, colleague, manager):
    for user in (member, colleague, manager):
        assert client_for(user).get(permit_url(paid)).status_code == 200, user


def test_others_are_told_the_booking_does_not_exist(paid, stranger, other_manager):
    for user in (stranger, other_manager):
        assert client_for(user).get(permit_url(paid)).status_code == 404, user
    assert not IssuedPaper.objects.exists()


def test_an_anonymous_visitor_is_asked_to_sign_in(paid, client):
    response = client.get(permit_url(paid))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_pdf_is_rendered_in_the_active_language_only(paid, member_client):
    # The request's language, not the server's: a Korean reader's permit after an English page.
    with translation.override("en"):
        text = flat(pdf_text(member_client.get(permit_url(paid))))

    assert "사용허가서" in text
