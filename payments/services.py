"""Paying a booking online through Toss Payments, and refunding it: every write, in transactions.

Money is recorded in one place, ``settle``: it locks the order, reads the payment as Toss reported it (the
confirmation's answer, or a payment re-read from Toss for a webhook or a check), and records the booking's
payment through ``bookings.services.record_payment`` only on the change of the order to ``done``. A reload
of the success page, a second redirect, a webhook that came first and the periodic check all meet that lock
and that status, and the database allows one paid order per booking.

Toss is never called inside a transaction: an order is claimed first (a conditional update that changes
one row), Toss is asked, and the answer is settled in a new transaction.
"""

import hashlib
import hmac
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from audit.services import record
from bookings import services as booking_services
from bookings.errors import BookingError
from bookings.models import Booking
from bookings.rules import local
from payments import client as toss
from payments.errors import PaymentError, amount_mismatch, nothing_to_pay, payments_off
from payments.models import TossOrder, TossRefund, new_order_id

logger = logging.getLogger(__name__)

# How long a confirmation may be in flight before the periodic check takes it over.
CONFIRM_GRACE = timedelta(minutes=3)
# Toss keeps an authenticated checkout for about ten minutes: an order still unconfirmed after this is lost.
CHECKOUT_LIFETIME = timedelta(minutes=30)
# How often an issued virtual account is looked at, in case a deposit's webhook was lost.
DEPOSIT_CHECK_EVERY = timedelta(hours=1)
# A refund being sent is not taken by another worker for this long.
REFUND_LEASE = timedelta(minutes=5)
# An order being checked is not taken by another worker for this long.
CHECK_LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
# Virtual accounts are open for at most this long (and never past the booking's payment deadline).
MAX_DEPOSIT_HOURS = 72
METHOD = "toss"


def online_payment_enabled() -> bool:
    return bool(settings.TOSS_PAYMENTS_CLIENT_KEY and settings.TOSS_PAYMENTS_SECRET_KEY)


def is_payable(booking: Booking) -> bool:
    """An approved booking with an amount still to pay."""
    return (
        booking.status == Booking.Status.APPROVED
        and booking.payment_status == Booking.PaymentStatus.UNPAID
        and booking.amount_due > 0
    )


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failed attempt, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def customer_key(user) -> str:
    """Toss's customerKey for a booker: stable, and not their e-mail or a number anyone could guess."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"toss-customer:{user.pk}".encode(), hashlib.sha256)
    return "dn-" + digest.hexdigest()[:40]


def order_name(booking: Booking) -> str:
    return (
        _("%(space)s booking, %(start)s")
        % {"space": booking.space.display_name, "start": local(booking.start).strftime("%Y-%m-%d %H:%M")}
    )[:100]


def deposit_hours(booking: Booking, *, now: datetime | None = None) -> int:
    """How long a virtual account stays open: until the payment deadline, within Toss's bounds."""
    now = now or timezone.now()
    deadline = booking.payment_deadline or booking.start
    hours = int((deadline - now).total_seconds() // 3600)
    return max(1, min(hours, MAX_DEPOSIT_HOURS))


def _deposit_awaited(order: TossOrder) -> PaymentError:
    return PaymentError(
        "deposit_awaited",
        _("A virtual account was issued for this booking: deposit %(amount)s won to %(bank)s %(account)s by %(due)s.")
        % {
            "amount": f"{order.amount:,}",
            "bank": order.bank_name,
            "account": order.account_number,
            "due": local(order.deposit_due).strftime("%Y-%m-%d %H:%M") if order.deposit_due else "-",
        },
    )


# --- Checkout ------------------------------------------------------------------------------------------


def start_checkout(*, booking: Booking, user) -> TossOrder:
    """A new order (a new orderId) for the booker's attempt to pay, with the amount the booking owes now."""
    if not online_payment_enabled():
        raise payments_off()
    if booking.requested_by_id != user.pk:
        raise PaymentError("not_found", _("There is no such booking."))
    if not is_payable(booking):
        raise nothing_to_pay()
    waiting = (
        TossOrder.objects.filter(booking=booking, status=TossOrder.Status.WAITING_FOR_DEPOSIT).order_by("-pk").first()
    )
    if waiting is not None:
        raise _deposit_awaited(waiting)
    return TossOrder.objects.create(
        booking=booking,
        created_by=user,
        order_id=new_order_id(booking.pk),
        order_name=order_name(booking),
        amount=booking.amount_due,
    )


def _refusal(order: TossOrder) -> str:
    """Why this order may not be confirmed now (nothing is charged then), or ''."""
    booking = order.booking
    if not is_payable(booking):
        return _("This booking has nothing to pay online any more.")
    if booking.amount_due != order.amount:
        return _("The amount of this booking changed since the payment started. Please start again.")
    others = TossOrder.objects.filter(booking=booking).exclude(pk=order.pk)
    if others.filter(status=TossOrder.Status.DONE).exists():
        return _("This booking is already paid.")
    if others.filter(status=TossOrder.Status.WAITING_FOR_DEPOSIT).exists():
        return _("A virtual account is already waiting for your deposit for this booking.")
    return ""


def _claim_for_confirmation(order: TossOrder, payment_key: str) -> bool:
    """Take the order for confirming (ready, or to be checked with this key). True for exactly one caller."""
    with transaction.atomic():
        order = TossOrder.objects.select_for_update().select_related("booking").get(pk=order.pk)
        claimable = order.status == TossOrder.Status.READY or (
            order.status == TossOrder.Status.TO_CHECK and order.payment_key in (None, payment_key)
        )
        if not claimable:
            return False
        refusal = _refusal(order)
        if refusal:
            order.status = TossOrder.Status.FAILED
            order.failure_code = "NOT_PAYABLE"
            order.failure_message = refusal
            order.save(update_fields=["status", "failure_code", "failure_message", "updated"])
            return False
        order.payment_key = payment_key
        order.status = TossOrder.Status.CONFIRMING
        order.next_check_at = timezone.now() + CONFIRM_GRACE
        try:
            with transaction.atomic():
                order.save(update_fields=["payment_key", "status", "next_check_at", "updated"])
        except IntegrityError:
            raise PaymentError("invalid", _("This payment belongs to another order.")) from None
    return True


def confirm_payment(*, order: TossOrder, payment_key: str, amount: int) -> TossOrder:
    """The checkout's success redirect: check the amount, confirm with Toss, settle. Returns the order in its
    new state (done, waiting for deposit, to check, failed); safe to repeat."""
    if not online_payment_enabled():
        raise payments_off()
    if amount != order.amount:
        # Nothing is confirmed: Toss captures nothing that is not confirmed.
        raise amount_mismatch()
    payment_key = (payment_key or "").strip()
    if not payment_key or len(payment_key) > 200:
        raise PaymentError("invalid", _("The payment's key is missing."))
    if not _claim_for_confirmation(order, payment_key):
        order.refresh_from_db()
        return order
    return _send_confirmation(order.pk)


def _send_confirmation(order_pk: int) -> TossOrder:
    order = TossOrder.objects.get(pk=order_pk)
    try:
        payment = toss.client().confirm(
            payment_key=order.payment_key,
            order_id=order.order_id,
            amount=order.amount,
            idempotency_key=order.confirm_idempotency_key,
        )
    except toss.TossUnavailable as error:
        logger.warning("Confirmation of %s unanswered (%s): to check", order.order_id, error.message)
        _set_aside(order, error)
        order.refresh_from_db()
        return order
    except toss.TossRefused as error:
        if error.code != "ALREADY_PROCESSED_PAYMENT":
            TossOrder.objects.filter(pk=order.pk, status=TossOrder.Status.CONFIRMING).update(
                status=TossOrder.Status.FAILED,
                failure_code=error.code[:100],
                failure_message=_said(error),
                updated=timezone.now(),
            )
            order.refresh_from_db()
            return order
        # Confirmed before (an earlier attempt's answer was lost): read what Toss has.
        try:
            payment = toss.client().payment(order.payment_key)
        except toss.TossError as lookup_error:
            _set_aside(order, lookup_error)
            order.refresh_from_db()
            return order
    return settle(order_pk=order.pk, payment=payment)


def _said(error: toss.TossError) -> str:
    """What the booker or the manager reads of a failure: Toss's own message (written for people) when it
    refused, ours when it did not answer."""
    if isinstance(error, toss.TossRefused):
        text = f"{error.message} ({error.code})" if error.code else error.message
    else:
        text = _("Toss Payments did not answer (%(code)s); it is asked again automatically.") % {
            "code": error.code or error.status or "-"
        }
    return text[:500]


def _set_aside(order: TossOrder, error: toss.TossError) -> None:
    """The outcome is unknown: the order waits for the periodic check; the booking stays payable."""
    TossOrder.objects.filter(pk=order.pk, status=TossOrder.Status.CONFIRMING).update(
        status=TossOrder.Status.TO_CHECK,
        failure_code=(error.code or "UNAVAILABLE")[:100],
        failure_message=_said(error),
        next_check_at=timezone.now() + backoff(1),
        updated=timezone.now(),
    )


def record_checkout_failure(*, order: TossOrder, code: str, message: str) -> TossOrder:
    """The checkout's fail redirect: the attempt ends; the booking stays payable."""
    TossOrder.objects.filter(pk=order.pk, status=TossOrder.Status.READY).update(
        status=TossOrder.Status.FAILED,
        failure_code=(code or "")[:100],
        failure_message=(message or "")[:500],
        updated=timezone.now(),
    )
    order.refresh_from_db()
    return order


# --- Settling what Toss reports ----------------------------------------------------------------------------


def _moment(value) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _copy_payment(order: TossOrder, payment: dict) -> None:
    """What the order keeps of Toss's Payment object."""
    order.toss_status = str(payment.get("status", ""))[:30]
    order.method = str(payment.get("method") or order.method)[:30]
    if isinstance(payment.get("balanceAmount"), int):
        order.balance_amount = payment["balanceAmount"]
    order.approved_at = _moment(payment.get("approvedAt")) or order.approved_at
    account = payment.get("virtualAccount")
    if isinstance(account, dict):
        order.bank_code = str(account.get("bankCode") or "")[:10]
        order.account_number = str(account.get("accountNumber") or "")[:40]
        order.account_holder = str(account.get("customerName") or "")[:100]
        order.deposit_due = _moment(account.get("dueDate")) or order.deposit_due
    if payment.get("secret"):
        order.deposit_secret = str(payment["secret"])[:100]
    failure = payment.get("failure")
    if isinstance(failure, dict):
        order.failure_code = str(failure.get("code", ""))[:100]
        order.failure_message = str(failure.get("message", ""))[:500]
    order.last_response = payment


def settle(*, order_pk: int, payment: dict) -> TossOrder:
    """Bring the order (and, on payment, the booking) to what Toss reports, at most once."""
    with transaction.atomic():
        order = TossOrder.objects.select_for_update().select_related("booking").get(pk=order_pk)
        if payment.get("orderId") != order.order_id or (
            order.payment_key and payment.get("paymentKey") != order.payment_key
        ):
            logger.error("Toss's payment %s is not of order %s", payment.get("paymentKey"), order.order_id)
            return order
        if payment.get("totalAmount") != order.amount:
            # Never recorded: a payment of another amount than the order asked is a manager's case.
            logger.error(
                "Toss's payment of %s is for %s, not %s", order.order_id, payment.get("totalAmount"), order.amount
            )
            order.failure_code = "AMOUNT_MISMATCH"
            order.failure_message = _("Toss reports another amount than this order's.")
            order.save(update_fields=["failure_code", "failure_message", "updated"])
            return order
        _copy_payment(order, payment)
        if not order.payment_key and payment.get("paymentKey"):
            order.payment_key = str(payment["paymentKey"])[:200]
        toss_status = order.toss_status
        settled = order.status in (TossOrder.Status.DONE, TossOrder.Status.UNNEEDED)
        order.next_check_at = None
        if toss_status == "DONE" and not settled:
            _paid(order)
        elif toss_status == "WAITING_FOR_DEPOSIT" and not settled:
            order.status = TossOrder.Status.WAITING_FOR_DEPOSIT
            order.next_check_at = timezone.now() + DEPOSIT_CHECK_EVERY
        elif toss_status in ("READY", "IN_PROGRESS") and not settled:
            # Not approved yet: the check asks again.
            order.next_check_at = timezone.now() + backoff(order.checks + 1)
        elif toss_status in ("EXPIRED", "ABORTED", "CANCELED", "PARTIAL_CANCELED") and not settled:
            order.status = TossOrder.Status.EXPIRED if toss_status == "EXPIRED" else TossOrder.Status.FAILED
        order.save()
    return order


def _paid(order: TossOrder) -> None:
    """Toss has the money: record the booking's payment, or refund a payment the booking no longer needs."""
    try:
        with transaction.atomic():
            booking_services.record_payment(
                booking=order.booking, manager=None, reference=order.payment_key, method=METHOD
            )
    except BookingError as error:
        if error.code == "busy":
            raise
        # Cancelled, or paid otherwise, while the booker paid: the money goes back in full.
        order.status = TossOrder.Status.UNNEEDED
        order.failure_code = "NOT_NEEDED"
        order.failure_message = error.message[:500]
        order.save()
        refund = TossRefund.objects.create(
            booking=order.booking,
            order=order,
            kind=TossRefund.Kind.UNNEEDED,
            amount=order.amount,
            reason=_("The booking no longer needed this payment."),
            status=TossRefund.Status.MANUAL if order.is_virtual_account else TossRefund.Status.PENDING,
            next_attempt_at=timezone.now(),
        )
        if refund.status == TossRefund.Status.PENDING:
            transaction.on_commit(lambda: enqueue_refund(refund.pk))
        return
    order.status = TossOrder.Status.DONE
    order.failure_code = ""
    order.failure_message = ""


# --- Checking open orders ------------------------------------------------------------------------------


def check_order(order_pk: int, *, now: datetime | None = None) -> str:
    """Ask Toss about an open order whose time has come: settle it, confirm it again with its key when Toss
    holds it authenticated, or close a virtual account the booking no longer needs."""
    now = now or timezone.now()
    claimed = TossOrder.objects.filter(
        Q(next_check_at__lte=now) | Q(next_check_at__isnull=True),
        pk=order_pk,
        status__in=TossOrder.OPEN_STATUSES,
    ).update(next_check_at=now + CHECK_LEASE, checks=F("checks") + 1)
    if not claimed:
        return "not due"
    order = TossOrder.objects.select_related("booking").get(pk=order_pk)
    api = toss.client()
    try:
        payment = api.payment(order.payment_key) if order.payment_key else api.payment_of_order(order.order_id)
    except toss.TossUnavailable as error:
        _check_later(order, _said(error))
        return "unavailable"
    except toss.TossRefused as error:
        if order.created < now - CHECKOUT_LIFETIME:
            TossOrder.objects.filter(pk=order.pk, status__in=TossOrder.OPEN_STATUSES).update(
                status=TossOrder.Status.FAILED,
                failure_code=error.code[:100],
                failure_message=_said(error),
                next_check_at=None,
            )
            return "failed"
        _check_later(order, _said(error))
        return "not found yet"
    if payment.get("status") == "IN_PROGRESS" and order.payment_key:
        return _confirm_again(order)
    order = settle(order_pk=order.pk, payment=payment)
    if order.status == TossOrder.Status.WAITING_FOR_DEPOSIT and not is_payable(order.booking):
        return _close_virtual_account(order)
    return order.status


def _confirm_again(order: TossOrder) -> str:
    """Authenticated at Toss but not approved: the confirmation never arrived. Sent again with the same
    Idempotency-Key, which approves it once, unless the booking can no longer take it."""
    with transaction.atomic():
        order = TossOrder.objects.select_for_update().select_related("booking").get(pk=order.pk)
        if order.status not in (TossOrder.Status.TO_CHECK, TossOrder.Status.CONFIRMING):
            return order.status
        refusal = _refusal(order)
        if refusal:
            order.status = TossOrder.Status.FAILED
            order.failure_code = "NOT_PAYABLE"
            order.failure_message = refusal
            order.next_check_at = None
            order.save(update_fields=["status", "failure_code", "failure_message", "next_check_at", "updated"])
            return order.status
        order.status = TossOrder.Status.CONFIRMING
        order.next_check_at = timezone.now() + CONFIRM_GRACE
        order.save(update_fields=["status", "next_check_at", "updated"])
    return _send_confirmation(order.pk).status


def _check_later(order: TossOrder, message: str) -> None:
    TossOrder.objects.filter(pk=order.pk).update(
        next_check_at=timezone.now() + backoff(order.checks), failure_message=message[:500]
    )


def _close_virtual_account(order: TossOrder) -> str:
    """A booking cancelled (or paid otherwise) while its virtual account waited: close the account at Toss,
    so no deposit can arrive for it. Nothing was paid, so nothing is refunded."""
    try:
        payment = toss.client().cancel(
            payment_key=order.payment_key,
            reason=_("The booking no longer needs this payment."),
            amount=None,
            idempotency_key=f"{order.confirm_idempotency_key}-close",
        )
    except toss.TossError as error:
        _check_later(order, _said(error))
        return "close failed"
    with transaction.atomic():
        order = TossOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == TossOrder.Status.WAITING_FOR_DEPOSIT:
            _copy_payment(order, payment)
            order.status = TossOrder.Status.EXPIRED
            order.next_check_at = None
            order.save()
    return order.status


def check_open_orders(*, now: datetime | None = None) -> int:
    """Periodic: every open order due for a look (confirmations unanswered, virtual accounts)."""
    now = now or timezone.now()
    due = list(
        TossOrder.objects.filter(status__in=TossOrder.OPEN_STATUSES, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:200]
    )
    for pk in due:
        check_order(pk, now=now)
    return len(due)


# --- Webhooks ---------------------------------------------------------------------------------------------


def _secret_matches(order: TossOrder, secret) -> bool:
    """The deposit callback repeats the secret Toss gave with the virtual account (when we have it)."""
    if not isinstance(secret, str):
        return False
    return not order.deposit_secret or hmac.compare_digest(secret.encode(), order.deposit_secret.encode())


def handle_webhook(body) -> str:
    """A webhook from Toss. Its body is only a hint: the payment is read again from Toss before anything is
    recorded. Returns what was done; raises ``PaymentError("invalid")`` for a body that is no event of ours."""
    if not isinstance(body, dict):
        raise PaymentError("invalid", _("Not a webhook event."))
    event = body.get("eventType")
    if event == "PAYMENT_STATUS_CHANGED":
        data = body.get("data")
        secret = None
    elif event == "DEPOSIT_CALLBACK" or (event is None and {"secret", "orderId", "status"} <= body.keys()):
        data = body.get("data") if isinstance(body.get("data"), dict) else body
        secret = data.get("secret")
    elif isinstance(event, str) and event:
        return "ignored"
    else:
        raise PaymentError("invalid", _("Not a webhook event."))
    if not isinstance(data, dict) or not isinstance(data.get("orderId"), str) or not data["orderId"]:
        raise PaymentError("invalid", _("Not a webhook event."))
    order = TossOrder.objects.filter(order_id=data["orderId"][:64]).first()
    if order is None:
        return "unknown order"
    if secret is not None and not _secret_matches(order, secret):
        raise PaymentError("invalid", _("The deposit callback's secret does not match."))
    settled = order.status in (TossOrder.Status.DONE, TossOrder.Status.UNNEEDED)
    if settled and data.get("status") == "DONE":
        return "duplicate"
    payment_key = order.payment_key or data.get("paymentKey")
    api = toss.client()
    try:
        if isinstance(payment_key, str) and payment_key:
            payment = api.payment(payment_key)
        else:
            payment = api.payment_of_order(order.order_id)
    except toss.TossRefused:
        raise PaymentError("invalid", _("Toss does not know this payment.")) from None
    except toss.TossUnavailable:
        _check_soon(order.pk)
        return "check later"
    if payment.get("orderId") != order.order_id:
        raise PaymentError("invalid", _("Toss does not know this payment."))
    order = settle(order_pk=order.pk, payment=payment)
    return order.status


def _check_soon(order_pk: int) -> None:
    """Leave the order to the periodic check, which reads it from Toss by its orderId."""
    TossOrder.objects.filter(pk=order_pk, status=TossOrder.Status.READY).update(status=TossOrder.Status.TO_CHECK)
    TossOrder.objects.filter(pk=order_pk, status__in=TossOrder.OPEN_STATUSES).update(next_check_at=timezone.now())


def defer_check(body) -> None:
    """A webhook that could not be settled now (the booking was busy): checked with Toss within minutes."""
    data = body.get("data") if isinstance(body, dict) and isinstance(body.get("data"), dict) else body
    order_id = data.get("orderId") if isinstance(data, dict) else None
    if isinstance(order_id, str):
        order = TossOrder.objects.filter(order_id=order_id[:64]).first()
        if order is not None:
            _check_soon(order.pk)


# --- Refunds ----------------------------------------------------------------------------------------------


def owe_refund(*, booking: Booking) -> TossRefund | None:
    """A cancellation made a refund due (bookings.signals.refund_due, inside its transaction): when the booking
    was paid through Toss, write the refund to send, and send it once the cancellation commits."""
    order = TossOrder.objects.filter(booking=booking, status=TossOrder.Status.DONE).first()
    if order is None or not booking.refund_amount:
        return None
    paid = order.balance_amount if order.balance_amount is not None else order.amount
    amount = min(booking.refund_amount, paid)
    if amount <= 0:
        return None
    refund, created = TossRefund.objects.get_or_create(
        booking=booking,
        kind=TossRefund.Kind.CANCELLATION,
        defaults={
            "order": order,
            "amount": amount,
            "reason": (booking.cancel_reason or _("Booking cancelled"))[:200],
            "status": TossRefund.Status.MANUAL if order.is_virtual_account else TossRefund.Status.PENDING,
            "next_attempt_at": timezone.now(),
        },
    )
    if created and refund.status == TossRefund.Status.PENDING:
        transaction.on_commit(lambda: enqueue_refund(refund.pk))
    return refund


def enqueue_refund(refund_pk: int) -> None:
    """Hand a refund to the workers; a broker outage is logged, and the sweep sends it later."""
    from payments.tasks import send_refund

    try:
        send_refund.apply_async((refund_pk,), retry=False)
    except Exception:
        logger.warning("Could not enqueue refund %s; the sweep will send it", refund_pk, exc_info=True)


def send_refund(refund_pk: int, *, now: datetime | None = None) -> str:
    """Send one due refund to Toss with its own Idempotency-Key (a repeat refunds once) and record it."""
    now = now or timezone.now()
    claimed = TossRefund.objects.filter(
        pk=refund_pk, status=TossRefund.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + REFUND_LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return "not due"
    refund = TossRefund.objects.select_related("order", "booking").get(pk=refund_pk)
    if refund.kind == TossRefund.Kind.CANCELLATION and refund.booking.payment_status == Booking.PaymentStatus.REFUNDED:
        # A manager marked it refunded by hand before it was sent: never paid back twice.
        TossRefund.objects.filter(pk=refund.pk, status=TossRefund.Status.PENDING).update(
            status=TossRefund.Status.MANUAL,
            last_error=_("Marked refunded on the booking before it was sent to Toss."),
            next_attempt_at=None,
        )
        return "manual"
    try:
        payment = toss.client().cancel(
            payment_key=refund.order.payment_key,
            reason=refund.reason,
            amount=refund.amount,
            idempotency_key=refund.idempotency_key,
        )
    except toss.TossUnavailable as error:
        TossRefund.objects.filter(pk=refund.pk, status=TossRefund.Status.PENDING).update(
            last_error=_said(error),
            next_attempt_at=timezone.now() + backoff(refund.attempts),
        )
        logger.warning("Refund %s not answered by Toss (%s); retried later", refund.pk, error.message)
        return "retry"
    except toss.TossRefused as error:
        TossRefund.objects.filter(pk=refund.pk, status=TossRefund.Status.PENDING).update(
            status=TossRefund.Status.FAILED, last_error=_said(error), next_attempt_at=None
        )
        logger.error("Toss refused refund %s: %s %s", refund.pk, error.code, error.message)
        return "failed"
    _refunded(refund.pk, payment)
    return "done"


def _refunded(refund_pk: int, payment: dict) -> None:
    with transaction.atomic():
        refund = TossRefund.objects.select_for_update().select_related("order", "booking").get(pk=refund_pk)
        if refund.status == TossRefund.Status.DONE:
            return
        refund.status = TossRefund.Status.DONE
        refund.done_at = timezone.now()
        refund.last_error = ""
        refund.next_attempt_at = None
        refund.last_response = payment
        refund.save()
        order = TossOrder.objects.select_for_update().get(pk=refund.order_id)
        if payment.get("orderId") == order.order_id:
            order.toss_status = str(payment.get("status", order.toss_status))[:30]
            if isinstance(payment.get("balanceAmount"), int):
                order.balance_amount = payment["balanceAmount"]
            order.last_response = payment
            order.save(update_fields=["toss_status", "balance_amount", "last_response", "updated"])
        booking = refund.booking
        if refund.kind == TossRefund.Kind.CANCELLATION and booking.payment_status == Booking.PaymentStatus.REFUND_DUE:
            booking_services.record_refund(booking=booking, manager=None, method=METHOD)


def send_due_refunds(*, now: datetime | None = None) -> int:
    """Periodic: refunds whose next attempt has come (new ones whose task was lost, and retries)."""
    now = now or timezone.now()
    due = list(
        TossRefund.objects.filter(status=TossRefund.Status.PENDING, next_attempt_at__lte=now).values_list(
            "pk", flat=True
        )[:200]
    )
    for pk in due:
        send_refund(pk, now=now)
    return len(due)


def retry_refund(*, refund: TossRefund, manager) -> TossRefund:
    """A manager sends a refused refund again (after sorting it out with Toss)."""
    with transaction.atomic():
        refund = TossRefund.objects.select_for_update().select_related("booking__space__facility").get(pk=refund.pk)
        booking_services.require_manager(manager, refund.booking.space.facility)
        if refund.status != TossRefund.Status.FAILED:
            raise PaymentError("invalid_state", _("Only a refund Toss refused can be sent again."))
        refund.status = TossRefund.Status.PENDING
        refund.next_attempt_at = timezone.now()
        refund.save(update_fields=["status", "next_attempt_at", "updated"])
        record(actor=manager, action="payment.refund_retried", target=refund, after={"amount": refund.amount})
        transaction.on_commit(lambda: enqueue_refund(refund.pk))
    return refund
