"""A small client of SOLAPI's messaging REST API (v4): KakaoTalk 알림톡 (ATA), SMS and LMS.

Each call sends one message: ``POST {SOLAPI_API_BASE}/messages/v4/send-many/detail`` with
``{"messages": [...]}``, signed by ``Authorization: HMAC-SHA256 apiKey=…, date=…, salt=…, signature=…`` (the
hex HMAC-SHA256 of the date followed by the salt, keyed with the API secret). SOLAPI answers 200 with the
message either registered (``messageList``) or refused (``failedMessageList``, with its status code), 4xx with
``errorCode`` and ``errorMessage`` when it refuses the request itself, and 5xx when it is in trouble.

The errors tell the outbox what to do: ``Unavailable`` (5xx, 429, a timeout, no connection) is worth
retrying later; ``Rejected`` (4xx, a message refused) would be refused again. Written on the standard library
rather than SOLAPI's SDK, whose calls raise the same bare ``Exception`` for both and which would bring httpx and
pydantic for one POST.
"""

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

SEND_PATH = "/messages/v4/send-many/detail"
# An SMS holds 90 bytes of EUC-KR (45 Korean characters); longer texts go as LMS, up to 2,000 bytes.
SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000
# An LMS subject holds 40 bytes.
LMS_SUBJECT_MAX_BYTES = 40


class MessagingError(Exception):
    retryable = False

    def __init__(self, message: str, *, status_code: str = ""):
        super().__init__(message)
        self.status_code = status_code


class Unavailable(MessagingError):
    """SOLAPI could not take the message now (5xx, 429, a timeout, no connection): try again later."""

    retryable = True


class Rejected(MessagingError):
    """SOLAPI refused the request or the message (4xx, ``failedMessageList``): the same would be refused again."""


@dataclass(frozen=True)
class Sent:
    message_id: str
    type: str
    status_code: str


def is_configured() -> bool:
    """Whether text messages can be sent at all: a provider, its keys and a registered caller number."""
    return settings.MESSAGING_PROVIDER == "solapi" and all(
        (settings.SOLAPI_API_KEY, settings.SOLAPI_API_SECRET, settings.SOLAPI_SENDER)
    )


def kakao_enabled() -> bool:
    """Whether 알림톡 can be tried first (a KakaoTalk sender profile); otherwise messages go by SMS/LMS."""
    return is_configured() and bool(settings.KAKAO_PF_ID)


# Characters text messages cannot carry (EUC-KR lacks them), as the nearest ones they can.
_SMS_REPLACEMENTS = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def sms_safe(text: str) -> str:
    """``text`` in the characters an SMS/LMS carries: dashes and quotes made plain, anything else EUC-KR lacks
    (an emoji) as "?"."""
    text = text.translate(_SMS_REPLACEMENTS)
    return text.encode("euc-kr", errors="replace").decode("euc-kr")


def byte_length(text: str) -> int:
    """The length carriers count: EUC-KR bytes, two for a character EUC-KR lacks (as for a Korean one)."""
    total = 0
    for character in text:
        try:
            total += len(character.encode("euc-kr"))
        except UnicodeEncodeError:
            total += 2
    return total


def clip(text: str, max_bytes: int) -> str:
    """``text`` cut to ``max_bytes`` (counted as ``byte_length``), ending with "…" when cut."""
    if byte_length(text) <= max_bytes:
        return text
    kept = []
    used = byte_length("…")
    for character in text:
        used += byte_length(character)
        if used > max_bytes:
            break
        kept.append(character)
    return "".join(kept).rstrip() + "…"


def text_type(text: str) -> str:
    return "SMS" if byte_length(text) <= SMS_MAX_BYTES else "LMS"


def authorization(api_key: str, api_secret: str, *, date: str | None = None, salt: str | None = None) -> str:
    date = date or datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    salt = salt or secrets.token_hex(16)
    signature = hmac.new(api_secret.encode(), (date + salt).encode(), hashlib.sha256).hexdigest()
    return f"HMAC-SHA256 apiKey={api_key}, date={date}, salt={salt}, signature={signature}"


def send_text(*, to: str, text: str, subject: str = "", reference: str = "") -> Sent:
    """An SMS, or an LMS when the text is longer than an SMS holds. ``reference`` is kept with the message at
    SOLAPI (``customFields``), to find it there."""
    text = sms_safe(text)
    kind = text_type(text)
    message = {"to": to, "from": _digits(settings.SOLAPI_SENDER), "text": clip(text, LMS_MAX_BYTES), "type": kind}
    if kind == "LMS" and subject:
        message["subject"] = clip(sms_safe(subject), LMS_SUBJECT_MAX_BYTES)
    return _send(message, reference)


def send_alimtalk(*, to: str, template_id: str, variables: dict[str, str], reference: str = "") -> Sent:
    """An 알림톡 of an approved template. ``disableSms`` is off: should KakaoTalk fail after SOLAPI accepted it
    (the person has no KakaoTalk, say), SOLAPI itself sends the filled-in template by SMS/LMS instead."""
    message = {
        "to": to,
        "from": _digits(settings.SOLAPI_SENDER),
        "type": "ATA",
        "kakaoOptions": {
            "pfId": settings.KAKAO_PF_ID,
            "templateId": template_id,
            "variables": variables,
            "disableSms": False,
        },
    }
    return _send(message, reference)


def _digits(number: str) -> str:
    return "".join(character for character in number if character.isdigit())


def _send(message: dict, reference: str = "") -> Sent:
    if reference:
        message["customFields"] = {"reference": reference}
    body = json.dumps({"messages": [message], "showMessageList": True}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        settings.SOLAPI_API_BASE + SEND_PATH,
        data=body,
        method="POST",
        headers={
            "Authorization": authorization(settings.SOLAPI_API_KEY, settings.SOLAPI_API_SECRET),
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.SOLAPI_TIMEOUT) as response:
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        code, detail = _error_detail(error)
        if error.code >= 500 or error.code == 429:
            raise Unavailable(f"SOLAPI answered {error.code}: {detail}", status_code=code) from None
        raise Rejected(f"SOLAPI refused the request ({error.code}): {detail}", status_code=code) from None
    except TimeoutError:
        # A timeout after the request went out may mean SOLAPI took the message: the retry may send it twice.
        raise Unavailable(f"SOLAPI did not answer within {settings.SOLAPI_TIMEOUT} s") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise Unavailable(f"SOLAPI did not answer within {settings.SOLAPI_TIMEOUT} s") from None
        raise Unavailable(f"SOLAPI could not be reached: {error.reason}") from None
    except (OSError, ValueError) as error:  # the connection dropped mid-answer, or the answer is not JSON
        raise Unavailable(f"SOLAPI's answer could not be read: {error}") from None
    if not isinstance(answer, dict):
        raise Unavailable("SOLAPI's answer could not be read: not a JSON object")
    failed = answer.get("failedMessageList") or []
    if failed:
        refused = failed[0] if isinstance(failed[0], dict) else {}
        code = str(refused.get("statusCode", ""))
        raise Rejected(
            f"SOLAPI refused the {message['type']} message: {code} {refused.get('statusMessage', '')}".strip(),
            status_code=code,
        )
    listed = answer.get("messageList") or [{}]
    if isinstance(listed, dict):  # some of SOLAPI's answers key the messages by their id
        listed = list(listed.values()) or [{}]
    registered = listed[0] if isinstance(listed[0], dict) else {}
    return Sent(
        message_id=str(registered.get("messageId", "")),
        type=str(registered.get("type") or message["type"]),
        status_code=str(registered.get("statusCode", "")),
    )


def _error_detail(error: urllib.error.HTTPError) -> tuple[str, str]:
    try:
        answer = json.loads(error.read() or b"{}")
    except (OSError, ValueError):
        answer = {}
    if not isinstance(answer, dict):
        answer = {}
    code = str(answer.get("errorCode", ""))
    return code, f"{code} {answer.get('errorMessage', '')}".strip() or error.reason
