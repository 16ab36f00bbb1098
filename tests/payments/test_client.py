"""The Toss client speaks API v1 as documented: Basic authentication with the secret key and an empty
password, an Idempotency-Key on every POST, and Toss's errors told apart by what they mean for the money."""

import base64
import socket

import pytest

from payments.client import TossClient, TossConfig, TossRefused, TossUnavailable
from tests.payments.standin import SECRET_KEY


def client_for(base: str, *, read_timeout: float = 1, secret_key: str = SECRET_KEY) -> TossClient:
    return TossClient(TossConfig(secret_key=secret_key, api_base=base, connect_timeout=1, read_timeout=read_timeout))


@pytest.fixture
def api(toss):
    return client_for(toss.base_url)


def test_it_authenticates_with_the_secret_key_and_an_empty_password(toss, api):
    key = toss.authenticate(order_id="dn1-abcdef", amount=10_000)

    payment = api.payment(key)

    assert payment["paymentKey"] == key
    header = toss.calls[-1].headers["Authorization"]
    assert header == "Basic " + base64.b64encode(f"{SECRET_KEY}:".encode()).decode()


def test_a_wrong_secret_key_is_refused_with_tosss_code(toss):
    with pytest.raises(TossRefused) as refused:
        client_for(toss.base_url, secret_key="test_sk_wrong").payment_of_order("dn1-abcdef")

    assert refused.value.code == "UNAUTHORIZED_KEY"
    assert refused.value.status == 401


def test_every_post_carries_an_idempotency_key_and_a_repeat_gets_the_first_answer(toss, api):
    key = toss.authenticate(order_id="dn1-abcdef", amount=10_000)

    first = api.confirm(payment_key=key, order_id="dn1-abcdef", amount=10_000, idempotency_key="confirm-1")
    again = api.confirm(payment_key=key, order_id="dn1-abcdef", amount=10_000, idempotency_key="confirm-1")

    assert first["status"] == again["status"] == "DONE"
    assert [call.idempotency_key for call in toss.calls_to("confirm")] == ["confirm-1", "confirm-1"]
    with pytest.raises(ValueError):
        api._call("POST", "/v1/payments/confirm", body={})


def test_a_partial_cancel_sends_the_reason_and_the_amount(toss, api):
    key = toss.authenticate(order_id="dn1-abcdef", amount=10_000)
    api.confirm(payment_key=key, order_id="dn1-abcdef", amount=10_000, idempotency_key="c")

    payment = api.cancel(payment_key=key, reason="예약 취소", amount=7_000, idempotency_key="r")

    assert toss.calls_to("cancel")[0].body == {"cancelReason": "예약 취소", "cancelAmount": 7_000}
    assert payment["status"] == "PARTIAL_CANCELED"
    assert payment["balanceAmount"] == 3_000
    assert payment["cancels"][0]["cancelAmount"] == 7_000


def test_a_4xx_is_a_refusal_with_tosss_message(toss, api):
    with pytest.raises(TossRefused) as refused:
        api.payment("no-such-key")

    assert refused.value.code == "NOT_FOUND_PAYMENT"
    assert refused.value.message == "존재하지 않는 결제 정보 입니다."


def test_a_5xx_means_try_again_later(toss, api):
    toss.fail("order", status=500)

    with pytest.raises(TossUnavailable) as unavailable:
        api.payment_of_order("dn1-abcdef")

    assert unavailable.value.status == 500
    assert unavailable.value.code == "FAILED_INTERNAL_SYSTEM_PROCESSING"


def test_an_answer_too_late_is_unknown_not_failed(toss, api):
    key = toss.authenticate(order_id="dn1-abcdef", amount=10_000)
    toss.slow("confirm", seconds=1.5)

    with pytest.raises(TossUnavailable) as unavailable:
        api.confirm(payment_key=key, order_id="dn1-abcdef", amount=10_000, idempotency_key="late")

    # The request reached Toss, which approved it: the site must check, not call it failed.
    assert unavailable.value.sent is True
    assert unavailable.value.code == "TIMEOUT"
    assert toss.payments[key]["status"] == "DONE"


def test_a_refused_connection_was_never_sent():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on that port any more.
    with pytest.raises(TossUnavailable) as unavailable:
        client_for(f"http://127.0.0.1:{port}").payment("key")

    assert unavailable.value.sent is False


def test_the_keys_in_paths_are_quoted(toss, api):
    with pytest.raises(TossRefused):
        api.payment("a/../../b c")

    assert toss.calls[-1].raw_path == "/v1/payments/a%2F..%2F..%2Fb%20c"
