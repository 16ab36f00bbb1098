"""What payments does when bookings tells it something (bookings never imports payments)."""

from payments import services


def refund_online_payment(sender, booking, **kwargs) -> None:
    """bookings.signals.refund_due: a booking paid through Toss gets its refund written to the outbox, in the
    cancellation's transaction, and sent once it commits."""
    services.owe_refund(booking=booking)
