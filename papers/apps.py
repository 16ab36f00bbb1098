from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PapersConfig(AppConfig):
    name = "papers"
    verbose_name = _("Permits and receipts")

    def ready(self):
        from audit.labels import register_labels

        # A paper's first download, in its booking's history (papers.services.issue_paper).
        register_labels(
            {
                "paper.permit": _("Usage permit issued"),
                "paper.payment_receipt": _("Receipt issued"),
                "paper.refund_receipt": _("Refund receipt issued"),
            }
        )
