"""A stand-in for Toss Payments on loopback: the API v1 endpoints the site calls, with bodies shaped as Toss
documents them (the Payment object, ``{"code", "message"}`` errors), and a checkout script with the SDK v2
surface the payment page uses (``TossPayments(clientKey).payment({customerKey}).requestPayment({...})``),
which "pays" at once and sends the browser to the successUrl as Toss does.

It keeps payments in memory, checks the Basic authentication and the Idempotency-Key of every POST (a repeated
key answers the first answer again), and can be told to fail: ``fail("confirm", status=500)``,
``slow("confirm", seconds=2)`` (Toss approves, but answers after the site stopped waiting).

Outside the tests: ``python -m tests.payments.standin --port 8765`` serves it for a development server
(TOSS_PAYMENTS_API_BASE=http://127.0.0.1:8765, TOSS_PAYMENTS_CHECKOUT_SCRIPT=http://127.0.0.1:8765/v2/standard).
"""

import base64
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

KST = timezone(timedelta(hours=9))
SECRET_KEY = "test_sk_standin0000000000000000"
CLIENT_KEY = "test_ck_standin0000000000000000"

ERRORS = {
    "UNAUTHORIZED_KEY": (401, "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다."),
    "NOT_FOUND_PAYMENT": (404, "존재하지 않는 결제 정보 입니다."),
    "ALREADY_PROCESSED_PAYMENT": (400, "이미 처리된 결제 입니다."),
    "INVALID_REQUEST": (400, "잘못된 요청입니다."),
    "NOT_CANCELABLE_AMOUNT": (400, "취소 할 수 없는 금액 입니다."),
    "NOT_CANCELABLE_PAYMENT": (403, "취소 할 수 없는 결제 입니다."),
    "REJECT_CARD_COMPANY": (403, "결제 승인이 거절되었습니다."),
    "FAILED_INTERNAL_SYSTEM_PROCESSING": (500, "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요."),
}

# The checkout script: the SDK v2 calls toss-checkout.js makes, paying at once.
CHECKOUT_JS = """(function () {
  "use strict";
  window.TossPayments = function (clientKey) {
    if (!clientKey) { throw new Error("clientKey is required"); }
    return {
      payment: function (options) {
        if (!options || !options.customerKey) { throw new Error("customerKey is required"); }
        return {
          requestPayment: function (request) {
            return new Promise(function (resolve, reject) {
              var value = request && request.amount && request.amount.value;
              if (!request.orderId || !request.orderName || !value || !request.successUrl || !request.failUrl) {
                reject({ code: "INVALID_PARAMETERS", message: "필수 파라미터가 누락되었습니다." });
                return;
              }
              var prefix = request.method === "VIRTUAL_ACCOUNT" ? "tva_" : "tcard_";
              var key = prefix + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
              var url = new URL(request.successUrl);
              url.searchParams.set("paymentType", "NORMAL");
              url.searchParams.set("orderId", request.orderId);
              url.searchParams.set("paymentKey", key);
              url.searchParams.set("amount", String(value));
              window.location.href = url.toString();
            });
          }
        };
      }
    };
  };
})();
"""


def _now() -> str:
    return datetime.now(KST).isoformat(timespec="seconds")


@dataclass
class Call:
    method: str
    path: str
    headers: dict
    body: dict | None
    # As sent, before the server decodes it.
    raw_path: str = ""

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")


@dataclass
class Fault:
    status: int = 500
    code: str = "FAILED_INTERNAL_SYSTEM_PROCESSING"
    times: int = 1
    delay: float = 0.0  # > 0: do the work, then answer after this many seconds


@dataclass
class TossStandIn:
    secret_key: str = SECRET_KEY
    # A paymentKey Toss never issued is taken as a checkout just completed (the checkout script's keys).
    auto_authenticate: bool = True
    payments: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)
    faults: dict = field(default_factory=dict)
    _answers: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self._lock:
            self.payments.clear()
            self.calls.clear()
            self.faults.clear()
            self._answers.clear()

    # --- what the tests set up and read ---------------------------------------------------------------------
    def authenticate(self, *, order_id: str, amount: int, method: str = "카드", payment_key: str | None = None) -> str:
        """A checkout completed in Toss's window: the payment waits for the shop's confirmation."""
        key = payment_key or ("tva_" if method == "가상계좌" else "tcard_") + secrets.token_hex(10)
        with self._lock:
            self.payments[key] = self._new_payment(key, order_id, amount, method)
        return key

    def fail(self, endpoint: str, *, status: int = 500, code: str = "", times: int = 1) -> None:
        """The next ``times`` calls of ``endpoint`` (confirm, cancel, get, order) answer this error."""
        code = code or next((c for c, (s, _m) in ERRORS.items() if s == status), "INVALID_REQUEST")
        self.faults[endpoint] = Fault(status=status, code=code, times=times)

    def slow(self, endpoint: str, *, seconds: float, times: int = 1) -> None:
        """The next ``times`` calls of ``endpoint`` are carried out, but answered only after ``seconds``."""
        self.faults[endpoint] = Fault(times=times, delay=seconds)

    def deposit(self, payment_key: str) -> dict:
        """The booker deposits into the virtual account: the payment is done; the DEPOSIT_CALLBACK body."""
        with self._lock:
            payment = self.payments[payment_key]
            payment["status"] = "DONE"
            payment["approvedAt"] = _now()
            payment["virtualAccount"]["settlementStatus"] = "COMPLETED"
            return {
                "createdAt": datetime.now(KST).strftime("%Y-%m-%dT%H:%M:%S.%f"),
                "secret": payment["secret"],
                "status": "DONE",
                "transactionKey": payment["lastTransactionKey"],
                "orderId": payment["orderId"],
            }

    def status_changed(self, payment_key: str) -> dict:
        """The PAYMENT_STATUS_CHANGED webhook body of a payment as it is now."""
        with self._lock:
            return {
                "eventType": "PAYMENT_STATUS_CHANGED",
                "createdAt": _now(),
                "data": dict(self.payments[payment_key]),
            }

    def calls_to(self, endpoint: str) -> list[Call]:
        return [call for call in self.calls if self._endpoint(call.method, call.path)[0] == endpoint]

    def payment_of(self, order_id: str) -> dict | None:
        return next((p for p in self.payments.values() if p["orderId"] == order_id), None)

    # --- the Payment object -------------------------------------------------------------------------------
    def _new_payment(self, key: str, order_id: str, amount: int, method: str) -> dict:
        return {
            "mId": "tosspayments",
            "version": "2022-11-16",
            "lastTransactionKey": secrets.token_hex(16),
            "paymentKey": key,
            "orderId": order_id,
            "orderName": "",
            "taxExemptionAmount": 0,
            "status": "IN_PROGRESS",
            "requestedAt": _now(),
            "approvedAt": None,
            "useEscrow": False,
            "cultureExpense": False,
            "card": None,
            "virtualAccount": None,
            "transfer": None,
            "mobilePhone": None,
            "giftCertificate": None,
            "cashReceipt": None,
            "cashReceipts": None,
            "discount": None,
            "cancels": None,
            "secret": None,
            "type": "NORMAL",
            "easyPay": None,
            "country": "KR",
            "failure": None,
            "isPartialCancelable": True,
            "receipt": {"url": f"https://dashboard.tosspayments.com/receipt/redirection?transactionId={key}"},
            "checkout": {"url": f"https://api.tosspayments.com/v1/payments/{key}/checkout"},
            "currency": "KRW",
            "totalAmount": amount,
            "balanceAmount": amount,
            "suppliedAmount": round(amount / 1.1),
            "vat": amount - round(amount / 1.1),
            "taxFreeAmount": 0,
            "method": method,
        }

    def _approve(self, payment: dict) -> None:
        if payment["method"] == "가상계좌":
            payment["status"] = "WAITING_FOR_DEPOSIT"
            payment["secret"] = "ps_" + secrets.token_hex(12)
            payment["virtualAccount"] = {
                "accountType": "일반",
                "accountNumber": "X6516" + str(secrets.randbelow(10**9)).zfill(9),
                "bankCode": "20",
                "customerName": "정창업",
                "dueDate": (datetime.now(KST) + timedelta(days=1)).isoformat(timespec="seconds"),
                "refundStatus": "NONE",
                "expired": False,
                "settlementStatus": "INCOMPLETED",
                "refundReceiveAccount": None,
            }
        else:
            payment["status"] = "DONE"
            payment["approvedAt"] = _now()
            payment["card"] = {
                "issuerCode": "71",
                "acquirerCode": "71",
                "number": "43301234****123*",
                "installmentPlanMonths": 0,
                "isInterestFree": False,
                "approveNo": str(secrets.randbelow(10**8)).zfill(8),
                "cardType": "신용",
                "ownerType": "개인",
                "acquireStatus": "READY",
                "amount": payment["totalAmount"],
            }

    # --- the server ---------------------------------------------------------------------------------------
    def install(self, server: HTTPServer) -> None:
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @staticmethod
    def _endpoint(method: str, path: str) -> tuple[str, str | None]:
        if method == "GET" and path == "/v2/standard":
            return "script", None
        if method == "POST" and path == "/v1/payments/confirm":
            return "confirm", None
        if match := re.fullmatch(r"/v1/payments/orders/([^/]+)", path):
            return ("order" if method == "GET" else "?"), match.group(1)
        if match := re.fullmatch(r"/v1/payments/([^/]+)/cancel", path):
            return ("cancel" if method == "POST" else "?"), match.group(1)
        if match := re.fullmatch(r"/v1/payments/([^/]+)", path):
            return ("get" if method == "GET" else "?"), match.group(1)
        return "?", None

    def handle(self, request: Request) -> Response:
        endpoint, argument = self._endpoint(request.method, request.path)
        if endpoint == "script":
            return Response(CHECKOUT_JS, content_type="application/javascript; charset=utf-8")
        try:
            body = json.loads(request.get_data(as_text=True)) if request.method == "POST" else None
        except ValueError:
            body = None
        headers = dict(request.headers.items())
        raw_path = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
        call = Call(request.method, request.path, headers, body, raw_path.split("?")[0])
        self.calls.append(call)
        expected = "Basic " + base64.b64encode(f"{self.secret_key}:".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return self._error("UNAUTHORIZED_KEY")
        if endpoint == "?":
            return self._error("NOT_FOUND_PAYMENT")
        if request.method == "POST":
            key = request.headers.get("Idempotency-Key")
            if not key:
                return self._error("INVALID_REQUEST", "Idempotency-Key 헤더가 없습니다.")
            remembered = self._answers.get((endpoint, key))
            if remembered is not None:
                return Response(remembered[1], status=remembered[0], content_type="application/json")
        fault = self.faults.get(endpoint)
        if fault and fault.times > 0:
            fault.times -= 1
            if not fault.delay:
                return self._error(fault.code, status=fault.status)
        status, payload = self._serve(endpoint, argument, body)
        answer = json.dumps(payload, ensure_ascii=False)
        if request.method == "POST" and status < 500:
            self._answers[(endpoint, request.headers["Idempotency-Key"])] = (status, answer)
        if fault and fault.delay:
            time.sleep(fault.delay)
        return Response(answer, status=status, content_type="application/json")

    def _serve(self, endpoint: str, argument: str | None, body: dict | None) -> tuple[int, dict]:
        with self._lock:
            if endpoint == "get":
                payment = self.payments.get(argument)
                return (200, dict(payment)) if payment else self._failure("NOT_FOUND_PAYMENT")
            if endpoint == "order":
                payment = self.payment_of(argument)
                return (200, dict(payment)) if payment else self._failure("NOT_FOUND_PAYMENT")
            if endpoint == "confirm":
                return self._confirm(body or {})
            if endpoint == "cancel":
                return self._cancel(argument, body or {})
        return self._failure("NOT_FOUND_PAYMENT")

    def _confirm(self, body: dict) -> tuple[int, dict]:
        key, order_id, amount = body.get("paymentKey"), body.get("orderId"), body.get("amount")
        if not isinstance(key, str) or not isinstance(order_id, str) or not isinstance(amount, int):
            return self._failure("INVALID_REQUEST")
        payment = self.payments.get(key)
        if payment is None and self.auto_authenticate and key.startswith(("tcard_", "tva_")):
            method = "가상계좌" if key.startswith("tva_") else "카드"
            payment = self.payments[key] = self._new_payment(key, order_id, amount, method)
        if payment is None:
            return self._failure("NOT_FOUND_PAYMENT")
        if payment["orderId"] != order_id or payment["totalAmount"] != amount:
            return self._failure("INVALID_REQUEST")
        if payment["status"] != "IN_PROGRESS":
            return self._failure("ALREADY_PROCESSED_PAYMENT")
        self._approve(payment)
        return 200, dict(payment)

    def _cancel(self, key: str | None, body: dict) -> tuple[int, dict]:
        payment = self.payments.get(key)
        if payment is None:
            return self._failure("NOT_FOUND_PAYMENT")
        reason = body.get("cancelReason")
        if not isinstance(reason, str) or not reason:
            return self._failure("INVALID_REQUEST")
        if payment["status"] == "WAITING_FOR_DEPOSIT" and "cancelAmount" not in body:
            payment["status"] = "CANCELED"
            return 200, dict(payment)
        if payment["status"] not in ("DONE", "PARTIAL_CANCELED"):
            return self._failure("NOT_CANCELABLE_PAYMENT")
        amount = body.get("cancelAmount", payment["balanceAmount"])
        if not isinstance(amount, int) or amount <= 0 or amount > payment["balanceAmount"]:
            return self._failure("NOT_CANCELABLE_AMOUNT")
        payment["balanceAmount"] -= amount
        payment["cancels"] = [
            *(payment["cancels"] or []),
            {
                "transactionKey": secrets.token_hex(16),
                "cancelReason": reason,
                "taxExemptionAmount": 0,
                "canceledAt": _now(),
                "transferDiscountAmount": 0,
                "easyPayDiscountAmount": 0,
                "receiptKey": None,
                "cancelAmount": amount,
                "taxFreeAmount": 0,
                "refundableAmount": payment["balanceAmount"],
                "cancelStatus": "DONE",
                "cancelRequestId": None,
            },
        ]
        payment["status"] = "CANCELED" if payment["balanceAmount"] == 0 else "PARTIAL_CANCELED"
        return 200, dict(payment)

    @staticmethod
    def _failure(code: str, message: str = "") -> tuple[int, dict]:
        status, default = ERRORS[code]
        return status, {"code": code, "message": message or default}

    def _error(self, code: str, message: str = "", *, status: int | None = None) -> Response:
        code_status, payload = (
            self._failure(code, message) if code in ERRORS else (400, {"code": code, "message": message})
        )
        return Response(
            json.dumps(payload, ensure_ascii=False), status=status or code_status, content_type="application/json"
        )


def serve(port: int) -> None:  # pragma: no cover - for a development server
    server = HTTPServer(host="127.0.0.1", port=port, threaded=True)
    TossStandIn().install(server)
    server.start()
    print(f"Toss stand-in on {server.url_for('/')}; secret key {SECRET_KEY}, client key {CLIENT_KEY}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    import argparse

    parser = argparse.ArgumentParser(description="A Toss Payments stand-in on loopback.")
    parser.add_argument("--port", type=int, default=8765)
    serve(parser.parse_args().port)
