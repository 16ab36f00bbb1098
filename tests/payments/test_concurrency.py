"""At the same moment, two success redirects and a webhook of one payment record it once (PostgreSQL: real
row locks between connections)."""

import threading
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client

from audit.models import AuditEntry
from bookings import services as booking_services
from bookings.models import Booking
from payments.models import TossOrder
from tests.factories import MembershipFactory, UserFactory
from tests.payments.conftest import AMOUNT, START
from tests.rental.factories import PaidSpaceFactory, book

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_redirects_and_webhook_record_one_payment(toss, hall, manager):
    member = MembershipFactory(user=UserFactory(email="member@robots.example")).user
    booking = booking_services.approve_booking(
        booking=book(member, PaidSpaceFactory(facility=hall["innovation-town"]), START, hours=2), manager=manager
    )
    client = Client()
    client.force_login(member)
    assert client.get(f"/payments/booking/{booking.pk}/pay/").status_code == 200
    order = TossOrder.objects.get()
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    toss.slow("confirm", seconds=0.3)  # keep the first confirmation in flight while the others arrive
    query = urlencode({"orderId": order.order_id, "paymentKey": key, "amount": AMOUNT})
    statuses = []

    def redirect():
        try:
            browser = Client()
            browser.force_login(member)
            statuses.append(browser.get(f"/payments/toss/success/?{query}").status_code)
        finally:
            connection.close()

    def webhook():
        try:
            statuses.append(
                Client()
                .post("/payments/toss/webhook/", data=toss.status_changed(key), content_type="application/json")
                .status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=redirect) for _ in range(3)] + [threading.Thread(target=webhook)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200, 200, 200, 200]
    booking.refresh_from_db()
    assert booking.payment_status == Booking.PaymentStatus.PAID
    assert AuditEntry.objects.filter(action="booking.paid", target_id=booking.pk).count() == 1
    assert len(toss.calls_to("confirm")) == 1
    assert TossOrder.objects.get().status == TossOrder.Status.DONE
