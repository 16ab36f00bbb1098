from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self):
        from django.db.backends.signals import connection_created

        from audit.labels import register_labels
        from bookings import admission, notifications

        notifications.register()
        register_labels(
            {
                "booking.created": _("Requested"),
                "booking.approved": _("Approved"),
                "booking.rejected": _("Rejected"),
                "booking.cancelled": _("Cancelled"),
                "booking.cancelled_unpaid": _("Cancelled: not paid by the deadline"),
                "booking.no_show": _("No-show"),
                "booking.paid": _("Payment recorded"),
                "booking.refunded": _("Refund paid back"),
                "booking.checked_in": _("Checked in"),
                "waitlist.offered": _("Offered from the waiting list"),
                "waitlist.accepted": _("Offer taken"),
                "waitlist.closed": _("Offer closed"),
                "reduction.applied": _("Reduction applied for"),
                "reduction.approved": _("Reduction approved"),
                "reduction.refused": _("Reduction refused"),
                "reduction.withdrawn": _("Application withdrawn"),
            }
        )
        connection_created.connect(admission.set_lock_timeout, dispatch_uid="bookings.lock_timeout")
