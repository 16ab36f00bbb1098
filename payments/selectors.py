"""Reads of online payments: the booker's pay box, the manager's month."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q, QuerySet

from bookings.models import Booking
from bookings.rules import HALL_TZ
from payments.models import TossOrder, TossRefund
from payments.services import is_payable, online_payment_enabled


@dataclass(frozen=True)
class PayBox:
    """What the booking page shows about paying online."""

    can_pay: bool = False
    waiting: TossOrder | None = None  # a virtual account waiting for the deposit
    checking: TossOrder | None = None  # a payment whose confirmation Toss has not answered yet
    refund: TossRefund | None = None


def pay_box(booking: Booking, user) -> PayBox:
    """For the booker only, and only while online payment is on (no query otherwise)."""
    if not online_payment_enabled() or not user.is_authenticated or booking.requested_by_id != user.pk:
        return PayBox()
    if booking.payment_status in (Booking.PaymentStatus.REFUND_DUE, Booking.PaymentStatus.REFUNDED):
        return PayBox(refund=TossRefund.objects.filter(booking=booking, kind=TossRefund.Kind.CANCELLATION).first())
    if not is_payable(booking):
        return PayBox()
    orders = list(
        TossOrder.objects.filter(
            booking=booking,
            status__in=[TossOrder.Status.WAITING_FOR_DEPOSIT, TossOrder.Status.TO_CHECK, TossOrder.Status.CONFIRMING],
        ).order_by("-created", "-pk")
    )
    waiting = next((order for order in orders if order.status == TossOrder.Status.WAITING_FOR_DEPOSIT), None)
    checking = next((order for order in orders if order.status != TossOrder.Status.WAITING_FOR_DEPOSIT), None)
    return PayBox(can_pay=waiting is None, waiting=waiting, checking=checking)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's, in the hall's time zone."""
    first = month.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
    )
    return datetime.combine(first, time(0), tzinfo=HALL_TZ), datetime.combine(following, time(0), tzinfo=HALL_TZ)


def orders_of_month(facilities, month: date) -> QuerySet[TossOrder]:
    """The payment attempts of the facilities' bookings that went further than opening the checkout, begun in
    the month, newest first."""
    start, end = month_bounds(month)
    return (
        TossOrder.objects.filter(booking__space__facility__in=facilities, created__gte=start, created__lt=end)
        .exclude(status=TossOrder.Status.READY)
        .select_related("booking__space__facility", "booking__organization", "booking__requested_by")
        .order_by("-created", "-pk")
    )


def refunds_to_watch(facilities, month: date) -> QuerySet[TossRefund]:
    """Refunds of the month, and every refund not done yet whatever its month (the manager sees them until
    they succeed)."""
    start, end = month_bounds(month)
    open_refund = Q(status__in=[TossRefund.Status.PENDING, TossRefund.Status.FAILED]) | Q(
        status=TossRefund.Status.MANUAL, booking__payment_status=Booking.PaymentStatus.REFUND_DUE
    )
    return (
        TossRefund.objects.filter(booking__space__facility__in=facilities)
        .filter(open_refund | Q(created__gte=start, created__lt=end))
        .select_related("order", "booking__space__facility", "booking__organization", "booking__requested_by")
        .order_by("-created", "-pk")
    )


def refund_needs_attention(refund: TossRefund) -> bool:
    return refund.status in (TossRefund.Status.PENDING, TossRefund.Status.FAILED) or (
        refund.status == TossRefund.Status.MANUAL and refund.booking.payment_status == Booking.PaymentStatus.REFUND_DUE
    )
