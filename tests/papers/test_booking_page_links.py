"""The booking page links the papers the booking has (``{% booking_papers %}``), without a query of its own."""

import pytest
from django.template import Context, Template

from bookings import services
from tests.rental.factories import client_for

pytestmark = pytest.mark.django_db


def test_a_paid_booking_links_its_permit_and_receipt(paid, member_client, manager):
    for client in (member_client, client_for(manager)):
        body = client.get(paid.get_absolute_url()).content.decode()

        assert f'href="/papers/bookings/{paid.pk}/permit.pdf"' in body
        assert "사용허가서 (PDF)" in body or "Usage permit (PDF)" in body
        assert f'href="/papers/bookings/{paid.pk}/receipt.pdf"' in body
        assert "refund-receipt.pdf" not in body


def test_a_pending_booking_links_no_paper(pending, member_client):
    body = member_client.get(pending.get_absolute_url()).content.decode()

    assert "/papers/" not in body


def test_a_refunded_booking_links_the_refund_receipt_and_no_permit(paid, member, manager, member_client):
    services.cancel_booking(booking=paid, user=member)
    services.record_refund(booking=paid, manager=manager)

    body = member_client.get(paid.get_absolute_url()).content.decode()

    assert "permit.pdf" not in body
    assert f'href="/papers/bookings/{paid.pk}/receipt.pdf"' in body
    assert f'href="/papers/bookings/{paid.pk}/refund-receipt.pdf"' in body
    assert "환불 영수증 (PDF)" in body


def test_the_links_cost_no_query(paid, django_assert_num_queries):
    template = Template("{% load papers %}{% booking_papers booking %}")

    with django_assert_num_queries(0):
        html = template.render(Context({"booking": paid}))

    assert "permit.pdf" in html
