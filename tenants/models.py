from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from common.db import PostgresExclusionConstraint
from tenants.validators import format_business_number, validate_business_number


class Organization(models.Model):
    """A company or group that books rooms or leases a unit; people act for it as members."""

    class Kind(models.TextChoices):
        STARTUP = "startup", _("Startup")
        SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
        COOPERATIVE = "cooperative", _("Cooperative")
        VILLAGE_ENTERPRISE = "village_enterprise", _("Village enterprise")
        CONTENT_COMPANY = "content_company", _("Content company")
        PUBLIC_BODY = "public_body", _("Public body")
        OTHER = "other", _("Other")

    class BusinessStatus(models.TextChoices):
        # As the National Tax Service reports it (tenants.nts): 01 계속, 02 휴업, 03 폐업.
        ACTIVE = "active", pgettext_lazy("business status", "In business")
        SUSPENDED = "suspended", pgettext_lazy("business status", "Suspended")
        CLOSED = "closed", pgettext_lazy("business status", "Closed")
        # Not asked yet, no key to ask with, the service did not answer, or the number is not registered.
        UNVERIFIED = "unverified", pgettext_lazy("business status", "Not verified")

    # Kinds that count as the social economy for fee reductions.
    SOCIAL_ECONOMY_KINDS = (Kind.SOCIAL_ENTERPRISE, Kind.COOPERATIVE, Kind.VILLAGE_ENTERPRISE)

    name = models.CharField(_("name (Korean)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.STARTUP)
    business_number = models.CharField(
        _("business registration number"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_business_number],
        help_text=_("10 digits, e.g. 123-45-67890."),
    )
    business_status = models.CharField(
        _("business status"), max_length=12, choices=BusinessStatus.choices, default=BusinessStatus.UNVERIFIED
    )
    business_checked_at = models.DateTimeField(_("business status checked at"), null=True, blank=True)
    business_status_note = models.CharField(_("tax service's note"), max_length=200, blank=True)
    representative = models.CharField(_("representative"), max_length=100, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organizations", verbose_name=_("members")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            # Normalized digits only; formatting is for display.
            models.CheckConstraint(
                condition=Q(business_number__isnull=True) | Q(business_number__regex=r"^[0-9]{10}$"),
                name="organization_business_number_digits",
            ),
        ]
        indexes = [
            # The yearly re-check: numbers never checked, or checked longest ago, first.
            models.Index(
                fields=["business_checked_at"],
                condition=Q(business_number__isnull=False),
                name="organization_nts_check_idx",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "ko").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def business_number_display(self) -> str:
        return format_business_number(self.business_number or "")

    @property
    def is_social_economy(self) -> bool:
        """A social-economy organization still in business: a closed one gets no social-economy reduction."""
        return self.kind in self.SOCIAL_ECONOMY_KINDS and not self.is_closed_business

    @property
    def is_closed_business(self) -> bool:
        return self.business_status == self.BusinessStatus.CLOSED

    def clean_fields(self, exclude=None):
        if self.business_number and not (exclude and "business_number" in exclude):
            # People write "123-45-67890"; the field holds the 10 digits, so separators go before validation.
            self.business_number = "".join(self.business_number.split()).replace("-", "")
        super().clean_fields(exclude=exclude)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organization")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user_per_org"),
        ]

    def __str__(self):
        return f"{self.user} · {self.organization} ({self.get_role_display()})"


class LeasableUnit(models.Model):
    """An office or resident writers' room that an organization can lease."""

    facility = models.ForeignKey(
        "hall.Facility", on_delete=models.PROTECT, related_name="units", verbose_name=_("facility")
    )
    code = models.CharField(_("unit"), max_length=20, help_text=_("For example 101 or W3."))
    floor = models.SmallIntegerField(_("floor"), default=1)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=1, validators=[MinValueValidator(1)])
    monthly_rent = models.PositiveIntegerField(_("monthly rent (KRW)"))
    maintenance_fee = models.PositiveIntegerField(_("monthly maintenance fee (KRW)"), default=0)
    deposit = models.PositiveIntegerField(_("deposit (KRW)"), default=0)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("leasable unit")
        verbose_name_plural = _("leasable units")
        ordering = ["facility__position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "code"], name="unit_unique_code_per_facility"),
        ]

    def __str__(self):
        return f"{self.facility.display_name} {self.code}"


class DateRange(models.Func):
    """``daterange(start_date, end_date, '[]')``: the days a contract covers, both ends included."""

    function = "DATERANGE"
    output_field = DateRangeField()


def contract_days() -> DateRange:
    return DateRange("start_date", "end_date", RangeBoundary(inclusive_lower=True, inclusive_upper=True))


class LeaseContract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")
        RENEWED = "renewed", _("Renewed")

    # Statuses that hold the unit for their dates; at most one per unit on any day.
    LIVE_STATUSES = (Status.DRAFT, Status.ACTIVE, Status.RENEWED)

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("organization")
    )
    unit = models.ForeignKey(LeasableUnit, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("unit"))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    monthly_rent = models.PositiveIntegerField(_("monthly rent (KRW)"))
    maintenance_fee = models.PositiveIntegerField(_("monthly maintenance fee (KRW)"), default=0)
    deposit = models.PositiveIntegerField(_("deposit (KRW)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    notice_period_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=90)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_ip = models.GenericIPAddressField(_("accepted from IP"), null=True, blank=True)
    renews = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewed_by",
        verbose_name=_("renews"),
    )
    non_renewal_notice_at = models.DateTimeField(_("notice of not renewing given"), null=True, blank=True)
    non_renewal_notice_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    non_renewal_note = models.TextField(_("moving-out note"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("lease contract")
        verbose_name_plural = _("lease contracts")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="contract_end_after_start"),
            # One live contract per unit on any day (PostgreSQL; SQLite: the service checks).
            PostgresExclusionConstraint(
                name="contract_one_live_per_unit",
                expressions=[(contract_days(), RangeOperators.OVERLAPS), ("unit", RangeOperators.EQUAL)],
                condition=Q(status__in=["draft", "active", "renewed"]),
                violation_error_code="unit_taken",
            ),
        ]
        indexes = [
            # Expiry reminders and the daily status job: contracts by status and end date.
            models.Index(fields=["status", "end_date"], name="contract_status_end_idx"),
            models.Index(fields=["organization", "start_date"], name="contract_org_start_idx"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.organization} ({self.start_date} – {self.end_date})"

    def get_absolute_url(self):
        return reverse("tenants:contract_detail", kwargs={"pk": self.pk})

    @property
    def facility(self):
        return self.unit.facility

    def days_to_expiry(self, today: date) -> int:
        return (self.end_date - today).days

    @property
    def shown_status(self) -> str:
        """The status as people read it: an active lease whose first day is still ahead (a renewal that starts
        when the current one ends) is "upcoming", not yet in force."""
        if self.status == self.Status.ACTIVE and self.start_date > timezone.localdate():
            return "upcoming"
        return self.status

    @property
    def status_label(self) -> str:
        return _("Upcoming") if self.shown_status == "upcoming" else self.get_status_display()


class RenewalRequest(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved, awaiting acceptance")
        REJECTED = "rejected", _("Rejected")
        ACCEPTED = "accepted", _("Accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.APPROVED)
    TERM_CHOICES = (6, 12, 24)

    contract = models.ForeignKey(
        LeaseContract, on_delete=models.CASCADE, related_name="renewal_requests", verbose_name=_("contract")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    term_months = models.PositiveSmallIntegerField(_("term (months)"), choices=[(t, t) for t in TERM_CHOICES])
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    proposed_rent = models.PositiveIntegerField(_("proposed monthly rent (KRW)"), null=True, blank=True)
    manager_note = models.TextField(_("manager's note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_ip = models.GenericIPAddressField(_("accepted from IP"), null=True, blank=True)
    new_contract = models.OneToOneField(
        LeaseContract, null=True, blank=True, on_delete=models.SET_NULL, related_name="created_by_renewal"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("renewal request")
        verbose_name_plural = _("renewal requests")
        ordering = ["created", "pk"]
        constraints = [
            # One open renewal request per contract; a double submit finds the existing one.
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status__in=["submitted", "changes_requested", "approved"]),
                name="renewal_one_open_per_contract",
            ),
            models.CheckConstraint(condition=Q(term_months__in=[6, 12, 24]), name="renewal_term_allowed"),
        ]
        indexes = [models.Index(fields=["status", "created"], name="renewal_status_created_idx")]

    def __str__(self):
        return f"{self.contract} +{self.term_months}"

    def get_absolute_url(self):
        return reverse("tenants:renewal_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class RenewalDocument(models.Model):
    renewal = models.ForeignKey(
        RenewalRequest, on_delete=models.CASCADE, related_name="documents", verbose_name=_("renewal request")
    )
    file = models.FileField(_("file"), upload_to="renewals/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("renewal document")
        verbose_name_plural = _("renewal documents")
        ordering = ["created", "pk"]

    def __str__(self):
        return self.original_name


class Invitation(models.Model):
    """An invitation to join an organization, sent by e-mail as a signed, expiring link."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organization")
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created"]
        constraints = [
            # One pending invitation per address and organization; re-inviting resends it.
            models.UniqueConstraint(
                Lower("email"),
                "organization",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organization}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


# The years an outcome report may name; the service also refuses a year that has not ended yet.
OUTCOME_FIRST_YEAR = 2000
OUTCOME_LAST_YEAR = 2100


class OutcomeReport(models.Model):
    """What a tenant achieved in one calendar year (성과 보고): the figures a public incubator reports on.

    One row per organization and year; filing the same year again corrects it (tenants.outcomes).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="outcome_reports", verbose_name=_("organization")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sales = models.PositiveBigIntegerField(_("sales (KRW)"))
    employees = models.PositiveIntegerField(_("employees at year end"))
    investment = models.PositiveBigIntegerField(_("investment attracted (KRW)"), default=0)
    ip_count = models.PositiveIntegerField(_("intellectual property (patents etc.)"), default=0)
    ip_note = models.TextField(_("note on intellectual property"), blank=True)
    products_launched = models.PositiveIntegerField(_("products launched"), default=0)
    products_note = models.TextField(_("note on products"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("outcome report")
        verbose_name_plural = _("outcome reports")
        ordering = ["organization__name", "-year"]
        constraints = [
            # One report per organization and year; filing again updates it. Its index also serves the
            # reports of an organization (the tenant's page) and of a year (the manager's table).
            models.UniqueConstraint(fields=["organization", "year"], name="outcome_one_report_per_year"),
            # Positive fields already refuse negatives on PostgreSQL and SQLite; named here, the rule holds on
            # any database and reads in one place.
            models.CheckConstraint(
                condition=Q(sales__gte=0)
                & Q(employees__gte=0)
                & Q(investment__gte=0)
                & Q(ip_count__gte=0)
                & Q(products_launched__gte=0),
                name="outcome_figures_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=OUTCOME_FIRST_YEAR) & Q(year__lte=OUTCOME_LAST_YEAR), name="outcome_year_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.year}"
