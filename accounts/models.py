from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address; there are no usernames."""

    class Language(models.TextChoices):
        KOREAN = "ko", "한국어"
        ENGLISH = "en", "English"

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.KOREAN)
    reminders_enabled = models.BooleanField(
        _("send me reminders before my bookings"),
        default=True,
        help_text=_("Decisions, cancellations and deadlines are always sent."),
    )
    # A Korean mobile number, digits only (01012345678), set once verified by a code sent to it
    # (accounts.phone); KakaoTalk and text messages go to it.
    phone = models.CharField(_("mobile number"), max_length=11, blank=True)
    phone_verified_at = models.DateTimeField(_("mobile number verified"), null=True, blank=True)
    # The channels a person turned off, by kind of message: {"email": ["booking_reminder"], "kakao": [...]}.
    # Kept on the user, whom every notification already loads, so choosing the channels costs no query.
    notification_opt_outs = models.JSONField(_("channels turned off"), default=dict, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            # allauth compares addresses case-insensitively; the database agrees.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email.split("@")[0]

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_replaced = True

    def save(self, *args, **kwargs):
        # A new password ends the other sessions (their hash is derived from it), and so it revokes every
        # personal API token, wherever it is set: the account page, a reset link, the admin, changepassword.
        # set_password() leaves the raw password in _password until save(); upgrading the hash of an unchanged
        # password at sign-in does not (Django clears it first), so that keeps the tokens.
        replaced = not self._state.adding and (self._password is not None or getattr(self, "_password_replaced", False))
        super().save(*args, **kwargs)
        if replaced:
            self._password_replaced = False
            PersonalToken.objects.filter(user=self).delete()


class PhoneVerification(models.Model):
    """The code last sent to verify a mobile number: one per user, replaced by the next request.

    Only a keyed hash of the code is kept; it expires, and a few wrong tries use it up (accounts.phone).
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="phone_verification", verbose_name=_("user")
    )
    phone = models.CharField(_("mobile number"), max_length=11)
    code_hash = models.CharField(_("code (hashed)"), max_length=64)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("mobile number verification")
        verbose_name_plural = _("mobile number verifications")

    def __str__(self):
        return f"{self.user} → {self.phone}"


class PersonalToken(AbstractAuthToken):
    """An API token a user creates on the account page. Only its hash is stored (knox)."""

    name = models.CharField(_("name"), max_length=80)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal API token")
        verbose_name_plural = _("personal API tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.token_key}…)"

    def touch(self, *, every_seconds: int = 300) -> None:
        # Recording every request would turn each API read into a write; minutes are enough.
        now = timezone.now()
        if self.last_used is None or (now - self.last_used).total_seconds() > every_seconds:
            type(self).objects.filter(pk=self.pk).update(last_used=now)
            self.last_used = now
