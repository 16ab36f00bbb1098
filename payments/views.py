"""The booker's pages of online payment, and the webhook Toss calls. The work is in payments.services."""

import json
import logging
from functools import wraps
from urllib.parse import urlsplit

from csp.constants import SELF
from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bookings.models import Booking
from common.errors import DomainError
from payments import services
from payments.errors import PaymentError
from payments.models import TossOrder

logger = logging.getLogger(__name__)

# Where Toss's checkout runs: its script loads its windows (frames) and talks to its servers from these.
TOSS_HOSTS = ["https://*.tosspayments.com"]

# Toss's fail codes the booker is told in our words (Toss's own message follows).
FAIL_REASONS = {
    "PAY_PROCESS_CANCELED": gettext_lazy("You closed the payment window before paying."),
    "PAY_PROCESS_ABORTED": gettext_lazy("The payment was stopped before it was completed."),
    "REJECT_CARD_COMPANY": gettext_lazy("The card company declined the payment."),
}


def checkout_policy() -> dict:
    """The page's own Content-Security-Policy additions: the checkout script's origin may run, and Toss's
    hosts may be framed and called; from the settings, so a stand-in checkout works the same way."""
    script = urlsplit(settings.TOSS_PAYMENTS_CHECKOUT_SCRIPT)
    origin = f"{script.scheme}://{script.netloc}"
    hosts = list(TOSS_HOSTS)
    if not script.netloc.endswith(".tosspayments.com"):
        hosts.append(origin)
    return {"script-src": [origin], "connect-src": [SELF, *hosts], "frame-src": hosts}


def with_checkout_policy(view):
    """django-csp's ``csp_update`` with the policy read at each request (the settings may change)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return csp_update(checkout_policy())(view)(request, *args, **kwargs)

    return wrapper


def _owned_booking_or_404(user, pk) -> Booking:
    return get_object_or_404(Booking.objects.select_related("space__facility"), pk=pk, requested_by=user)


def _owned_order_or_404(user, order_id: str) -> TossOrder:
    return get_object_or_404(
        TossOrder.objects.select_related("booking__space__facility"), order_id=order_id[:64], booking__requested_by=user
    )


@login_required
@require_GET
@never_cache
@with_checkout_policy
def pay(request, pk):
    """The checkout: a new order for this attempt, and Toss's script to pay it."""
    booking = _owned_booking_or_404(request.user, pk)
    order = services.start_checkout(booking=booking, user=request.user)
    user = request.user
    checkout = {
        "clientKey": settings.TOSS_PAYMENTS_CLIENT_KEY,
        "customerKey": services.customer_key(user),
        "orderId": order.order_id,
        "orderName": order.order_name,
        "amount": order.amount,
        "successUrl": request.build_absolute_uri(reverse("payments:toss_success")),
        "failUrl": request.build_absolute_uri(reverse("payments:toss_fail")),
        "customerEmail": user.email,
        "customerName": (getattr(user, "name", "") or "")[:100],
        "depositHours": services.deposit_hours(booking),
        "messages": {
            "ready": _("Choose a way to pay."),
            "opening": _("Opening the Toss Payments window…"),
            "again": _("Press a button to try again."),
            "unavailable": _(
                "The payment window could not be loaded. Try again later, or pay by bank transfer as shown on "
                "the booking page."
            ),
        },
    }
    return render(
        request,
        "payments/checkout.html",
        {
            "booking": booking,
            "order": order,
            "checkout": checkout,
            "checkout_script": settings.TOSS_PAYMENTS_CHECKOUT_SCRIPT,
        },
    )


def _amount(raw: str) -> int:
    try:
        amount = int(raw)
    except (TypeError, ValueError):
        raise PaymentError("invalid", _("The payment's amount is missing.")) from None
    if amount <= 0:
        raise PaymentError("invalid", _("The payment's amount is missing."))
    return amount


@login_required
@require_GET
@never_cache
def toss_success(request):
    """Toss's redirect after the checkout: the amount is checked against the order, then confirmed."""
    order_id = request.GET.get("orderId", "")
    if not order_id:
        raise PaymentError("invalid", _("The payment's order is missing."))
    order = _owned_order_or_404(request.user, order_id)
    order = services.confirm_payment(
        order=order, payment_key=request.GET.get("paymentKey", ""), amount=_amount(request.GET.get("amount"))
    )
    return _result(request, order)


def _result(request, order: TossOrder):
    order.booking.refresh_from_db()
    return render(request, "payments/result.html", {"order": order, "booking": order.booking})


@login_required
@require_GET
@never_cache
def toss_fail(request):
    """Toss's redirect when the checkout did not pay: Toss's reason; the booking stays payable."""
    code = request.GET.get("code", "")[:100]
    message = request.GET.get("message", "")[:300]
    order = None
    order_id = request.GET.get("orderId", "")
    if order_id:
        order = _owned_order_or_404(request.user, order_id)
        order = services.record_checkout_failure(order=order, code=code, message=message)
        if order.status != TossOrder.Status.FAILED:
            # Paid, or being paid, after all (a fail redirect after the success): say what is true.
            return _result(request, order)
    return render(
        request,
        "payments/fail.html",
        {
            "order": order,
            "booking": order.booking if order else None,
            "reason": FAIL_REASONS.get(code, ""),
            "toss_message": message,
            "code": code,
        },
    )


@csrf_exempt
@require_POST
def toss_webhook(request):
    """Toss's webhook (PAYMENT_STATUS_CHANGED, DEPOSIT_CALLBACK). 200 for every event understood, repeated
    or not of ours; 400 for a body that is no event. Nothing is recorded from the body itself."""
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return HttpResponseBadRequest("not json", content_type="text/plain")
    try:
        outcome = services.handle_webhook(body)
    except PaymentError as error:
        logger.warning("Refused a webhook: %s", error.message)
        return JsonResponse({"code": error.code, "detail": error.message}, status=400)
    except DomainError as error:
        # The booking was busy: the order is looked at again by the periodic check.
        logger.warning("Webhook deferred: %s", error.message)
        services.defer_check(body)
        outcome = "check later"
    return JsonResponse({"result": outcome})
