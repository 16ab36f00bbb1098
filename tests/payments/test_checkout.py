"""The booker's way to the checkout: the "결제하기" button, the payment page with a new order per attempt, Toss's
script allowed on that page only, and what is refused (no keys, strangers, nothing to pay)."""

import json
import re

from django.urls import reverse

from bookings import services as booking_services
from bookings.models import Booking
from payments.models import TossOrder
from tests.dongnam.test_csp import EXPECTED_POLICY, policy_of
from tests.payments.conftest import AMOUNT


def pay_url(booking) -> str:
    return reverse("payments:pay", args=[booking.pk])


def checkout_of(response) -> dict:
    match = re.search(r'<script id="toss-checkout" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(match.group(1))


def test_the_booking_page_shows_the_pay_button_to_the_booker(toss, unpaid, member_client):
    page = member_client.get(unpaid.get_absolute_url()).content.decode()

    assert "결제하기" in page
    assert f'href="{pay_url(unpaid)}"' in page


def test_without_keys_there_is_no_button_and_the_pay_page_says_online_payment_is_off(no_keys, unpaid, member_client):
    page = member_client.get(unpaid.get_absolute_url()).content.decode()
    assert pay_url(unpaid) not in page
    assert "결제하기" not in page
    # The bank-transfer instructions stay.
    assert 'class="payment-instructions"' in page

    response = member_client.get(pay_url(unpaid))

    assert response.status_code == 409
    assert "온라인 결제를 사용할 수 없습니다" in response.content.decode()
    assert not TossOrder.objects.exists()


def test_a_stranger_gets_404_and_no_button(toss, unpaid, stranger, client):
    client.force_login(stranger)

    assert client.get(pay_url(unpaid)).status_code == 404
    assert not TossOrder.objects.exists()


def test_the_facility_manager_sees_no_pay_button(toss, unpaid, manager_client):
    page = manager_client.get(unpaid.get_absolute_url()).content.decode()

    assert pay_url(unpaid) not in page


def test_a_signed_out_visitor_is_sent_to_sign_in(toss, unpaid, client):
    response = client.get(pay_url(unpaid))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_checkout_page_opens_a_new_order_with_the_amount_due_for_each_attempt(toss, unpaid, member_client):
    first = member_client.get(pay_url(unpaid))
    second = member_client.get(pay_url(unpaid))

    assert first.status_code == second.status_code == 200
    orders = list(TossOrder.objects.order_by("pk"))
    assert len(orders) == 2
    assert orders[0].order_id != orders[1].order_id
    for order in orders:
        assert order.amount == AMOUNT
        assert order.status == TossOrder.Status.READY
        assert 6 <= len(order.order_id) <= 64
        assert re.fullmatch(r"[A-Za-z0-9_-]+", order.order_id)
    checkout = checkout_of(second)
    assert checkout["orderId"] == orders[1].order_id
    assert checkout["amount"] == AMOUNT
    assert checkout["clientKey"].startswith("test_ck_")
    assert checkout["successUrl"] == "http://testserver/payments/toss/success/"
    assert checkout["failUrl"] == "http://testserver/payments/toss/fail/"
    assert checkout["customerKey"].startswith("dn-")
    assert "member@robots.example" not in checkout["customerKey"]
    assert "제품" not in checkout["orderName"] or len(checkout["orderName"]) <= 100
    # The secret key never reaches the page.
    assert "test_sk_" not in second.content.decode()


def test_only_the_checkout_page_may_run_tosss_script(toss, unpaid, member_client):
    checkout = member_client.get(pay_url(unpaid))
    booking_page = member_client.get(unpaid.get_absolute_url())

    host = toss.base_url
    policy = policy_of(checkout)
    assert policy["script-src"] == ["'self'", host]
    assert "https://*.tosspayments.com" in policy["frame-src"]
    assert "https://*.tosspayments.com" in policy["connect-src"]
    assert "'unsafe-inline'" not in checkout["Content-Security-Policy"]
    page = checkout.content.decode()
    assert f'<script src="{toss.base_url}/v2/standard" defer></script>' in page
    assert "/static/js/toss-checkout.js" in page
    assert policy_of(booking_page) == EXPECTED_POLICY
    assert host not in booking_page["Content-Security-Policy"]


def test_with_tosss_own_script_the_policy_names_tosss_hosts(toss, settings, unpaid, member_client):
    settings.TOSS_PAYMENTS_CHECKOUT_SCRIPT = "https://js.tosspayments.com/v2/standard"

    policy = policy_of(member_client.get(pay_url(unpaid)))

    assert policy["script-src"] == ["'self'", "https://js.tosspayments.com"]
    assert policy["frame-src"] == ["https://*.tosspayments.com"]
    assert policy["connect-src"] == ["'self'", "https://*.tosspayments.com"]


def test_a_booking_with_nothing_to_pay_has_no_checkout(toss, unpaid, member, member_client, manager):
    booking_services.record_payment(booking=unpaid, manager=manager, reference="계좌이체")

    assert member_client.get(pay_url(unpaid)).status_code == 409
    assert pay_url(unpaid) not in member_client.get(unpaid.get_absolute_url()).content.decode()


def test_a_pending_booking_cannot_be_paid_yet(toss, member, paid_room, member_client):
    from tests.rental.factories import book

    pending = book(member, paid_room, title="대기 중")
    assert pending.status == Booking.Status.PENDING

    assert member_client.get(pay_url(pending)).status_code == 409
    assert not TossOrder.objects.exists()
