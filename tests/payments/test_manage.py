"""The manager's online payments and refunds: their facilities, a month, Toss's keys, a CSV export; the existing
payments page links to it."""

import csv
import io
from urllib.parse import urlencode

import pytest

from payments import services
from payments.models import TossOrder
from tests.factories import seoul
from tests.payments.conftest import AMOUNT

PAGE = "/manage/payments/online/"


def pay(toss, client, booking) -> TossOrder:
    assert client.get(f"/payments/booking/{booking.pk}/pay/").status_code == 200
    order = TossOrder.objects.latest("pk")
    key = toss.authenticate(order_id=order.order_id, amount=order.amount)
    query = {"paymentType": "NORMAL", "orderId": order.order_id, "paymentKey": key, "amount": order.amount}
    client.get(f"/payments/toss/success/?{urlencode(query)}")
    order.refresh_from_db()
    return order


@pytest.fixture
def paid_online(toss, unpaid, member_client):
    return pay(toss, member_client, unpaid)


def test_the_manager_sees_the_months_payments_with_tosss_keys(toss, paid_online, manager_client):
    response = manager_client.get(PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "온라인 결제" in page
    assert paid_online.order_id in page
    assert paid_online.payment_key in page
    assert "30,000" in page
    assert "제품 발표회" in page


def test_another_month_shows_nothing_of_this_one(toss, paid_online, manager_client):
    page = manager_client.get(PAGE + "?month=2026-11").content.decode()

    assert paid_online.order_id not in page
    assert "이 달의 온라인 결제가 없습니다." in page


def test_an_open_checkout_is_not_listed_as_a_payment(toss, unpaid, member_client, manager_client):
    member_client.get(f"/payments/booking/{unpaid.pk}/pay/")

    assert TossOrder.objects.latest("pk").order_id not in manager_client.get(PAGE).content.decode()


def test_the_manager_of_another_facility_sees_none_of_it(toss, paid_online, other_manager, client):
    client.force_login(other_manager)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert paid_online.order_id not in response.content.decode()
    assert client.get(PAGE + "?facility=innovation-town").status_code == 403


def test_members_may_not_open_it(toss, member_client):
    assert member_client.get(PAGE).status_code == 403


def test_a_bad_month_is_a_400(toss, manager_client, db):
    assert manager_client.get(PAGE + "?month=december").status_code == 400


def test_the_csv_lists_payments_and_refunds_with_tosss_keys(
    toss, paid_online, unpaid, member_client, manager_client, run_on_commit
):
    with run_on_commit():
        member_client.post(f"/bookings/{unpaid.pk}/cancel/", {"reason": ""})

    response = manager_client.get(PAGE + "?month=2026-12&format=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="online-payments-2026-12.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, payment, refund = rows
    assert "주문번호" in header and "결제 키" in header
    assert payment[header.index("주문번호")] == paid_online.order_id
    assert payment[header.index("결제 키")] == paid_online.payment_key
    assert payment[header.index("금액 (원)")] == str(AMOUNT)
    assert refund[header.index("금액 (원)")] == str(-AMOUNT)
    assert refund[header.index("주문번호")] == paid_online.order_id


def test_a_refund_still_due_is_shown_in_later_months(toss, paid_online, unpaid, member_client, manager, client, clock):
    toss.fail("cancel", status=500)
    member_client.post(f"/bookings/{unpaid.pk}/cancel/", {"reason": ""})
    services.send_due_refunds()
    clock.move_to(seoul(2027, 1, 3, 9))
    client.force_login(manager)

    page = client.get(PAGE).content.decode()

    assert 'class="needs-attention"' in page
    assert paid_online.order_id in page


def test_the_payments_page_links_to_the_online_payments(toss, manager_client, db):
    page = manager_client.get("/manage/payments/").content.decode()

    assert f'href="{PAGE}"' in page
    assert "온라인 결제·환불 (토스페이먼츠)" in page


def test_without_keys_the_page_says_online_payment_is_off(no_keys, manager_client, db):
    page = manager_client.get(PAGE).content.decode()

    assert "온라인 결제가 꺼져 있습니다" in page
