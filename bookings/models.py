import secrets

from django.conf import settings
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Func, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.db import PostgresExclusionConstraint
from hall.models import BilingualNameMixin


class TsTzRange(Func):
    """``tstzrange(start, end, '[)')``: the half-open period of a booking or closure."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def period(start="start", end="end") -> TsTzRange:
    # The same expression in the exclusion constraint and in the queries, so PostgreSQL uses its index.
    return TsTzRange(start, end, RangeBoundary())


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        # Held for the first of the waiting list until they accept or the offer expires.
        OFFERED = "offered", _("Offered from the waiting list")
        NO_SHOW = "no_show", _("No-show")

    # Statuses that hold the room; no two of them may overlap for one space.
    ACTIVE_STATUSES = (Status.PENDING, Status.APPROVED, Status.OFFERED)

    class PaymentStatus(models.TextChoices):
        NOT_REQUIRED = "not_required", _("Free")
        UNPAID = "unpaid", _("Unpaid")
        PAID = "paid", _("Paid")
        REFUND_DUE = "refund_due", _("Refund due")
        REFUNDED = "refunded", _("Refunded")

    # No single-column indexes on the space, the organization and the booker: the composite indexes below
    # lead with them, and every booking would pay for updating both.
    space = models.ForeignKey(
        "hall.Space", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("space"), db_index=False
    )
    organization = models.ForeignKey(
        "tenants.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("organization"),
        db_index=False,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("booked by"),
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=150)
    purpose = models.TextField(_("purpose"), blank=True)
    attendees = models.PositiveIntegerField(_("attendees"), validators=[MinValueValidator(1)])
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
        db_index=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cancelled by"),
        db_index=False,
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason of the cancellation"), blank=True)
    override_reason = models.TextField(
        _("rule override"), blank=True, help_text=_("Why a manager booked outside the space's rules.")
    )
    # The fee is fixed when booking: later price changes do not change past bookings. Integer KRW.
    fee = models.PositiveIntegerField(_("fee (KRW)"), default=0)
    reduction_percent = models.PositiveSmallIntegerField(_("reduction (%)"), default=0)
    reduction_category = models.CharField(_("reduction for"), max_length=20, blank=True)
    amount_due = models.PositiveIntegerField(_("amount to pay (KRW)"), default=0)
    payment_status = models.CharField(
        _("payment"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.NOT_REQUIRED
    )
    payment_deadline = models.DateTimeField(_("pay by"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    refund_amount = models.PositiveIntegerField(_("refund (KRW)"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    series = models.ForeignKey(
        "BookingSeries",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
        verbose_name=_("series"),
        db_index=False,
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer open until"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_end_after_start"),
            models.CheckConstraint(condition=Q(attendees__gte=1), name="booking_attendees_positive"),
            # A booking that was cancelled or rejected owes nothing it has not paid.
            models.CheckConstraint(
                condition=~Q(status__in=["cancelled", "rejected"], payment_status="unpaid"),
                name="booking_inactive_not_unpaid",
            ),
            # No two active bookings of one space overlap. Half-open periods: 10–12 and 12–14 may coexist.
            PostgresExclusionConstraint(
                name="booking_no_overlap",
                expressions=[(period(), RangeOperators.OVERLAPS), ("space", RangeOperators.EQUAL)],
                condition=Q(status__in=["pending", "approved", "offered"]),
                violation_error_code="slot_taken",
            ),
        ]
        indexes = [
            # SQLite's overlap check and the timelines: bookings of a space around a time; the bookings of the
            # facilities a manager sees (bookings.selectors.visible_bookings).
            models.Index(fields=["space", "start"], name="booking_space_start_idx"),
            # "My bookings" and the organization's history; the bookings a member sees (visible_bookings).
            models.Index(fields=["requested_by", "start"], name="booking_requester_start_idx"),
            models.Index(fields=["organization", "start"], name="booking_org_start_idx"),
            # The approval queue: pending bookings, oldest first.
            models.Index(fields=["status", "created"], name="booking_status_created_idx"),
            # Payments due and overdue (bookings.services.cancel_unpaid_bookings, the payments page).
            models.Index(
                fields=["payment_deadline"], condition=Q(payment_status="unpaid"), name="booking_unpaid_deadline_idx"
            ),
            # The reminder sweep: approved bookings starting within the next day (notifications.reminders).
            models.Index(fields=["status", "start"], name="booking_status_start_idx"),
            # A series' bookings, and the rows to update when a user is deleted. Most bookings leave these
            # empty, so the indexes skip the NULLs instead of growing with every booking.
            models.Index(fields=["series"], condition=Q(series__isnull=False), name="booking_series_idx"),
            models.Index(fields=["decided_by"], condition=Q(decided_by__isnull=False), name="booking_decided_by_idx"),
            models.Index(
                fields=["cancelled_by"], condition=Q(cancelled_by__isnull=False), name="booking_cancelled_by_idx"
            ),
            models.Index(
                fields=["payment_recorded_by"],
                condition=Q(payment_recorded_by__isnull=False),
                name="booking_payment_recorder_idx",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.start:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("bookings:booking_detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def payment_display(self) -> str:
        """The payment state as the booker reads it: a cancelled or rejected booking has nothing to pay."""
        if self.payment_status == self.PaymentStatus.NOT_REQUIRED and self.amount_due and not self.is_active:
            return str(_("Nothing to pay"))
        return self.get_payment_status_display()

    @property
    def last_decision(self) -> dict | None:
        """The latest decision on the booking, with its own time, who made it and why (the "Decision" line)."""
        if self.cancelled_at:
            return {
                "label": self.get_status_display(),
                "at": self.cancelled_at,
                "by": self.cancelled_by,
                "reason": self.cancel_reason,
            }
        if self.decided_at:
            label = self.Status.REJECTED.label if self.status == self.Status.REJECTED else self.Status.APPROVED.label
            return {"label": label, "at": self.decided_at, "by": self.decided_by, "reason": self.decision_reason}
        return None

    def get_reduction_label(self) -> str:
        from bookings.fees import CATEGORY_LABELS

        if self.reduction_category and self.reduction_category not in CATEGORY_LABELS:
            # A category a facility added itself: its own name (one query, only for such codes).
            category = ReductionCategory.objects.filter(
                facility_id=self.space.facility_id, code=self.reduction_category
            ).first()
            return category.display_name if category else self.reduction_category
        return str(CATEGORY_LABELS.get(self.reduction_category, ""))


class BookingSeries(models.Model):
    """A weekly booking: its occurrences are ordinary bookings linked to it."""

    space = models.ForeignKey("hall.Space", on_delete=models.PROTECT, related_name="series", verbose_name=_("space"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booking_series", verbose_name=_("booked by")
    )
    organization = models.ForeignKey(
        "tenants.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=150)
    weekdays = models.JSONField(_("weekdays"), default=list)
    interval_weeks = models.PositiveSmallIntegerField(_("every … weeks"), default=1)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("occurrences asked"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.title} ({', '.join(self.weekdays)})"


class Closure(models.Model):
    """A period when a space, or a whole facility, takes no bookings (maintenance, hall events)."""

    facility = models.ForeignKey(
        "hall.Facility", on_delete=models.CASCADE, related_name="closures", verbose_name=_("facility")
    )
    space = models.ForeignKey(
        "hall.Space",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name=_("space"),
        help_text=_("Leave empty to close every space of the facility."),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="closure_end_after_start"),
        ]
        indexes = [
            # Closures around a time for a facility (rule checks, free-space search).
            models.Index(fields=["facility", "end"], name="closure_facility_end_idx"),
        ]

    def __str__(self):
        return f"{self.reason} ({self.start:%Y-%m-%d} – {self.end:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("bookings:closure_detail", kwargs={"pk": self.pk})


def _new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret address of a user's personal calendar feed; a new token revokes the old address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("user")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_feed_token)
    created = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.user}"

    def rotate(self) -> None:
        self.token = _new_feed_token()
        self.save(update_fields=["token", "created"])


class WaitlistEntry(models.Model):
    """Someone waiting for a taken slot; when it frees, the first in line is offered it."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered")
        BOOKED = "booked", _("Booked")
        EXPIRED = "expired", _("Offer expired")
        LEFT = "left", _("Left the list")

    OPEN_STATUSES = (Status.WAITING, Status.OFFERED)

    space = models.ForeignKey("hall.Space", on_delete=models.CASCADE, related_name="waitlist", verbose_name=_("space"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries", verbose_name=_("who")
    )
    organization = models.ForeignKey(
        "tenants.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=150)
    attendees = models.PositiveIntegerField(_("attendees"), validators=[MinValueValidator(1)])
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    offer = models.OneToOneField(
        Booking,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="waitlist_entry",
        verbose_name=_("offer"),
    )
    created = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list entries")
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="waitlist_end_after_start"),
            # Joining the same slot twice is refused.
            models.UniqueConstraint(
                fields=["space", "start", "end", "requested_by"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_open_entry_per_slot",
            ),
        ]
        indexes = [
            # The first in line for a freed period of a space (bookings.waitlist.offer_freed_time).
            models.Index(fields=["space", "status", "created"], name="waitlist_space_status_idx"),
        ]

    def __str__(self):
        return f"{self.space} {self.start:%Y-%m-%d %H:%M} · {self.requested_by}"


class ReductionCategory(BilingualNameMixin, models.Model):
    """A category of applicant that earns a reduction of the fee at one facility (감면 대상).

    Most are granted on evidence, through a ``ReductionApplication`` the facility's manager approves. The
    hall's tenants and public bodies (``bookings.fees.AUTOMATIC_CODES``) are decided by the lease and by the
    organization's kind, as before, at the facility's own tenant and public-body percents: their rows only
    list them for bookers.
    """

    facility = models.ForeignKey(
        "hall.Facility", on_delete=models.CASCADE, related_name="reduction_categories", verbose_name=_("facility")
    )
    # Stored in Booking.reduction_category (max. 20 characters), so a booking keeps saying what it was reduced for.
    code = models.SlugField(_("code"), max_length=20)
    name = models.CharField(_("name (Korean)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.CharField(
        _("evidence to give (Korean)"), max_length=255, blank=True, help_text=_("e.g. 국가유공자증 사본")
    )
    description_en = models.CharField(_("evidence to give (English)"), max_length=255, blank=True)
    percent = models.PositiveSmallIntegerField(
        _("reduction (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    evidence_required = models.BooleanField(_("evidence required"), default=True)
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive: no new applications."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("reduction category")
        verbose_name_plural = _("reduction categories")
        ordering = ["facility__position", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "code"], name="reduction_category_code_per_facility"),
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=100), name="reduction_category_percent_1_100"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def decided_automatically(self) -> bool:
        from bookings.fees import AUTOMATIC_CODES

        return self.code in AUTOMATIC_CODES and not self.evidence_required

    @property
    def shown_percent(self) -> int:
        """The percent a booker gets: the facility's own setting for the categories decided automatically."""
        from bookings.fees import automatic_percent

        if self.decided_automatically:
            return automatic_percent(self.facility, self.code)
        return self.percent


class ReductionApplication(models.Model):
    """An organization's application for a reduction category, with its evidence (감면 신청).

    Per organization, like every reduction: the fee logic prices a booking for its organization. Approved,
    it reduces the fee of the organization's bookings at the category's facility made until ``valid_until``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Under review")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # An approved application past its date, closed when the organization applies again.
        EXPIRED = "expired", _("Expired")

    OPEN_STATUSES = (Status.PENDING, Status.APPROVED)

    organization = models.ForeignKey(
        "tenants.Organization",
        on_delete=models.CASCADE,
        related_name="reduction_applications",
        verbose_name=_("organization"),
        # reduction_org_status_idx leads with the organization.
        db_index=False,
    )
    category = models.ForeignKey(
        ReductionCategory, on_delete=models.PROTECT, related_name="applications", verbose_name=_("category")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("applicant")
    )
    document = models.FileField(_("evidence"), upload_to="reductions/%Y/%m/", blank=True)
    document_name = models.CharField(_("file name"), max_length=255, blank=True)
    document_type = models.CharField(_("type"), max_length=50, blank=True)
    document_size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created = models.DateTimeField(_("applied"), auto_now_add=True)

    class Meta:
        verbose_name = _("reduction application")
        verbose_name_plural = _("reduction applications")
        ordering = ["-created", "-pk"]
        constraints = [
            # One open application per organization and category: a second is refused while one is under
            # review or approved (an approved one past its date is closed as expired before applying again).
            models.UniqueConstraint(
                fields=["organization", "category"],
                condition=Q(status__in=["pending", "approved"]),
                name="reduction_one_open_per_category",
            ),
            # An approval always says until when it holds.
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(valid_until__isnull=False, decided_at__isnull=False),
                name="reduction_approved_has_end",
            ),
        ]
        indexes = [
            # The organization's applications: its page, and the reductions its bookings earn (bookings.reductions).
            models.Index(fields=["organization", "status"], name="reduction_org_status_idx"),
            # The managers' queue: applications under review, oldest first.
            models.Index(fields=["status", "created"], name="reduction_queue_idx"),
        ]

    def __str__(self):
        return f"{self.organization} · {self.category}"

    def get_absolute_url(self):
        return reverse("bookings:reductions")

    def in_force(self, today) -> bool:
        return self.status == self.Status.APPROVED and self.valid_until is not None and self.valid_until >= today

    @property
    def shown_status(self) -> str:
        """The status as people read it: an approval past its date reads "expired"."""
        from django.utils import timezone

        if self.status == self.Status.APPROVED and not self.in_force(timezone.localdate()):
            return self.Status.EXPIRED
        return self.status

    @property
    def shown_status_label(self) -> str:
        return self.Status(self.shown_status).label
