"""Toss's success redirect: the amount is checked against the stored order, the payment is confirmed server-side
and recorded on the booking exactly once, whatever repeats (a reload, a second redirect, a webhook first, the
periodic check); a confirmation Toss does not answer leaves the booking payable until the check settles it."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from audit.models import AuditEntry
from bookings import services as booking_services
from bookings.models import Booking
from payments import services
from payments.models import TossOrder
from tests.payments.conftest import AMOUNT


def start(client, booking) -> TossOrder:
    assert client.get(f"/payments/booking/{booking.pk}/pay/").status_code == 200
    return TossOrder.objects.latest("pk")


def success(client, order, payment_key, amount=None):
    query = {"paymentType": "NORMAL", "orderId": order.order_id, "paymentKey": payment_key}
    query["amount"] = order.amount if amount is None else amount
    return client.get(f"/payments/toss/success/?{urlencode(query)}")


def payments_recorded(booking) -> int:
    return AuditEntry.objects.filter(action="booking.paid", target_id=booking.pk).count()


def test_a_card_payment_is_confirmed_and_recorded_once(toss, unpaid, member_client):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)

    response = success(member_client, order, key)

    assert response.status_code == 200
    page = response.content.decode()
    assert "결제 완료" in page
    assert "30,000원" in page
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.PAID
    assert unpaid.payment_reference == key
    assert unpaid.payment_recorded_by is None
    order.refresh_from_db()
    assert order.status == TossOrder.Status.DONE
    assert order.payment_key == key
    assert order.method == "카드"
    assert order.approved_at is not None
    [confirm] = toss.calls_to("confirm")
    assert confirm.body == {"paymentKey": key, "orderId": order.order_id, "amount": AMOUNT}
    assert confirm.idempotency_key == order.confirm_idempotency_key
    entry = AuditEntry.objects.get(action="booking.paid", target_id=unpaid.pk)
    assert entry.actor is None
    assert entry.after["method"] == "toss"


def test_an_amount_changed_in_the_success_url_is_refused_and_nothing_is_confirmed(toss, unpaid, member_client):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=100)

    response = success(member_client, order, key, amount=100)

    assert response.status_code == 400
    assert "결제 금액이 이 예약의 주문 금액과 다릅니다" in response.content.decode()
    assert toss.calls_to("confirm") == []
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.UNPAID
    assert payments_recorded(unpaid) == 0
    order.refresh_from_db()
    assert order.status == TossOrder.Status.READY
    assert order.payment_key is None


@pytest.mark.parametrize("amount", ["", "abc", "-30000", "0"])
def test_a_missing_or_broken_amount_is_a_400(toss, unpaid, member_client, amount):
    order = start(member_client, unpaid)

    response = member_client.get(f"/payments/toss/success/?orderId={order.order_id}&paymentKey=k&amount={amount}")

    assert response.status_code == 400
    assert toss.calls_to("confirm") == []


def test_a_reload_and_a_second_redirect_record_the_payment_once(toss, unpaid, member_client):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)

    responses = [success(member_client, order, key) for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert all("결제 완료" in response.content.decode() for response in responses)
    assert len(toss.calls_to("confirm")) == 1
    assert payments_recorded(unpaid) == 1


def test_another_persons_order_is_404(toss, unpaid, member_client, stranger, client):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    client.force_login(stranger)

    assert success(client, order, key).status_code == 404
    assert client.get(f"/payments/toss/fail/?orderId={order.order_id}&code=X").status_code == 404
    assert toss.calls_to("confirm") == []


def test_a_confirmation_toss_does_not_answer_in_time_leaves_the_booking_payable_until_the_check(
    toss, unpaid, member_client, clock
):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    toss.slow("confirm", seconds=2)

    response = success(member_client, order, key)

    assert response.status_code == 200
    assert "결제 확인 중" in response.content.decode()
    order.refresh_from_db()
    assert order.status == TossOrder.Status.TO_CHECK
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.UNPAID
    # Still payable: the booking page offers paying, and says a payment is being checked.
    page = member_client.get(unpaid.get_absolute_url()).content.decode()
    assert "결제하기" in page
    assert "토스페이먼츠에 확인하고 있습니다" in page

    # Not due yet: the periodic check leaves it alone.
    assert services.check_open_orders() == 0
    clock.shift(timedelta(minutes=5))
    assert services.check_open_orders() == 1

    order.refresh_from_db()
    assert order.status == TossOrder.Status.DONE
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.PAID
    assert payments_recorded(unpaid) == 1
    # The reload afterwards shows the payment, recorded once.
    assert "결제 완료" in success(member_client, order, key).content.decode()
    assert payments_recorded(unpaid) == 1
    assert services.check_open_orders() == 0


def test_a_confirmation_answered_with_500_is_checked_and_confirmed_again_with_the_same_key(
    toss, unpaid, member_client, clock
):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    toss.fail("confirm", status=500)

    response = success(member_client, order, key)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == TossOrder.Status.TO_CHECK
    assert toss.payments[key]["status"] == "IN_PROGRESS"

    clock.shift(timedelta(minutes=5))
    services.check_open_orders()

    order.refresh_from_db()
    assert order.status == TossOrder.Status.DONE
    keys = [call.idempotency_key for call in toss.calls_to("confirm")]
    assert keys == [order.confirm_idempotency_key, order.confirm_idempotency_key]
    assert payments_recorded(unpaid) == 1


def test_reloading_the_page_of_an_unanswered_confirmation_asks_again(toss, unpaid, member_client):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    toss.fail("confirm", status=503, code="FAILED_INTERNAL_SYSTEM_PROCESSING")
    assert "결제 확인 중" in success(member_client, order, key).content.decode()

    assert "결제 완료" in success(member_client, order, key).content.decode()
    assert payments_recorded(unpaid) == 1


def test_a_refused_confirmation_shows_tosss_reason_and_the_booking_stays_payable(toss, unpaid, member_client):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    toss.fail("confirm", status=403, code="REJECT_CARD_COMPANY")

    page = success(member_client, order, key).content.decode()

    assert "결제가 완료되지 않았습니다" in page
    assert "결제 승인이 거절되었습니다." in page
    order.refresh_from_db()
    assert order.status == TossOrder.Status.FAILED
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.UNPAID
    assert "결제하기" in member_client.get(unpaid.get_absolute_url()).content.decode()


def test_a_booking_cancelled_during_the_checkout_is_not_charged(toss, unpaid, member, member_client):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    booking_services.cancel_booking(booking=unpaid, user=member)

    page = success(member_client, order, key).content.decode()

    assert "결제가 완료되지 않았습니다" in page
    assert toss.calls_to("confirm") == []
    order.refresh_from_db()
    assert order.status == TossOrder.Status.FAILED


def test_a_booking_paid_by_transfer_meanwhile_is_not_charged_twice(toss, unpaid, member_client, manager):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    booking_services.record_payment(booking=unpaid, manager=manager, reference="계좌이체")

    success(member_client, order, key)

    assert toss.calls_to("confirm") == []
    assert payments_recorded(unpaid) == 1


def test_the_fail_redirect_shows_tosss_reason_and_the_booking_stays_payable(toss, unpaid, member_client):
    order = start(member_client, unpaid)

    response = member_client.get(
        "/payments/toss/fail/?"
        + urlencode(
            {
                "code": "PAY_PROCESS_CANCELED",
                "message": "사용자에 의해 결제가 취소되었습니다.",
                "orderId": order.order_id,
            }
        )
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "결제가 완료되지 않았습니다" in page
    assert "결제를 마치기 전에 결제창을 닫았습니다." in page
    assert "사용자에 의해 결제가 취소되었습니다." in page
    assert f'href="/payments/booking/{unpaid.pk}/pay/"' in page
    order.refresh_from_db()
    assert order.status == TossOrder.Status.FAILED
    assert order.failure_code == "PAY_PROCESS_CANCELED"
    unpaid.refresh_from_db()
    assert unpaid.payment_status == Booking.PaymentStatus.UNPAID
    # A new attempt gets a new order.
    assert start(member_client, unpaid).order_id != order.order_id


def test_the_fail_page_escapes_tosss_message(toss, unpaid, member_client):
    response = member_client.get("/payments/toss/fail/?" + urlencode({"code": "X", "message": "<script>x</script>"}))

    assert "<script>x</script>" not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()


def test_without_keys_a_success_redirect_records_nothing(toss, unpaid, member_client, settings):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    settings.TOSS_PAYMENTS_CLIENT_KEY = settings.TOSS_PAYMENTS_SECRET_KEY = ""

    assert success(member_client, order, key).status_code == 409
    assert toss.calls_to("confirm") == []


def test_a_payment_key_of_another_order_is_refused(toss, unpaid, member_client, member, paid_room, manager):
    from tests.rental.factories import book

    other = booking_services.approve_booking(booking=book(member, paid_room, title="두 번째"), manager=manager)
    first = start(member_client, unpaid)
    key = toss.authenticate(order_id=first.order_id, amount=AMOUNT)
    success(member_client, first, key)
    second = start(member_client, other)

    response = success(member_client, second, key)

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.payment_status == Booking.PaymentStatus.UNPAID


def test_a_fail_redirect_after_the_payment_shows_the_payment(toss, unpaid, member_client):
    order = start(member_client, unpaid)
    key = toss.authenticate(order_id=order.order_id, amount=AMOUNT)
    success(member_client, order, key)

    page = member_client.get(f"/payments/toss/fail/?code=PAY_PROCESS_ABORTED&orderId={order.order_id}")

    assert "결제 완료" in page.content.decode()
    order.refresh_from_db()
    assert order.status == TossOrder.Status.DONE
