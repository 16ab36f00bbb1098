"""The payments page and the booking API list run a fixed number of queries, however many paid bookings."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking
from tenants.models import Organization
from tests.factories import BookingFactory, OrganizationFactory, seoul
from tests.rental.factories import PaidSpaceFactory, member_of

SMALL, LARGE = 2, 20


@pytest.fixture
def grow(town, art_center, member, manager):
    """Paid bookings of the member's organization at both facilities: most approved and unpaid (some
    overdue), one in five paid and refunded in part after a cancellation, each with a reduction."""
    rooms = [PaidSpaceFactory(facility=town), PaidSpaceFactory(facility=town), PaidSpaceFactory(facility=art_center)]
    organization = member.memberships.get().organization
    others = [member_of(OrganizationFactory(kind=Organization.Kind.COOPERATIVE)) for _ in range(2)]

    def grow(total):
        for number in range(Booking.objects.count(), total):
            start = seoul(2026, 12, 7, 9) + timedelta(days=number // 8, hours=number % 8)
            booker = member if number % 3 else others[number % 2]
            refunded = number % 5 == 4
            BookingFactory(
                space=rooms[number % len(rooms)],
                requested_by=booker,
                organization=organization if booker == member else booker.memberships.get().organization,
                start=start,
                end=start + timedelta(hours=1),
                status=Booking.Status.CANCELLED if refunded else Booking.Status.APPROVED,
                decided_by=manager,
                fee=15_000,
                reduction_percent=30,
                reduction_category="social_economy",
                amount_due=10_500,
                payment_status=Booking.PaymentStatus.REFUND_DUE if refunded else Booking.PaymentStatus.UNPAID,
                payment_deadline=seoul(2026, 11, 30, 9) + timedelta(days=number % 4),
                refund_amount=9_450 if refunded else None,
                cancelled_at=seoul(2026, 12, 1, 8) if refunded else None,
            )
        assert Booking.objects.count() == total

    return grow


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:1000]
    return len(queries), response


def _counts_at_both_sizes(grow, client, url):
    grow(SMALL)
    client.get(url)  # warm up: the session and the content types are loaded once
    small, _ = _count(client, url)
    grow(LARGE)
    large, response = _count(client, url)
    return small, large, response


def test_the_payments_page_uses_a_fixed_number_of_queries(grow, manager_client):
    small, large, response = _counts_at_both_sizes(grow, manager_client, "/manage/payments/")

    body = response.content.decode()
    assert (
        body.count("Mark paid")
        == Booking.objects.filter(space__facility__slug="innovation-town", payment_status="unpaid").count()
    )
    assert "Overdue" in body
    assert "9,450 / 10,500" in body
    assert small == large
    assert large <= 10 + 1  # and the manager tabs' count of bookings awaiting approval


@pytest.mark.parametrize("who", ["member", "manager"])
def test_the_booking_api_list_with_fees_uses_a_fixed_number_of_queries(grow, who, member, member_api, manager_api):
    client = member_api if who == "member" else manager_api
    visible = (
        Booking.objects.filter(organization__memberships__user=member)
        if who == "member"
        else Booking.objects.filter(space__facility__slug="innovation-town")
    )

    small, large, response = _counts_at_both_sizes(grow, client, "/api/v1/bookings/")

    results = response.json()["results"]
    assert sorted(b["id"] for b in results) == sorted(visible.values_list("pk", flat=True))
    assert 0 < len(results) < LARGE
    assert {(b["fee"], b["reduction_percent"], b["amount_due"]) for b in results} == {(15_000, 30, 10_500)}
    assert {b["payment_status"] for b in results} == {"unpaid", "refund_due"}
    assert small == large
    assert large <= 4
