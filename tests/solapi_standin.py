"""A stand-in for SOLAPI's send API on loopback, for the KakaoTalk/SMS tests.

It speaks the part of SOLAPI's REST API (v4) the client uses: ``POST /messages/v4/send-many/detail``, checks
the HMAC-SHA256 signature of each request, and answers as SOLAPI does: 200 with ``messageList`` (taken) or
``failedMessageList`` (a message refused), 4xx with ``errorCode``/``errorMessage``, 5xx. ``accepted`` holds
the messages it took, in order. A test plans its faults: ``fail_next`` (5xx, timeout, 4xx answers to come),
``refuse_kakao`` (every 알림톡 refused), ``stall_at`` (the n-th message hangs until released, never taken).
"""

import hashlib
import hmac
import json
import re
import threading
import time
from datetime import datetime

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from common.solapi import SEND_PATH, byte_length

API_KEY = "NCSLOOPBACKKEY01"
API_SECRET = "loopback-secret-0123456789abcdef"
SENDER = "055-212-1000"
PF_ID = "KA01PF-LOOPBACK"

_AUTHORIZATION = re.compile(
    r"HMAC-SHA256 apiKey=(?P<key>[^,]+), date=(?P<date>[^,]+), salt=(?P<salt>[^,]+), "
    r"signature=(?P<signature>[0-9a-f]{64})"
)


class SolapiStandIn:
    def __init__(self):
        self.server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        self.accepted: list[dict] = []
        self.requests = 0
        self.refuse_kakao = ""  # a status code: every 알림톡 is refused with it
        self.stall_at = 0  # the n-th message taken hangs instead (counting those taken before)
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.timeout_seconds = 2.0
        self._faults: list[str] = []
        self._lock = threading.Lock()
        self._numbers = 0

    # --- running --------------------------------------------------------------------------------

    def start(self) -> "SolapiStandIn":
        self.server.expect_request(SEND_PATH, method="POST").respond_with_handler(self._handle)
        self.server.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server.is_running():
            self.server.clear()
            self.server.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def configure(self, settings, *, kakao: bool = True, timeout: int = 1) -> None:
        """Point this process's settings at the stand-in."""
        for name, value in self.env(kakao=kakao, timeout=timeout).items():
            setattr(settings, name, int(value) if name == "SOLAPI_TIMEOUT" else value)

    def env(self, *, kakao: bool = True, timeout: int = 1) -> dict[str, str]:
        """The same as environment variables, for another process (a Celery worker)."""
        return {
            "MESSAGING_PROVIDER": "solapi",
            "SOLAPI_API_KEY": API_KEY,
            "SOLAPI_API_SECRET": API_SECRET,
            "SOLAPI_API_BASE": self.url,
            "SOLAPI_SENDER": SENDER,
            "SOLAPI_TIMEOUT": str(timeout),
            "KAKAO_PF_ID": PF_ID if kakao else "",
        }

    # --- planning faults ------------------------------------------------------------------------

    def fail_next(self, *faults: str) -> None:
        """The next requests answer, in order: ``"500"``, ``"503"``, ``"429"``, ``"400"``, ``"401"`` or
        ``"timeout"`` (no answer until after the client's timeout; the message is not taken)."""
        with self._lock:
            self._faults.extend(faults)

    # --- what it took ---------------------------------------------------------------------------

    def of_type(self, kind: str) -> list[dict]:
        return [message for message in self.accepted if message["type"] == kind]

    def references(self) -> list[str]:
        return [message.get("customFields", {}).get("reference", "") for message in self.accepted]

    def texts_to(self, number: str) -> list[str]:
        return [message.get("text", "") for message in self.accepted if message["to"] == number]

    # --- the API --------------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        if not self._signed(request.headers.get("Authorization", "")):
            return _json(401, {"errorCode": "InvalidAPIKey", "errorMessage": "Invalid API key or signature"})
        try:
            body = json.loads(request.get_data(as_text=True))
            message = body["messages"][0]
        except (ValueError, KeyError, IndexError, TypeError):
            return _json(400, {"errorCode": "ValidationError", "errorMessage": "messages is required"})
        with self._lock:
            self.requests += 1
            fault = self._faults.pop(0) if self._faults else ""
        if fault == "timeout":
            time.sleep(self.timeout_seconds)
            return _json(500, {"errorCode": "Timeout", "errorMessage": "too late"})
        if fault in ("500", "503"):
            return _json(int(fault), {"errorCode": "InternalError", "errorMessage": "Temporary failure"})
        if fault == "429":
            return _json(429, {"errorCode": "TooManyRequests", "errorMessage": "Slow down"})
        if fault in ("400", "401"):
            return _json(int(fault), {"errorCode": "ValidationError", "errorMessage": "Refused by the stand-in"})
        problem = _invalid(message)
        if problem:
            return _json(400, {"errorCode": "ValidationError", "errorMessage": problem})
        if message["type"] == "ATA" and self.refuse_kakao:
            return _json(200, self._answer(message, refused=self.refuse_kakao))
        with self._lock:
            stall = self.stall_at and len(self.accepted) + 1 == self.stall_at
            if stall:
                self.stall_at = 0
        if stall:
            self.stalled.set()
            self.release.wait(120)
            return _json(500, {"errorCode": "InternalError", "errorMessage": "stalled"})
        with self._lock:
            self.accepted.append(message)
        return _json(200, self._answer(message))

    def _signed(self, header: str) -> bool:
        match = _AUTHORIZATION.fullmatch(header)
        if match is None or match["key"] != API_KEY:
            return False
        try:
            datetime.fromisoformat(match["date"].replace("Z", "+00:00"))
        except ValueError:
            return False
        expected = hmac.new(API_SECRET.encode(), (match["date"] + match["salt"]).encode(), hashlib.sha256)
        return hmac.compare_digest(expected.hexdigest(), match["signature"])

    def _answer(self, message: dict, *, refused: str = "") -> dict:
        with self._lock:
            self._numbers += 1
            number = self._numbers
        entry = {
            "to": message["to"],
            "from": message["from"],
            "type": message["type"],
            "country": "82",
            "messageId": f"M4VLOOPBACK{number:08d}",
            "accountId": "loopback",
            "statusCode": refused or "2000",
            "statusMessage": "카카오톡을 사용하지 않는 번호입니다." if refused else "정상 접수(이통사로 접수 예정) ",
        }
        return {
            "groupInfo": {
                "groupId": f"G4VLOOPBACK{number:08d}",
                "count": {
                    "total": 1,
                    "registeredSuccess": 0 if refused else 1,
                    "registeredFailed": 1 if refused else 0,
                },
            },
            "failedMessageList": [entry] if refused else [],
            "messageList": [] if refused else [entry],
        }


def _invalid(message: dict) -> str:
    """What SOLAPI would refuse in a message, or ""."""
    if not re.fullmatch(r"01\d{8,9}", message.get("to", "")):
        return "invalid recipient number"
    if not re.fullmatch(r"0\d{8,10}", message.get("from", "")):
        return "invalid sender number"
    kind = message.get("type")
    if kind == "ATA":
        options = message.get("kakaoOptions") or {}
        if options.get("pfId") != PF_ID or not options.get("templateId"):
            return "kakaoOptions.pfId and templateId are required"
        if not all(isinstance(value, str) for value in (options.get("variables") or {}).values()):
            return "variables must be strings"
        return ""
    if kind == "SMS" and byte_length(message.get("text", "")) > 90:
        return "an SMS holds 90 bytes"
    if kind == "LMS" and byte_length(message.get("text", "")) > 2000:
        return "an LMS holds 2000 bytes"
    if kind not in ("SMS", "LMS"):
        return f"unknown type {kind!r}"
    return ""


def _json(status: int, body: dict) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")
