from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Online payments")

    def ready(self):
        from audit.labels import register_labels
        from bookings.signals import refund_due
        from payments.receivers import refund_online_payment

        refund_due.connect(refund_online_payment, dispatch_uid="payments.refund_online_payment")
        register_labels({"payment.refund_retried": _("Online refund sent again")})
