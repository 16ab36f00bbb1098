from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from hall.opening_hours import default_opening_hours, format_opening_hours, opening_minutes, validate_opening_hours


class BilingualNameMixin:
    """Korean ``name`` is required; ``name_en`` is shown to English readers when it is filled in."""

    @property
    def display_name(self) -> str:
        if (get_language() or "ko").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def display_description(self) -> str:
        if (get_language() or "ko").startswith("en") and getattr(self, "description_en", ""):
            return self.description_en
        return getattr(self, "description", "")

    def __str__(self):
        return self.display_name


class Building(BilingualNameMixin, models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name (Korean)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description (Korean)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["position", "slug"]


def default_refund_tiers() -> list[list[int]]:
    # Full refund 7+ days before, 10% kept 3–6 days before, 30% kept 1–2 days before, nothing on the day.
    return [[7, 100], [3, 90], [1, 70], [0, 0]]


def validate_refund_tiers(value) -> None:
    from django.core.exceptions import ValidationError

    message = _("Give pairs of [days before the start, percent refunded], e.g. [[7, 100], [0, 0]].")
    if not isinstance(value, list) or not value:
        raise ValidationError(message)
    for tier in value:
        if (
            not isinstance(tier, list | tuple)
            or len(tier) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in tier)
            or tier[0] < 0
            or not 0 <= tier[1] <= 100
        ):
            raise ValidationError(message)


# A bank account number as banks print it: digits in groups joined by single hyphens (301-1234-5678-91).
BANK_ACCOUNT_NUMBER_PATTERN = r"^[0-9]+(-[0-9]+)*$"
validate_bank_account_number = RegexValidator(
    BANK_ACCOUNT_NUMBER_PATTERN,
    _("Write the account number with digits and hyphens only, e.g. 301-1234-5678-91."),
    code="invalid_account_number",
)


class Facility(BilingualNameMixin, models.Model):
    """One of the four facilities of the hall. Its booking policy is the default of its spaces."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("building")
    )
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name (Korean)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description (Korean)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    operator = models.CharField(_("operated by"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_facilities",
        verbose_name=_("managers"),
        help_text=_("Staff who approve bookings, close rooms and review lease renewals here."),
    )

    # Booking policy defaults; a space may override each of them.
    opening_hours = models.JSONField(
        _("opening hours"), default=default_opening_hours, validators=[validate_opening_hours]
    )
    open_on_holidays = models.BooleanField(_("open on public holidays"), default=False)
    requires_approval = models.BooleanField(_("bookings need approval"), default=True)
    slot_minutes = models.PositiveSmallIntegerField(
        _("time granularity (minutes)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(1440)]
    )
    min_duration_minutes = models.PositiveIntegerField(_("minimum duration (minutes)"), default=30)
    max_duration_minutes = models.PositiveIntegerField(_("maximum duration (minutes)"), default=480)
    max_days_ahead = models.PositiveSmallIntegerField(_("bookable days ahead"), default=60)
    tenant_max_days_ahead = models.PositiveSmallIntegerField(_("bookable days ahead for tenants"), default=90)
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=60)

    # Leases of public property: limited total tenancy and rent increase at renewal.
    max_tenancy_months = models.PositiveSmallIntegerField(
        _("maximum tenancy (months, renewals included)"), default=60, validators=[MinValueValidator(1)]
    )
    max_rent_increase_percent = models.DecimalField(
        _("maximum rent increase at renewal (%)"), max_digits=5, decimal_places=2, default=5
    )
    renewal_window_days = models.PositiveSmallIntegerField(_("renewal opens (days before the end)"), default=90)

    # Public rental rules (대관): reductions by category of applicant, payment deadline, refunds, quotas.
    tenant_reduction_percent = models.PositiveSmallIntegerField(
        _("reduction for the hall's tenants (%)"), default=30, validators=[MaxValueValidator(100)]
    )
    social_economy_reduction_percent = models.PositiveSmallIntegerField(
        _("reduction for social-economy organizations (%)"), default=30, validators=[MaxValueValidator(100)]
    )
    public_body_reduction_percent = models.PositiveSmallIntegerField(
        _("reduction for public bodies (%)"), default=50, validators=[MaxValueValidator(100)]
    )
    payment_deadline_days = models.PositiveSmallIntegerField(
        _("days to pay after approval"), default=2, validators=[MinValueValidator(1)]
    )
    payment_cutoff_hours = models.PositiveSmallIntegerField(
        _("payment due at the latest (hours before the start)"),
        default=2,
        help_text=_("A booking approved later than this is paid by its start."),
    )
    refund_tiers = models.JSONField(
        _("refund by days before the start"),
        default=default_refund_tiers,
        validators=[validate_refund_tiers],
        help_text=_("Pairs of [days before, percent refunded], e.g. [[7, 100], [3, 90], [1, 70], [0, 0]]."),
    )
    monthly_quota_hours = models.PositiveSmallIntegerField(
        _("monthly hours per organization"), null=True, blank=True, help_text=_("Empty: no quota.")
    )
    no_show_limit = models.PositiveSmallIntegerField(
        _("no-shows before bookings need approval"),
        null=True,
        blank=True,
        help_text=_("Within 90 days, per organization. Empty: no limit."),
    )
    tenant_monthly_quota_hours = models.PositiveSmallIntegerField(
        _("monthly hours per tenant organization"), null=True, blank=True, help_text=_("Empty: as other organizations.")
    )

    # The operator's account for bank transfers (계좌이체), shown wherever a fee is due; empty: ask the office.
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    bank_account_number = models.CharField(
        _("account number"),
        max_length=30,
        blank=True,
        validators=[validate_bank_account_number],
        help_text=_("Digits and hyphens, e.g. 301-1234-5678-91."),
    )
    bank_account_holder = models.CharField(_("account holder"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["position", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_duration_minutes__lte=models.F("max_duration_minutes")),
                name="facility_min_duration_lte_max",
            ),
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="facility_slot_minutes_positive"),
            models.CheckConstraint(
                condition=Q(bank_account_number="") | Q(bank_account_number__regex=BANK_ACCOUNT_NUMBER_PATTERN),
                name="facility_bank_account_number_digits",
            ),
        ]

    def save(self, **kwargs):
        adding = self._state.adding
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(**kwargs)
            if _saves_field(kwargs.get("update_fields"), "opening_hours"):
                OpeningInterval.write(facility=self, opening_hours=self.opening_hours, replace=not adding)

    def get_absolute_url(self):
        return reverse("bookings:space_list") + f"?facility={self.slug}"

    def clean(self):
        super().clean()
        # An account is shown only whole: the bank, the number and the holder go together.
        account = {
            "bank_name": self.bank_name.strip(),
            "bank_account_number": self.bank_account_number.strip(),
            "bank_account_holder": self.bank_account_holder.strip(),
        }
        if any(account.values()):
            message = _("Fill in the bank, the account number and the holder together.")
            missing = {field: message for field, value in account.items() if not value}
            if missing:
                raise ValidationError(missing)

    @property
    def has_bank_account(self) -> bool:
        return bool(self.bank_name and self.bank_account_number and self.bank_account_holder)

    @property
    def bank_account_display(self) -> str:
        """The account to pay into, as a payer copies it: "농협 301-1234-5678-91 (예금주 …)"; empty without one."""
        if not self.has_bank_account:
            return ""
        return gettext("%(bank)s %(number)s (account holder %(holder)s)") % {
            "bank": self.bank_name,
            "number": self.bank_account_number,
            "holder": self.bank_account_holder,
        }


class Amenity(BilingualNameMixin, models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name (Korean)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")
        ordering = ["slug"]


@dataclass(frozen=True)
class BookingPolicy:
    """The rules a space's bookings follow: its own settings, else its facility's."""

    opening_hours: dict
    open_on_holidays: bool
    requires_approval: bool
    booking_unit: str
    slot_minutes: int
    min_duration_minutes: int
    max_duration_minutes: int
    max_days_ahead: int
    tenant_max_days_ahead: int
    min_notice_minutes: int


class Space(BilingualNameMixin, models.Model):
    """A bookable room of a facility."""

    class Kind(models.TextChoices):
        MEETING_ROOM = "meeting_room", _("Meeting room")
        SEMINAR_ROOM = "seminar_room", _("Seminar room")
        EDUCATION_HALL = "education_hall", _("Education hall")
        LECTURE_ROOM = "lecture_room", _("Lecture room")
        CONSULTING_BOOTH = "consulting_booth", _("Consulting booth")
        COWORKING = "coworking", _("Co-working space")
        LOUNGE = "lounge", _("Lounge")
        GALLERY = "gallery", _("Gallery")
        HALL = "hall", _("Multipurpose hall")
        WORKSHOP = "workshop", _("Workshop")
        PRACTICE_ROOM = "practice_room", _("Practice room")
        STUDIO = "studio", _("Studio")
        RECORDING_BOOTH = "recording_booth", _("Recording booth")
        MAKER_SPACE = "maker_space", _("Maker space")
        DRAWING_LAB = "drawing_lab", _("Drawing lab")

    class BookingUnit(models.TextChoices):
        SLOT = "slot", _("By the hour")
        DAY = "day", _("By the whole day")

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="spaces", verbose_name=_("facility"))
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name (Korean)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    floor = models.SmallIntegerField(_("floor"), default=1, help_text=_("Negative for basement floors."))
    capacity = models.PositiveIntegerField(_("capacity (people)"), validators=[MinValueValidator(1)])
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True)
    description = models.TextField(_("description (Korean)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="spaces", verbose_name=_("amenities"))
    photo = models.ImageField(_("photo"), upload_to="spaces/", blank=True)
    is_bookable = models.BooleanField(
        _("bookable"), default=True, help_text=_("Unbookable spaces are listed but take no bookings.")
    )
    booking_unit = models.CharField(
        _("booking unit"), max_length=10, choices=BookingUnit.choices, default=BookingUnit.SLOT
    )
    fee = models.PositiveIntegerField(
        _("fee (KRW)"), default=0, help_text=_("Per hour, or per day for spaces booked by the day; 0 is free.")
    )
    requires_check_in = models.BooleanField(
        _("check-in required"),
        default=False,
        help_text=_("Bookers check in from 15 minutes before to 30 minutes after the start, or become no-shows."),
    )

    # Overrides of the facility's policy; empty means "as the facility".
    opening_hours = models.JSONField(
        _("opening hours"),
        null=True,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_("Leave empty to use the facility's opening hours."),
    )
    open_on_holidays = models.BooleanField(_("open on public holidays"), null=True, blank=True)
    requires_approval = models.BooleanField(_("bookings need approval"), null=True, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(
        _("time granularity (minutes)"), null=True, blank=True, validators=[MinValueValidator(5)]
    )
    min_duration_minutes = models.PositiveIntegerField(_("minimum duration (minutes)"), null=True, blank=True)
    max_duration_minutes = models.PositiveIntegerField(_("maximum duration (minutes)"), null=True, blank=True)
    max_days_ahead = models.PositiveSmallIntegerField(_("bookable days ahead"), null=True, blank=True)
    tenant_max_days_ahead = models.PositiveSmallIntegerField(
        _("bookable days ahead for tenants"), null=True, blank=True
    )
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), null=True, blank=True)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["facility__position", "floor", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="space_capacity_positive"),
            models.CheckConstraint(
                condition=Q(min_duration_minutes__isnull=True)
                | Q(max_duration_minutes__isnull=True)
                | Q(min_duration_minutes__lte=models.F("max_duration_minutes")),
                name="space_min_duration_lte_max",
            ),
        ]
        indexes = [
            # The space list filters by facility and kind and sorts by capacity (bookings.filters).
            models.Index(fields=["facility", "kind"], name="space_facility_kind_idx"),
            models.Index(fields=["capacity"], name="space_capacity_idx"),
        ]

    def save(self, **kwargs):
        adding = self._state.adding
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(**kwargs)
            if _saves_field(kwargs.get("update_fields"), "opening_hours"):
                OpeningInterval.write(space=self, opening_hours=self.opening_hours, replace=not adding)

    def get_absolute_url(self):
        return reverse("bookings:space_detail", kwargs={"slug": self.slug})

    @property
    def building(self) -> Building:
        return self.facility.building

    @staticmethod
    def own_or_facility(own, facility_value):
        """A policy setting of a space: its own, or its facility's where it has none (None)."""
        return facility_value if own is None else own

    @property
    def policy(self) -> BookingPolicy:
        facility = self.facility

        def pick(field):
            return self.own_or_facility(getattr(self, field), getattr(facility, field))

        return BookingPolicy(
            opening_hours=pick("opening_hours"),
            open_on_holidays=pick("open_on_holidays"),
            requires_approval=pick("requires_approval"),
            booking_unit=self.booking_unit,
            slot_minutes=pick("slot_minutes"),
            min_duration_minutes=pick("min_duration_minutes"),
            max_duration_minutes=pick("max_duration_minutes"),
            max_days_ahead=pick("max_days_ahead"),
            tenant_max_days_ahead=pick("tenant_max_days_ahead"),
            min_notice_minutes=pick("min_notice_minutes"),
        )

    def opening_hours_rows(self):
        return format_opening_hours(self.policy.opening_hours)


def _saves_field(update_fields, name: str) -> bool:
    return update_fields is None or name in update_fields


class OpeningInterval(models.Model):
    """One interval of a facility's or a space's own opening hours, as a row a query can join: the free-room
    search decides "open for the whole window" in SQL (bookings.selectors.open_during).

    The rows are a copy of the ``opening_hours`` JSON, written by ``Facility.save`` and ``Space.save`` (the
    only writers of opening hours: forms, services, the admin and the seeds all save the model); an
    ``update()`` or ``bulk_create()`` of opening hours would leave them behind. A space without its own hours
    (``opening_hours`` empty) has no rows and uses its facility's.
    """

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, null=True, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, null=True, related_name="+")
    weekday = models.PositiveSmallIntegerField(validators=[MaxValueValidator(6)])  # 0 is Monday
    opens_minute = models.PositiveSmallIntegerField()
    closes_minute = models.PositiveSmallIntegerField()  # 1440 is 24:00

    class Meta:
        verbose_name = _("opening interval")
        verbose_name_plural = _("opening intervals")
        constraints = [
            models.CheckConstraint(
                condition=Q(facility__isnull=False, space__isnull=True) | Q(facility__isnull=True, space__isnull=False),
                name="opening_interval_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(opens_minute__lt=models.F("closes_minute"), closes_minute__lte=24 * 60),
                name="opening_interval_opens_before_closes",
            ),
        ]

    def __str__(self):
        return f"{self.weekday} {self.opens_minute}–{self.closes_minute}"

    @classmethod
    def write(
        cls, *, facility: Facility | None = None, space: Space | None = None, opening_hours, replace: bool = True
    ) -> None:
        """Replace the rows of one facility or one space by those of its ``opening_hours`` (None: no rows);
        ``replace=False`` for a new facility or space, which has none yet."""
        owner = {"facility": facility} if facility is not None else {"space": space}
        if replace:
            cls.objects.filter(**owner).delete()
        if opening_hours is not None:
            cls.objects.bulk_create(
                cls(**owner, weekday=weekday, opens_minute=opens, closes_minute=closes)
                for weekday, opens, closes in opening_minutes(opening_hours)
            )
