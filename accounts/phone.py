"""A mobile number on the account, verified by a six-digit code sent to it by SMS.

The code is kept as a keyed hash, expires after ``CODE_VALID``, and ``MAX_ATTEMPTS`` wrong tries use it up.
Asking for codes is rate limited per number and per address (``ACCOUNT_RATE_LIMITS["phone_code"]``: allauth's
limits, counted in the cache as for sign-in). The code goes straight to the provider, at any hour: it is not a
notification and waits for no quiet hours.
"""

import re
import secrets
from datetime import timedelta

from allauth.core import ratelimit
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import PhoneVerification, User
from common import solapi

CODE_VALID = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RATE_LIMIT_ACTION = "phone_code"

# 010 numbers only: the mobile prefixes 011, 016–019 were retired, and other numbers cannot receive 알림톡.
_MOBILE = re.compile(r"010\d{8}")


class PhoneError(Exception):
    """A refusal to show next to the form; ``status`` is the HTTP status the page answers with."""

    def __init__(self, code: str, message: str, *, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def normalize(raw: str) -> str:
    """``010-1234-5678``, ``010 1234 5678``, ``+82 10-1234-5678`` … as ``01012345678``; anything else refused."""
    digits = re.sub(r"[\s\-.()]", "", raw or "")
    if digits.startswith("+82"):
        digits = "0" + digits[3:]
    elif digits.startswith("82") and len(digits) == 12:
        digits = "0" + digits[2:]
    if not _MOBILE.fullmatch(digits):
        raise PhoneError("invalid_number", _("Enter a Korean mobile number starting with 010, e.g. 010-1234-5678."))
    return digits


def display(number: str) -> str:
    """``01012345678`` as ``010-1234-5678``."""
    return f"{number[:3]}-{number[3:7]}-{number[7:]}" if len(number) == 11 else number


def _hash(user: User, phone: str, code: str) -> str:
    # Keyed with SECRET_KEY and bound to the person and the number: a code read from the table (or a leaked
    # hash) is useless, and a million guesses offline need the key.
    return salted_hmac("accounts.phone.code", f"{user.pk}:{phone}:{code}", algorithm="sha256").hexdigest()


def pending(user: User) -> PhoneVerification | None:
    """The code sent to ``user`` that can still be entered, if any."""
    verification = PhoneVerification.objects.filter(user=user).first()
    if verification is None or verification.expires_at <= timezone.now() or verification.attempts >= MAX_ATTEMPTS:
        return None
    return verification


def request_code(*, user: User, raw_phone: str, request) -> PhoneVerification:
    """Send a new code to the number; the previous code, if any, stops working."""
    if not solapi.is_configured():
        raise PhoneError("messaging_off", _("Text messages are not set up on this site, so no code can be sent."))
    phone = normalize(raw_phone)
    if user.phone == phone and user.phone_verified_at:
        raise PhoneError("already_verified", _("This number is already verified on your account."))
    # Counted per number (whoever asks) and per address (whichever number).
    if not ratelimit.consume(request, action=RATE_LIMIT_ACTION, key=phone):
        raise PhoneError(
            "rate_limited", _("Too many codes were asked for. Wait a few minutes and try again."), status=429
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        verification, _created = PhoneVerification.objects.update_or_create(
            user=user,
            defaults={
                "phone": phone,
                "code_hash": _hash(user, phone, code),
                "expires_at": timezone.now() + CODE_VALID,
                "attempts": 0,
            },
        )
    text = _("[Dongnam] Your verification code is %(code)s. It expires in %(minutes)d minutes.") % {
        "code": code,
        "minutes": CODE_VALID.seconds // 60,
    }
    try:
        solapi.send_text(to=phone, text=text)
    except solapi.MessagingError as error:
        PhoneVerification.objects.filter(pk=verification.pk, code_hash=verification.code_hash).delete()
        if error.retryable:
            raise PhoneError(
                "send_failed", _("The code could not be sent just now. Try again in a few minutes."), status=503
            ) from error
        raise PhoneError(
            "send_refused", _("The code could not be sent to this number. Check the number and try again.")
        ) from error
    return verification


def confirm_code(*, user: User, code: str) -> User:
    """Check the code the person typed; right, the number becomes the account's verified number."""
    code = (code or "").strip()
    verification = PhoneVerification.objects.filter(user=user).first()
    if verification is None:
        raise PhoneError("no_code", _("Ask for a code first."))
    if verification.expires_at <= timezone.now():
        raise PhoneError("expired", _("The code has expired. Ask for a new one."))
    # Counted before comparing, by a conditional update: parallel guesses cannot exceed the limit.
    counted = PhoneVerification.objects.filter(pk=verification.pk, attempts__lt=MAX_ATTEMPTS).update(
        attempts=F("attempts") + 1
    )
    if not counted:
        raise PhoneError("too_many_attempts", _("Too many wrong codes. Ask for a new one."), status=429)
    if not (code.isdigit() and len(code) == 6) or not constant_time_compare(
        _hash(user, verification.phone, code), verification.code_hash
    ):
        left = MAX_ATTEMPTS - verification.attempts - 1
        if left <= 0:
            raise PhoneError("too_many_attempts", _("Too many wrong codes. Ask for a new one."), status=429)
        raise PhoneError(
            "wrong_code",
            ngettext(
                "That is not the code we sent. %(count)d try left.",
                "That is not the code we sent. %(count)d tries left.",
                left,
            )
            % {"count": left},
        )
    with transaction.atomic():
        # Deleted only if still the code just checked: a new code asked for meanwhile wins.
        deleted, _rows = PhoneVerification.objects.filter(pk=verification.pk, code_hash=verification.code_hash).delete()
        if not deleted:
            raise PhoneError("no_code", _("A new code was sent meanwhile; enter that one."))
        user.phone = verification.phone
        user.phone_verified_at = timezone.now()
        user.save(update_fields=["phone", "phone_verified_at"])
    return user


def remove_phone(*, user: User) -> None:
    """Forget the number and any code sent to verify one; KakaoTalk and text messages stop."""
    with transaction.atomic():
        PhoneVerification.objects.filter(user=user).delete()
        user.phone = ""
        user.phone_verified_at = None
        user.save(update_fields=["phone", "phone_verified_at"])
