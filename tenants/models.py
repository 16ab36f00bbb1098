from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

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
        return self.kind in self.SOCIAL_ECONOMY_KINDS

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
