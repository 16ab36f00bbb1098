from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Tenants")

    def ready(self):
        from tenants import notifications, signals  # noqa: F401  (signals connects the receivers)

        notifications.register()
