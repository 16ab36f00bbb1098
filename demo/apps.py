from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data and ``seed_dongnam``: above every domain app, so none of them depends on the demo."""

    name = "demo"
    verbose_name = _("Demo data")
