"""Which papers a booking has, read from its own fields (no query): the booking page's links, the downloads'
refusals and the verification page agree through these functions."""

from django.utils.translation import gettext as _

from bookings.models import Booking
from papers.models import IssuedPaper

Kind = IssuedPaper.Kind
Status = Booking.Status
PaymentStatus = Booking.PaymentStatus

# A paid booking's payment stays on record through its cancellation and its refund.
_PAID_STATUSES = (PaymentStatus.PAID, PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED)


def permit_is_valid(booking: Booking) -> bool:
    """A permit holds while the booking is approved and owes nothing: paid, or free.

    A free booking (no fee, or a reduction to 0 won) gets a permit too: the permit is the facility's leave to
    use the room, which the booker may have to show at the door or to their own organization, whatever it cost;
    its fee reads 0 won.
    """
    return booking.status == Status.APPROVED and booking.payment_status in (
        PaymentStatus.PAID,
        PaymentStatus.NOT_REQUIRED,
    )


def has_payment(booking: Booking) -> bool:
    return booking.payment_status in _PAID_STATUSES and booking.paid_at is not None and booking.amount_due > 0


def has_refund(booking: Booking) -> bool:
    return (
        booking.payment_status == PaymentStatus.REFUNDED
        and booking.refunded_at is not None
        and bool(booking.refund_amount)
    )


def refusal(booking: Booking, kind: str) -> str:
    """Why the booking has no paper of this kind (a message for the person who asked); empty when it has."""
    if kind == Kind.PERMIT:
        if permit_is_valid(booking):
            return ""
        if booking.status == Status.PENDING:
            return _("The usage permit is issued once the booking is approved.")
        if booking.status == Status.APPROVED:
            return _("The usage permit is issued once the fee is paid.")
        return _("This booking is %(status)s; it has no usage permit.") % {"status": booking.get_status_display()}
    if kind == Kind.PAYMENT_RECEIPT:
        return "" if has_payment(booking) else _("Nothing was paid for this booking, so it has no receipt.")
    if kind == Kind.REFUND_RECEIPT:
        if has_refund(booking):
            return ""
        if booking.payment_status == PaymentStatus.REFUND_DUE:
            return _("The refund has not been paid back yet; its receipt is issued once it is.")
        return _("Nothing was refunded for this booking, so it has no refund receipt.")
    raise ValueError(kind)


def available_kinds(booking: Booking) -> list[str]:
    """The papers a booking has now, in the order the booking page lists them."""
    return [kind for kind in (Kind.PERMIT, Kind.PAYMENT_RECEIPT, Kind.REFUND_RECEIPT) if not refusal(booking, kind)]
