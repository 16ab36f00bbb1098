"""Online payment through Toss Payments: one order per attempt to pay, one refund row per refund owed.

The invariants are held by the database: an order's id and Toss's payment key are unique, an amount is
positive, a booking has at most one paid order, and a cancellation refunds a booking at most once.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments.banks import bank_name


def new_order_id(booking_pk: int) -> str:
    """Toss's orderId: 6 to 64 characters of [A-Za-z0-9_-], new for every attempt and never guessable."""
    return f"dn{booking_pk}-{secrets.token_urlsafe(18)}"


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


# Toss's statuses of a payment, as bookers and managers read them.
TOSS_STATUS_LABELS = {
    "READY": _("Checkout opened"),
    "IN_PROGRESS": _("Authenticated, not approved"),
    "WAITING_FOR_DEPOSIT": _("Waiting for the deposit"),
    "DONE": _("Paid"),
    "CANCELED": _("Refunded in full"),
    "PARTIAL_CANCELED": _("Partly refunded"),
    "ABORTED": _("Approval failed"),
    "EXPIRED": _("Expired"),
}

# Toss names the method in Korean (Payment.method, API version 2022-11-16); English readers read it in English.
METHOD_LABELS = {
    "카드": _("Card"),
    "가상계좌": _("Virtual account"),
    "간편결제": _("Easy pay"),
    "계좌이체": _("Account transfer"),
    "휴대폰": _("Mobile phone"),
    "문화상품권": _("Gift certificate"),
    "도서문화상품권": _("Gift certificate"),
    "게임문화상품권": _("Gift certificate"),
}


class TossOrder(models.Model):
    """One attempt to pay a booking through Toss's checkout, with the amount asked, fixed when it starts."""

    class Status(models.TextChoices):
        READY = "ready", _("Checkout opened")
        # The confirmation is being sent to Toss (claimed by one request).
        CONFIRMING = "confirming", _("Confirming")
        # Toss did not answer the confirmation: the periodic check asks Toss for the order.
        TO_CHECK = "to_check", _("To check with Toss")
        WAITING_FOR_DEPOSIT = "waiting_for_deposit", _("Waiting for the deposit")
        DONE = "done", _("Paid")
        # Paid at Toss, but the booking no longer needed it (cancelled meanwhile, or paid otherwise): refunded.
        UNNEEDED = "unneeded", _("Paid but not needed: refunded")
        FAILED = "failed", _("Not paid")
        EXPIRED = "expired", _("Expired")

    OPEN_STATUSES = (Status.CONFIRMING, Status.TO_CHECK, Status.WAITING_FOR_DEPOSIT)

    # No single-column index: tossorder_booking_idx leads with the booking.
    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.PROTECT,
        related_name="toss_orders",
        verbose_name=_("booking"),
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
        db_index=False,
    )
    order_id = models.CharField(_("order ID"), max_length=64, unique=True)
    order_name = models.CharField(_("order name"), max_length=100)
    # What the booking owed when the checkout opened; the success redirect must name the same amount.
    amount = models.PositiveIntegerField(_("amount (KRW)"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.READY)
    # Toss's own status of the payment as last read (DONE, WAITING_FOR_DEPOSIT, PARTIAL_CANCELED, ...).
    toss_status = models.CharField(_("status at Toss"), max_length=30, blank=True)
    payment_key = models.CharField(_("payment key"), max_length=200, null=True, blank=True, unique=True)
    # Sent with every confirmation of this order, so asking again can never approve it twice.
    confirm_idempotency_key = models.CharField(max_length=64, default=new_idempotency_key, editable=False)
    method = models.CharField(_("method"), max_length=30, blank=True)
    balance_amount = models.PositiveIntegerField(_("balance (KRW)"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # A virtual account (가상계좌) issued for the payment.
    bank_code = models.CharField(_("virtual account bank"), max_length=10, blank=True)
    account_number = models.CharField(_("virtual account number"), max_length=40, blank=True)
    account_holder = models.CharField(_("virtual account holder"), max_length=100, blank=True)
    deposit_due = models.DateTimeField(_("deposit by"), null=True, blank=True)
    # Toss repeats this secret in the deposit callback of this virtual account.
    deposit_secret = models.CharField(max_length=100, blank=True, editable=False)
    failure_code = models.CharField(_("failure code"), max_length=100, blank=True)
    failure_message = models.CharField(_("failure"), max_length=500, blank=True)
    # When the periodic check next asks Toss about this order, and how often it did.
    next_check_at = models.DateTimeField(null=True, blank=True)
    checks = models.PositiveSmallIntegerField(default=0)
    last_response = models.JSONField(_("Toss's last answer"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="tossorder_amount_positive"),
            # A booking is paid once: at most one paid order per booking.
            models.UniqueConstraint(
                fields=["booking"], condition=Q(status="done"), name="tossorder_one_paid_per_booking"
            ),
        ]
        indexes = [
            # The orders of a booking, newest first (the pay box, the checkout's "already waiting" check).
            models.Index(fields=["booking", "-created"], name="tossorder_booking_idx"),
            # The periodic check: open orders due for a look (payments.services.check_open_orders).
            models.Index(
                fields=["next_check_at"],
                condition=Q(status__in=["confirming", "to_check", "waiting_for_deposit"]),
                name="tossorder_open_check_idx",
            ),
            # The manager's month (payments.selectors.orders_of_month).
            models.Index(fields=["created"], name="tossorder_created_idx"),
        ]

    def __str__(self):
        return self.order_id

    @property
    def bank_name(self) -> str:
        return bank_name(self.bank_code) if self.bank_code else ""

    @property
    def method_label(self) -> str:
        return str(METHOD_LABELS.get(self.method, self.method))

    @property
    def toss_status_label(self) -> str:
        return str(TOSS_STATUS_LABELS.get(self.toss_status, self.toss_status))

    @property
    def is_virtual_account(self) -> bool:
        return bool(self.account_number)


class TossRefund(models.Model):
    """A refund owed through Toss, written in the transaction that owes it and sent by a task (an outbox)."""

    class Kind(models.TextChoices):
        # The booking was cancelled: refunded by the tiers, recorded on the booking once done.
        CANCELLATION = "cancellation", _("Cancellation")
        # The order was paid although the booking no longer needed it: refunded in full.
        UNNEEDED = "unneeded", _("Payment not needed")

    class Status(models.TextChoices):
        PENDING = "pending", _("To send")
        DONE = "done", _("Refunded")
        # Toss refused it: a manager must look (and may send it again).
        FAILED = "failed", _("Refused by Toss")
        # A virtual-account payment: Toss needs the payer's own account to refund it, so the facility pays
        # it back by bank transfer and marks it refunded on the booking.
        MANUAL = "manual", _("Refund by bank transfer")

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, related_name="toss_refunds", verbose_name=_("booking")
    )
    # Indexed by tossrefund_one_per_order.
    order = models.ForeignKey(
        TossOrder, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CANCELLATION)
    amount = models.PositiveIntegerField(_("amount (KRW)"))
    reason = models.CharField(_("reason"), max_length=200)
    idempotency_key = models.CharField(max_length=64, unique=True, default=new_idempotency_key, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    done_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    last_response = models.JSONField(_("Toss's last answer"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("online refund")
        verbose_name_plural = _("online refunds")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="tossrefund_amount_positive"),
            # An order is refunded once, and a booking's cancellation once.
            models.UniqueConstraint(fields=["order"], name="tossrefund_one_per_order"),
            models.UniqueConstraint(
                fields=["booking"], condition=Q(kind="cancellation"), name="tossrefund_one_cancellation_per_booking"
            ),
        ]
        indexes = [
            # The outbox sweep: refunds to send whose time has come (payments.services.send_due_refunds).
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="tossrefund_due_idx"),
            models.Index(fields=["created"], name="tossrefund_created_idx"),
        ]

    def __str__(self):
        return f"{self.order.order_id}: {self.amount}"
