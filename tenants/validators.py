"""Korean business registration numbers (사업자등록번호).

python-stdnum normalizes, formats and checks the components of the number; it does not check the
final digit, so that check (the National Tax Service's weighted sum) is done here.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.kr import brn

_CHECK_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def business_number_check_digit(first_nine: str) -> int:
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _CHECK_WEIGHTS, strict=True))
    total += int(first_nine[8]) * 5 // 10
    return (10 - total % 10) % 10


def normalize_business_number(value: str) -> str:
    """Return the 10 digits of a business number, or raise ValidationError with the reason."""
    digits = brn.compact(value or "")
    if not digits.isdigit():
        raise ValidationError(_("A business registration number has digits only."), code="invalid")
    if len(digits) != 10:
        raise ValidationError(_("A business registration number has 10 digits."), code="invalid_length")
    try:
        brn.validate(digits)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("This business registration number is not valid."), code="invalid") from None
    if business_number_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError(
            _("This business registration number is not valid (its check digit does not match)."),
            code="invalid_checksum",
        )
    return digits


def validate_business_number(value: str) -> None:
    normalize_business_number(value)


def format_business_number(digits: str) -> str:
    return brn.format(digits) if digits else ""
