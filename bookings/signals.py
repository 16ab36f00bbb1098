"""What bookings tells the apps above it, which it never imports (payments refunds an online payment)."""

from django.dispatch import Signal

# A cancellation made a refund due (``booking.payment_status`` is refund_due, ``booking.refund_amount`` set).
# Sent inside the cancellation's transaction: a receiver's writes commit or roll back with it.
refund_due = Signal()  # sender=Booking, booking=<Booking>
