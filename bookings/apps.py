from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self):
        from django.db.backends.signals import connection_created

        from bookings import admission, notifications

        notifications.register()
        connection_created.connect(admission.set_lock_timeout, dispatch_uid="bookings.lock_timeout")
