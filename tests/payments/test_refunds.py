"""Cancelling a booking paid through Toss refunds it through Toss: by the facility's tiers when the booker
cancels (a partial cancelAmount), in full when the facility does (a manager, a closure). The refund is written
to an outbox in the cancellation's transaction, sent with its own Idempotency-Key, retried while Toss fails,
shown to the manager until it succeeds, and recorded on the booking once."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from audit.models import AuditEntry
from bookings import services as booking_services
from bookings.models import Booking
from payments import services
from payments.models import TossOrder, TossRefund
from tests.factories import ClosureFactory, seoul
from tests.payments.conftest import AMOUNT, START


def pay(toss, client, booking, method="카드") -> TossOrder:
    assert client.get(f"/payments/booking/{booking.pk}/pay/").status_code == 200
    order = TossOrder.objects.latest("pk")
    key = toss.authenticate(order_id=order.order_id, amount=order.amount, method=method)
    query = {"paymentType": "NORMAL", "orderId": order.order_id, "paymentKey": key, "amount": order.amount}
    client.get(f"/payments/toss/success/?{urlencode(query)}")
    order.refresh_from_db()
    return order


@pytest.fixture
def paid_online(toss, unpaid, member_client) -> TossOrder:
    order = pay(toss, member_client, unpaid)
    assert order.status == TossOrder.Status.DONE
    return order


def cancel(client, booking, reason=""):
    return client.post(f"/bookings/{booking.pk}/cancel/", {"reason": reason})


def refunds_recorded(booking) -> int:
    return AuditEntry.objects.filter(action="booking.refunded", target_id=booking.pk).count()


@pytest.mark.parametrize(
    ("moment", "refund"),
    [
        (seoul(2026, 12, 1, 9), AMOUNT),  # 13 days before: 100%
        (seoul(2026, 12, 7, 12), AMOUNT),  # 7 days before: 100%
        (seoul(2026, 12, 8, 9), 27_000),  # 6 days before: 90%
        (seoul(2026, 12, 11, 23, 59), 27_000),  # 3 days before: 90%
        (seoul(2026, 12, 12, 9), 21_000),  # 2 days before: 70%
        (seoul(2026, 12, 13, 18), 21_000),  # the day before: 70%
    ],
    ids=["13-days", "7-days", "6-days", "3-days", "2-days", "1-day"],
)
def test_the_booker_cancelling_is_refunded_through_toss_by_the_tiers(
    toss, paid_online, unpaid, member_client, clock, run_on_commit, moment, refund
):
    clock.move_to(moment)

    with run_on_commit():
        response = cancel(member_client, unpaid)

    assert response.status_code == 302
    [call] = toss.calls_to("cancel")
    assert call.path == f"/v1/payments/{paid_online.payment_key}/cancel"
    assert call.body["cancelAmount"] == refund
    assert call.body["cancelReason"]
    row = TossRefund.objects.get(booking=unpaid)
    assert call.idempotency_key == row.idempotency_key
    assert row.status == TossRefund.Status.DONE
    assert row.amount == refund
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.REFUNDED
    assert unpaid.refund_amount == refund
    assert refunds_recorded(unpaid) == 1
    payment = toss.payments[paid_online.payment_key]
    assert payment["balanceAmount"] == AMOUNT - refund
    assert payment["status"] == ("CANCELED" if refund == AMOUNT else "PARTIAL_CANCELED")
    paid_online.refresh_from_db()
    assert paid_online.balance_amount == AMOUNT - refund


def test_cancelling_on_the_day_refunds_nothing_and_asks_toss_nothing(
    toss, paid_online, unpaid, member_client, clock, run_on_commit
):
    clock.move_to(seoul(2026, 12, 14, 8))

    with run_on_commit():
        cancel(member_client, unpaid)

    assert toss.calls_to("cancel") == []
    assert not TossRefund.objects.exists()
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.PAID


def test_the_manager_cancelling_refunds_in_full(toss, paid_online, unpaid, manager_client, clock, run_on_commit):
    clock.move_to(seoul(2026, 12, 13, 18))  # the booker would get 70%

    with run_on_commit():
        cancel(manager_client, unpaid, reason="시설 점검")

    [call] = toss.calls_to("cancel")
    assert call.body == {"cancelReason": "시설 점검", "cancelAmount": AMOUNT}
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.REFUNDED


def test_a_closure_refunds_in_full(toss, paid_online, unpaid, manager, clock, run_on_commit):
    clock.move_to(seoul(2026, 12, 12, 9))
    closure = ClosureFactory(
        space=unpaid.space, start=START - timedelta(hours=1), end=START + timedelta(hours=3), created_by=manager
    )

    with run_on_commit():
        booking_services.cancel_bookings_hit_by_closure(closure=closure, manager=manager)

    assert toss.calls_to("cancel")[0].body["cancelAmount"] == AMOUNT
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.REFUNDED


def test_toss_failing_the_refund_is_retried_never_a_500_and_recorded_once(
    toss, paid_online, unpaid, member_client, manager_client, clock, run_on_commit
):
    clock.move_to(seoul(2026, 12, 8, 9))
    toss.fail("cancel", status=500, times=2)

    with run_on_commit():
        response = cancel(member_client, unpaid)

    assert response.status_code == 302
    row = TossRefund.objects.get(booking=unpaid)
    assert row.status == TossRefund.Status.PENDING
    assert row.attempts == 1
    assert "FAILED_INTERNAL_SYSTEM_PROCESSING" in row.last_error
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.REFUND_DUE
    # The manager sees it, highlighted, until it succeeds.
    page = manager_client.get("/manage/payments/online/").content.decode()
    assert 'class="needs-attention"' in page
    assert paid_online.order_id in page

    # Not due yet; then Toss fails again; then it succeeds.
    assert services.send_due_refunds() == 0
    clock.shift(timedelta(minutes=1))
    assert services.send_due_refunds() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (TossRefund.Status.PENDING, 2)
    clock.shift(timedelta(minutes=2))
    assert services.send_due_refunds() == 1

    row.refresh_from_db()
    assert row.status == TossRefund.Status.DONE
    assert {call.idempotency_key for call in toss.calls_to("cancel")} == {row.idempotency_key}
    assert len(toss.calls_to("cancel")) == 3
    assert toss.payments[paid_online.payment_key]["cancels"][0]["cancelAmount"] == 27_000
    assert len(toss.payments[paid_online.payment_key]["cancels"]) == 1
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.REFUNDED
    assert refunds_recorded(unpaid) == 1
    clock.shift(timedelta(hours=2))
    assert services.send_due_refunds() == 0
    assert 'class="needs-attention"' not in manager_client.get("/manage/payments/online/").content.decode()


def test_a_refund_whose_answer_was_lost_is_sent_again_and_refunds_once(
    toss, paid_online, unpaid, member_client, clock, run_on_commit
):
    toss.slow("cancel", seconds=2)

    with run_on_commit():
        cancel(member_client, unpaid)

    row = TossRefund.objects.get(booking=unpaid)
    assert row.status == TossRefund.Status.PENDING
    clock.shift(timedelta(minutes=1))
    services.send_due_refunds()

    row.refresh_from_db()
    assert row.status == TossRefund.Status.DONE
    assert len(toss.payments[paid_online.payment_key]["cancels"]) == 1
    assert refunds_recorded(unpaid) == 1


def test_a_refund_toss_refuses_waits_for_the_manager_who_sends_it_again(
    toss, paid_online, unpaid, member_client, manager_client, run_on_commit
):
    toss.fail("cancel", status=403, code="NOT_CANCELABLE_PAYMENT")
    with run_on_commit():
        cancel(member_client, unpaid)
    row = TossRefund.objects.get(booking=unpaid)
    assert row.status == TossRefund.Status.FAILED
    assert "취소 할 수 없는 결제 입니다." in row.last_error
    page = manager_client.get("/manage/payments/online/").content.decode()
    assert "취소 할 수 없는 결제 입니다." in page
    assert f"/manage/payments/online/refunds/{row.pk}/retry/" in page

    with run_on_commit():
        response = manager_client.post(f"/manage/payments/online/refunds/{row.pk}/retry/")

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == TossRefund.Status.DONE
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.REFUNDED


def test_another_facilitys_manager_cannot_send_a_refund_again(
    toss, paid_online, unpaid, member_client, other_manager, client, run_on_commit
):
    toss.fail("cancel", status=403, code="NOT_CANCELABLE_PAYMENT")
    with run_on_commit():
        cancel(member_client, unpaid)
    row = TossRefund.objects.get(booking=unpaid)
    client.force_login(other_manager)

    assert client.post(f"/manage/payments/online/refunds/{row.pk}/retry/").status_code == 403
    row.refresh_from_db()
    assert row.status == TossRefund.Status.FAILED


def test_a_refund_marked_by_hand_before_it_was_sent_is_not_sent(
    toss, paid_online, unpaid, member_client, manager, clock, run_on_commit
):
    toss.fail("cancel", status=500)
    with run_on_commit():
        cancel(member_client, unpaid)
    booking_services.record_refund(booking=unpaid, manager=manager)

    clock.shift(timedelta(minutes=5))
    services.send_due_refunds()

    row = TossRefund.objects.get(booking=unpaid)
    assert row.status == TossRefund.Status.MANUAL
    assert toss.payments[paid_online.payment_key]["cancels"] is None
    assert refunds_recorded(unpaid) == 1


def test_a_booking_paid_by_transfer_is_refunded_by_hand_as_before(toss, unpaid, member_client, manager, run_on_commit):
    booking_services.record_payment(booking=unpaid, manager=manager, reference="계좌이체")

    with run_on_commit():
        cancel(member_client, unpaid)

    assert not TossRefund.objects.exists()
    assert toss.calls_to("cancel") == []
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.REFUND_DUE


def test_a_virtual_account_payment_is_refunded_by_bank_transfer(toss, unpaid, member_client, client, run_on_commit):
    order = pay(toss, member_client, unpaid, method="가상계좌")
    client.post("/payments/toss/webhook/", data=toss.deposit(order.payment_key), content_type="application/json")
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.PAID

    with run_on_commit():
        cancel(member_client, unpaid)

    row = TossRefund.objects.get(booking=unpaid)
    assert row.status == TossRefund.Status.MANUAL
    assert toss.calls_to("cancel") == []
    assert "시설에서 계좌이체로 돌려드립니다." in member_client.get(unpaid.get_absolute_url()).content.decode()


def test_a_payment_the_booking_no_longer_needed_is_refunded_in_full(toss, unpaid, member, member_client, run_on_commit):
    assert member_client.get(f"/payments/booking/{unpaid.pk}/pay/").status_code == 200
    order = TossOrder.objects.latest("pk")
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    toss.payments[key]["status"] = "DONE"  # approved at Toss while the booker cancelled here
    booking_services.cancel_booking(booking=unpaid, user=member)

    with run_on_commit():
        services.settle(order_pk=order.pk, payment=dict(toss.payments[key]))

    order.refresh_from_db()
    assert order.status == TossOrder.Status.UNNEEDED
    row = TossRefund.objects.get(order=order)
    assert (row.kind, row.amount, row.status) == (TossRefund.Kind.UNNEEDED, AMOUNT, TossRefund.Status.DONE)
    assert toss.payments[key]["status"] == "CANCELED"
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.NOT_REQUIRED
    assert AuditEntry.objects.filter(action="booking.paid", target_id=unpaid.pk).count() == 0
