"""The database holds the invariants of online payment, whatever the code above it does."""

import pytest
from django.db import IntegrityError, transaction

from bookings import services as booking_services
from bookings.errors import BookingError
from bookings.models import Booking
from payments.models import TossOrder, TossRefund, new_order_id


def order(booking, **fields) -> TossOrder:
    fields.setdefault("order_id", new_order_id(booking.pk))
    fields.setdefault("order_name", "test")
    fields.setdefault("amount", 30_000)
    return TossOrder.objects.create(booking=booking, **fields)


def test_order_ids_are_unique(unpaid):
    first = order(unpaid)
    with pytest.raises(IntegrityError), transaction.atomic():
        order(unpaid, order_id=first.order_id)


def test_payment_keys_are_unique_once_set(unpaid):
    order(unpaid, payment_key="tcard_1")
    order(unpaid)
    order(unpaid)  # two without a key
    with pytest.raises(IntegrityError), transaction.atomic():
        order(unpaid, payment_key="tcard_1")


def test_an_amount_is_positive(unpaid):
    with pytest.raises(IntegrityError), transaction.atomic():
        order(unpaid, amount=0)


def test_a_booking_has_one_paid_order(unpaid):
    order(unpaid, status=TossOrder.Status.DONE)
    order(unpaid, status=TossOrder.Status.FAILED)
    with pytest.raises(IntegrityError), transaction.atomic():
        order(unpaid, status=TossOrder.Status.DONE)


def test_a_bookings_cancellation_is_refunded_once(unpaid):
    paid = order(unpaid, status=TossOrder.Status.DONE, payment_key="tcard_1")
    other = order(unpaid, status=TossOrder.Status.UNNEEDED, payment_key="tcard_2")
    TossRefund.objects.create(booking=unpaid, order=paid, amount=30_000, reason="r")
    with pytest.raises(IntegrityError), transaction.atomic():
        TossRefund.objects.create(booking=unpaid, order=other, amount=1, reason="again")
    # A payment not needed is refunded on its own row, once.
    TossRefund.objects.create(booking=unpaid, order=other, kind=TossRefund.Kind.UNNEEDED, amount=30_000, reason="r")
    with pytest.raises(IntegrityError), transaction.atomic():
        TossRefund.objects.create(booking=unpaid, order=other, kind=TossRefund.Kind.UNNEEDED, amount=1, reason="r")


def test_order_ids_fit_tosss_rules(unpaid):
    import re

    ids = {new_order_id(unpaid.pk) for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{6,64}", order_id) for order_id in ids)


def test_only_a_gateway_records_a_payment_without_a_manager(unpaid):
    with pytest.raises(BookingError) as refused:
        booking_services.record_payment(booking=unpaid, manager=None, reference="x")
    assert refused.value.code == "not_manager"

    booking_services.record_payment(booking=unpaid, manager=None, reference="tcard_1", method="toss")

    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.PAID
