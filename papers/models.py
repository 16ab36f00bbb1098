import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)


class IssuedPaper(models.Model):
    """A paper issued for a booking: its number and issue date are fixed the first time it is downloaded, so a
    second download prints the same paper. The content is read from the booking each time; only a permit has a
    token, the address its QR code points to (``papers:verify``)."""

    class Kind(models.TextChoices):
        PERMIT = "permit", _("Usage permit")
        PAYMENT_RECEIPT = "payment_receipt", _("Receipt")
        REFUND_RECEIPT = "refund_receipt", _("Refund receipt")

    # The number's prefix by kind: DN-2026-000123 (a permit), DN-R-2026-000124, DN-RF-2026-000125.
    NUMBER_PREFIXES = {Kind.PERMIT: "DN", Kind.PAYMENT_RECEIPT: "DN-R", Kind.REFUND_RECEIPT: "DN-RF"}

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, related_name="+", verbose_name=_("booking"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Assigned from the row's id right after it is inserted, in the same transaction.
    number = models.CharField(_("number"), max_length=30, unique=True, null=True, blank=True)
    token = models.CharField(_("verification token"), max_length=64, unique=True, null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("first downloaded by"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("issued paper")
        verbose_name_plural = _("issued papers")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # One paper of each kind per booking: a re-download, or two at once, finds the same row.
            # Its index also serves the lookup by booking and kind (papers.services.issue_paper).
            models.UniqueConstraint(fields=["booking", "kind"], name="issued_paper_one_per_booking_and_kind"),
            models.CheckConstraint(
                condition=Q(kind="permit") | Q(token__isnull=True), name="issued_paper_token_only_for_permits"
            ),
        ]

    def __str__(self):
        return self.number or f"{self.get_kind_display()} #{self.pk}"
