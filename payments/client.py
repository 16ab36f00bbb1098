"""A small client of Toss Payments' REST API v1 (docs.tosspayments.com), over the standard library.

Every call authenticates with HTTP Basic, the secret key as the user name and an empty password, and every
POST carries an ``Idempotency-Key``: Toss answers a repeated key with the first answer, so a request whose
answer was lost can be sent again with the same key without paying or refunding twice.

Failures are told apart by what they mean for the money:

- ``TossUnavailable``: no usable answer (a timeout, a refused connection, a 5xx, a request still being
  processed). ``sent`` says whether the request may have reached Toss: after a read timeout a confirmation
  may have gone through, so the order is checked later instead of being called failed.
- ``TossRefused``: Toss answered 4xx with its ``{"code", "message"}``; the message is written for people
  (in Korean) and is shown to them.
"""

import base64
import json
import logging
import ssl
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from urllib.parse import quote, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

# An answer larger than this is not a payment: it is read no further.
MAX_ANSWER_BYTES = 1_000_000
# Toss's codes that ask to try again later although they come with a 4xx status.
RETRY_LATER_CODES = {"IDEMPOTENT_REQUEST_PROCESSING", "FORBIDDEN_CONSECUTIVE_REQUEST", "PROVIDER_ERROR"}


class TossError(Exception):
    def __init__(self, message: str, *, code: str = "", status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class TossUnavailable(TossError):
    """No usable answer; ``sent``: the request may have reached Toss (its outcome is unknown)."""

    def __init__(self, message: str, *, code: str = "", status: int | None = None, sent: bool = True):
        super().__init__(message, code=code, status=status)
        self.sent = sent


class TossRefused(TossError):
    """Toss answered with an error: 4xx, with its code and a message for people."""


@dataclass(frozen=True)
class TossConfig:
    secret_key: str
    api_base: str
    connect_timeout: float
    read_timeout: float

    @classmethod
    def from_settings(cls) -> "TossConfig":
        return cls(
            secret_key=settings.TOSS_PAYMENTS_SECRET_KEY,
            api_base=settings.TOSS_PAYMENTS_API_BASE,
            connect_timeout=settings.TOSS_PAYMENTS_CONNECT_TIMEOUT,
            read_timeout=settings.TOSS_PAYMENTS_READ_TIMEOUT,
        )


class TossClient:
    """The four calls the site makes; each returns Toss's Payment object as a dict."""

    def __init__(self, config: TossConfig | None = None):
        self.config = config or TossConfig.from_settings()

    # --- the API -----------------------------------------------------------------------------------------
    def confirm(self, *, payment_key: str, order_id: str, amount: int, idempotency_key: str) -> dict:
        """``POST /v1/payments/confirm``: approve what the checkout authenticated."""
        body = {"paymentKey": payment_key, "orderId": order_id, "amount": amount}
        return self._call("POST", "/v1/payments/confirm", body=body, idempotency_key=idempotency_key)

    def cancel(self, *, payment_key: str, reason: str, amount: int | None, idempotency_key: str) -> dict:
        """``POST /v1/payments/{paymentKey}/cancel``: refund ``amount`` (all that is left when None)."""
        body: dict = {"cancelReason": reason[:200]}
        if amount is not None:
            body["cancelAmount"] = amount
        path = f"/v1/payments/{quote(payment_key, safe='')}/cancel"
        return self._call("POST", path, body=body, idempotency_key=idempotency_key)

    def payment(self, payment_key: str) -> dict:
        """``GET /v1/payments/{paymentKey}``."""
        return self._call("GET", f"/v1/payments/{quote(payment_key, safe='')}")

    def payment_of_order(self, order_id: str) -> dict:
        """``GET /v1/payments/orders/{orderId}``."""
        return self._call("GET", f"/v1/payments/orders/{quote(order_id, safe='')}")

    # --- the wire ----------------------------------------------------------------------------------------
    def _headers(self, idempotency_key: str | None) -> dict:
        token = base64.b64encode(f"{self.config.secret_key}:".encode()).decode("ascii")
        headers = {
            "Authorization": f"Basic {token}",
            "Accept": "application/json",
            "User-Agent": "Dongnam (payments)",
        }
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def _connection(self) -> tuple[HTTPConnection, str]:
        parts = urlsplit(self.config.api_base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TossUnavailable(f"TOSS_PAYMENTS_API_BASE is not an http(s) address: {self.config.api_base!r}")
        if parts.scheme == "https":
            connection = HTTPSConnection(
                parts.hostname,
                parts.port,
                timeout=self.config.connect_timeout,
                context=ssl.create_default_context(),
            )
        else:
            connection = HTTPConnection(parts.hostname, parts.port, timeout=self.config.connect_timeout)
        return connection, parts.path.rstrip("/")

    def _call(self, method: str, path: str, *, body: dict | None = None, idempotency_key: str | None = None) -> dict:
        if method == "POST" and not idempotency_key:
            raise ValueError("Every POST to Toss carries an Idempotency-Key.")
        connection, prefix = self._connection()
        headers = self._headers(idempotency_key)
        payload = None
        if body is not None:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            try:
                connection.connect()
            except (TimeoutError, OSError) as error:
                # Nothing was sent: safe to try again with no doubt about the outcome.
                raise TossUnavailable(f"Toss could not be reached: {error}", code="UNREACHABLE", sent=False) from error
            # The connection is open: from now on wait up to the read timeout for each answer.
            connection.sock.settimeout(self.config.read_timeout)
            try:
                connection.request(method, prefix + path, body=payload, headers=headers)
                response = connection.getresponse()
                raw = response.read(MAX_ANSWER_BYTES + 1)
            except TimeoutError as error:
                raise TossUnavailable("Toss did not answer in time.", code="TIMEOUT", sent=True) from error
            except (OSError, HTTPException) as error:
                raise TossUnavailable(
                    f"The connection to Toss failed: {error}", code="CONNECTION_FAILED", sent=True
                ) from error
        finally:
            connection.close()
        return self._answer(method, path, response.status, raw)

    def _answer(self, method: str, path: str, status: int, raw: bytes) -> dict:
        try:
            data = json.loads(raw.decode("utf-8")) if raw and len(raw) <= MAX_ANSWER_BYTES else None
        except (UnicodeDecodeError, ValueError):
            data = None
        if 200 <= status < 300:
            if not isinstance(data, dict):
                raise TossUnavailable(f"Toss answered {method} {path} with no payment in the body.", status=status)
            return data
        code = str(data.get("code", "")) if isinstance(data, dict) else ""
        message = str(data.get("message", "")) if isinstance(data, dict) else ""
        logger.info("Toss answered %s %s with %s %s: %s", method, path, status, code, message)
        if status >= 500 or status in (408, 429) or code in RETRY_LATER_CODES:
            raise TossUnavailable(message or f"Toss answered {status}.", code=code, status=status)
        raise TossRefused(message or f"Toss refused the request ({status}).", code=code, status=status)


def client() -> TossClient:
    """The client with the current settings (read at each call, so tests can point it elsewhere)."""
    return TossClient()
