from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.labels import label_of


class AuditEntry(models.Model):
    """Who changed what, when, with the state before and after. Written by services, never edited."""

    created = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=50)
    # audit_target_idx leads with the type. No database constraint: checking it takes a share lock on the
    # target's content type row, the same row for every concurrent change of one kind of object, and such hot
    # parent rows make PostgreSQL build a multixact per transaction. Content types are fixed rows.
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("kind of object"),
    )
    target_id = models.PositiveBigIntegerField(_("object number"))
    target = GenericForeignKey("target_type", "target_id")
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["created", "pk"]
        indexes = [
            # The history of one object (audit.selectors.history_of).
            models.Index(fields=["target_type", "target_id", "created"], name="audit_target_idx"),
        ]

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M} {self.action}"

    @property
    def label(self) -> str:
        """The action as a history lists it, in the reader's language."""
        return label_of(self.action)
