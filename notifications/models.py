from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications.registry import Kinds, kind_choices


class Notification(models.Model):
    """One message to one person on one channel: the outbox row, written with the change that causes it.

    A sender claims it with a conditional update before sending (notifications.services.deliver), so
    two workers, a duplicated task or a second sweep never send it twice.
    """

    # The kinds are registered by the apps that send them (notifications.registry): Kind.BOOKING_APPROVED etc.
    Kind = Kinds()

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        IN_APP = "in_app", _("In the app")
        # 알림톡 to the recipient's verified mobile number, or the same text by SMS/LMS when KakaoTalk fails
        # (notifications.kakao).
        KAKAO = "kakao", _("KakaoTalk/SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        # notification_inbox_idx leads with the recipient.
        db_index=False,
    )
    # For people without an account yet (an invitation); otherwise the recipient's address is used.
    to_email = models.EmailField(_("e-mail address"), blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=kind_choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Never looked up by type alone: no index to update on every notification. No database constraint either:
    # checking it would lock the same few content type rows in every concurrent write (see audit.AuditEntry).
    subject_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    context = models.JSONField(_("details"), default=dict, blank=True)
    # Unique by a constraint (below) rather than unique=True, which on PostgreSQL adds a second index for LIKE
    # queries that nothing makes.
    dedupe_key = models.CharField(_("de-duplication key"), max_length=200)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # How a KakaoTalk/SMS message went out (ATA: 알림톡, SMS, LMS) and the provider's id of it, for support.
    sent_as = models.CharField(_("sent as"), max_length=3, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=60, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(to_email=""), name="notification_has_recipient"
            ),
            # One message per event, recipient and channel (notifications.services.dedupe_key).
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_dedupe_key_unique"),
        ]
        indexes = [
            # The sweep: pending notifications that are due (notifications.services.due_notifications).
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="notification_due_idx"),
            # Stale claims of crashed senders.
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="notification_sending_idx"),
            # The bell and the notifications page: a user's in-app messages, newest first.
            models.Index(fields=["recipient", "channel", "status", "-created"], name="notification_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient or self.to_email} ({self.get_channel_display()})"

    @property
    def address(self) -> str:
        return self.to_email or (self.recipient.email if self.recipient else "")
