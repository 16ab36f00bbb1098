"""The errors of online payment, each with a code and a translated message (answered by common.error_pages)."""

from django.utils.translation import gettext as _

from common.errors import DomainError


class PaymentError(DomainError):
    status_by_code = {
        **DomainError.status_by_code,
        # Online payment is switched off (no keys): the page exists, the service does not.
        "payments_off": 409,
        "nothing_to_pay": 409,
        "deposit_awaited": 409,
        "amount_mismatch": 400,
        "invalid": 400,
        # Toss could not be asked or refused: the booking stays payable.
        "gateway_unavailable": 503,
        "gateway_refused": 400,
    }


def payments_off() -> PaymentError:
    return PaymentError(
        "payments_off",
        _("Online payment is not available. Please pay by bank transfer as shown on the booking page."),
    )


def nothing_to_pay() -> PaymentError:
    return PaymentError("nothing_to_pay", _("This booking has nothing to pay online."))


def amount_mismatch() -> PaymentError:
    return PaymentError(
        "amount_mismatch",
        _("The amount paid does not match this booking's order. Nothing was charged or recorded; please start again."),
    )
