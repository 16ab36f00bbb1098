"""Toss's webhooks and virtual accounts: a deposit marks the booking paid once, replays and forgeries record
nothing more, the body is never trusted (the payment is read again from Toss), and the answer is 200 for every
event understood, 400 for garbage, never a 500."""

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from audit.models import AuditEntry
from bookings import services as booking_services
from bookings.models import Booking
from payments import services
from payments.models import TossOrder
from tests.payments.conftest import AMOUNT

WEBHOOK = "/payments/toss/webhook/"


def start(client, booking) -> TossOrder:
    assert client.get(f"/payments/booking/{booking.pk}/pay/").status_code == 200
    return TossOrder.objects.latest("pk")


def success(client, order, payment_key):
    query = {"paymentType": "NORMAL", "orderId": order.order_id, "paymentKey": payment_key, "amount": order.amount}
    return client.get(f"/payments/toss/success/?{urlencode(query)}")


def post(client, body):
    data = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    return client.post(WEBHOOK, data=data, content_type="application/json")


def payments_recorded(booking) -> int:
    return AuditEntry.objects.filter(action="booking.paid", target_id=booking.pk).count()


@pytest.fixture
def virtual_account(toss, unpaid, member_client):
    """The member chose a virtual account: issued, waiting for the deposit."""
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT, method="가상계좌")
    response = success(member_client, order, key)
    order.refresh_from_db()
    return order, key, response


def test_a_virtual_account_shows_where_to_deposit_and_leaves_the_booking_unpaid(virtual_account, unpaid, member_client):
    order, _key, response = virtual_account

    page = response.content.decode()
    assert "입금을 기다리고 있습니다" in page
    assert "우리은행" in page
    assert order.account_number in page
    assert "정창업" in page
    assert order.deposit_due is not None
    assert order.deposit_due.strftime("%Y-%m-%d") in page
    assert order.status == TossOrder.Status.WAITING_FOR_DEPOSIT
    assert order.deposit_secret
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.UNPAID
    # The booking page shows the account instead of another "pay" button; a second checkout is refused.
    booking_page = member_client.get(unpaid.get_absolute_url()).content.decode()
    assert order.account_number in booking_page
    assert f"/payments/booking/{unpaid.pk}/pay/" not in booking_page
    assert member_client.get(f"/payments/booking/{unpaid.pk}/pay/").status_code == 409


def test_the_deposit_callback_marks_the_booking_paid_once_even_replayed(toss, virtual_account, unpaid, client):
    order, key, _response = virtual_account
    callback = toss.deposit(key)

    answers = [post(client, callback) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.PAID
    assert payments_recorded(unpaid) == 1
    order.refresh_from_db()
    assert order.status == TossOrder.Status.DONE
    # The first was checked with Toss by the payment's key; the replays were known already.
    assert [call.path for call in toss.calls_to("get")] == [f"/v1/payments/{key}"]


def test_the_status_changed_webhook_of_a_deposit_marks_the_booking_paid_once(toss, virtual_account, unpaid, client):
    _order, key, _response = virtual_account
    toss.deposit(key)
    event = toss.status_changed(key)

    assert post(client, event).status_code == 200
    assert post(client, event).status_code == 200

    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.PAID
    assert payments_recorded(unpaid) == 1


def test_a_forged_status_changed_webhook_records_nothing(toss, virtual_account, unpaid, client):
    order, key, _response = virtual_account
    forged = toss.status_changed(key)
    forged["data"]["status"] = "DONE"  # Toss itself still waits for the deposit

    assert post(client, forged).status_code == 200

    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.UNPAID
    order.refresh_from_db()
    assert order.status == TossOrder.Status.WAITING_FOR_DEPOSIT
    assert payments_recorded(unpaid) == 0


def test_a_deposit_callback_with_a_wrong_secret_is_refused(toss, virtual_account, unpaid, client):
    _order, key, _response = virtual_account
    callback = toss.deposit(key)
    callback["secret"] = "ps_forged"

    assert post(client, callback).status_code == 400

    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.UNPAID


def test_a_webhook_naming_a_payment_toss_does_not_know_is_refused(toss, unpaid, member_client, client):
    order = start(member_client, unpaid)
    forged = {
        "eventType": "PAYMENT_STATUS_CHANGED",
        "createdAt": "2026-12-01T09:00:00.000000",
        "data": {"paymentKey": "tcard_forged", "orderId": order.order_id, "status": "DONE", "totalAmount": AMOUNT},
    }

    assert post(client, forged).status_code == 400

    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.UNPAID
    order.refresh_from_db()
    assert order.payment_key is None


def test_a_webhook_that_comes_before_the_success_redirect_records_once(toss, unpaid, member_client, client):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    # The site's confirmation got no answer, but Toss approved it and says so by webhook.
    toss.slow("confirm", seconds=2)
    assert "결제 확인 중" in success(member_client, order, key).content.decode()
    assert toss.payments[key]["status"] == "DONE"

    assert post(client, toss.status_changed(key)).status_code == 200
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.PAID

    # The booker reloads the success page: the payment is shown, not confirmed or recorded again.
    assert "결제 완료" in success(member_client, order, key).content.decode()
    assert payments_recorded(unpaid) == 1
    assert len(toss.calls_to("confirm")) == 1


def test_a_webhook_for_an_order_still_in_checkout_is_read_from_toss(toss, unpaid, member_client, client):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    toss.payments[key]["status"] = "DONE"  # approved at Toss (the site's confirmation was lost on the way)

    assert post(client, toss.status_changed(key)).status_code == 200

    order.refresh_from_db()
    assert order.status == TossOrder.Status.DONE
    assert order.payment_key == key
    assert "결제 완료" in success(member_client, order, key).content.decode()
    assert payments_recorded(unpaid) == 1


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe",
        "[]",
        "{}",
        json.dumps({"eventType": "PAYMENT_STATUS_CHANGED"}),
        json.dumps({"eventType": "PAYMENT_STATUS_CHANGED", "data": {"orderId": 5}}),
        json.dumps({"eventType": None, "data": {}}),
    ],
)
def test_garbage_is_a_400_never_a_500(toss, db, client, body):
    assert post(client, body).status_code == 400


def test_events_of_other_kinds_and_unknown_orders_are_answered_200(toss, db, client):
    assert post(client, {"eventType": "PAYOUT_STATUS_CHANGED", "data": {}}).status_code == 200
    unknown = {"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": "k", "orderId": "nobody-here"}}
    assert post(client, unknown).status_code == 200
    assert toss.calls == []


def test_the_webhook_takes_only_posts(toss, client):
    assert client.get(WEBHOOK).status_code == 405


def test_a_webhook_while_toss_is_down_is_answered_200_and_checked_later(toss, virtual_account, unpaid, client, clock):
    _order, key, _response = virtual_account
    callback = toss.deposit(key)
    toss.fail("get", status=500)

    assert post(client, callback).status_code == 200
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.UNPAID

    services.check_open_orders()

    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.PAID
    assert payments_recorded(unpaid) == 1


def test_the_check_finds_a_deposit_whose_webhook_was_lost(toss, virtual_account, unpaid, clock):
    _order, key, _response = virtual_account
    toss.deposit(key)

    clock.shift(timedelta(hours=1, minutes=1))
    services.check_open_orders()

    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.PAID


def test_a_virtual_account_of_a_cancelled_booking_is_closed_at_toss(toss, virtual_account, unpaid, member, clock):
    order, key, _response = virtual_account
    booking_services.cancel_booking(booking=unpaid, user=member)

    clock.shift(timedelta(hours=1, minutes=1))
    services.check_open_orders()

    order.refresh_from_db()
    assert order.status == TossOrder.Status.EXPIRED
    assert toss.payments[key]["status"] == "CANCELED"
    assert toss.calls_to("cancel")[0].body == {"cancelReason": "예약에 더 이상 필요하지 않은 결제입니다."}
