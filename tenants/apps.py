from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Tenants")

    def ready(self):
        from audit.labels import register_labels
        from tenants import notifications, signals  # noqa: F401  (signals connects the receivers)

        notifications.register()
        register_labels(
            {
                "contract.created": _("Contract made"),
                "contract.notice_given": _("Notice of not renewing given"),
                "renewal.submitted": _("Requested"),
                "renewal.resubmitted": _("Sent again"),
                "renewal.approved": _("Approved"),
                "renewal.rejected": _("Refused"),
                "renewal.changes_requested": _("Changes asked for"),
                "renewal.accepted": _("Terms accepted"),
                "renewal.withdrawn": _("Withdrawn"),
                "outcome.filed": _("Outcomes reported"),
                "outcome.updated": _("Outcomes corrected"),
                "outcome.reminded": _("Asked for the outcomes"),
            }
        )
