from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User


class HallSite:
    """Who allauth's e-mails speak for: the hall, never the host name a request came in on (127.0.0.1:8810)."""

    @property
    def name(self) -> str:
        return _("Dongnam Exhibition Hall")

    @property
    def domain(self) -> str:
        return urlsplit(settings.SITE_URL).netloc


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # A new account starts in the language its owner signed up in.
        language = (translation.get_language() or "ko")[:2]
        if language in ("ko", "en"):
            user.language = language
        user = super().save_user(request, user, form, commit=commit)
        # An opened invitation link vouches for its own address only. Someone who signs up with another
        # address (a forwarded link) must confirm it like anyone else, and does not take the invited one.
        stashed = request.session.get("account_verified_email") if request is not None else None
        if stashed and stashed.lower() != (user.email or "").lower():
            request.session["account_verified_email"] = None
        return user

    def login(self, request, user):
        super().login(request, user)
        # From here on the site speaks the account's language (accounts.middleware), and so does the rest of this
        # request: the "signed in" message is written now, not on the next page.
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language

    def format_email_subject(self, subject: str) -> str:
        # The same prefix as the hall's notifications, in the mail's language: [동남전시장] / [Dongnam].
        return f"{_('[Dongnam]')} {subject}"

    def render_mail(self, template_prefix, email, context, headers=None):
        # Mail to an account is written in its owner's language, as the notifications are; mail to an address
        # without an account (a reset asked for an unknown address) in the language of the request.
        user = context.get("user")
        language = getattr(user, "language", None)
        if language is None and isinstance(email, str):
            # "This address already has an account" is sent without the user: it still goes to the owner.
            language = User.objects.filter(email__iexact=email).values_list("language", flat=True).first()
        language = language or translation.get_language()
        with translation.override(language):
            context = {**context, "current_site": HallSite(), "site_url": settings.SITE_URL.rstrip("/")}
            return super().render_mail(template_prefix, email, context, headers=headers)
