"""Kakao and Naver login: when a social login may join an existing account.

allauth joins a social login to the local account with the same e-mail address when the provider says the
address is verified. Kakao says so per address (``is_email_verified``). Naver gives the contact address the
person typed, which Naver does not verify, but allauth marks it verified: only a naver.com mailbox, which
belongs to the Naver account itself, is trusted. The local address must be verified too, so an account
someone opened with another person's address is never handed to them.
"""

from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.http import Http404

# Providers whose addresses are trusted only at their own mail domain.
OWN_MAIL_DOMAIN = {"naver": "naver.com"}


def provider_verified(provider_id: str, email: str, verified: bool) -> bool:
    if not verified:
        return False
    domain = OWN_MAIL_DOMAIN.get(provider_id)
    return domain is None or email.lower().rsplit("@", 1)[-1] == domain


def display_name(provider_id: str, extra_data: dict) -> str:
    """The person's name as the provider gives it: Kakao's nickname, Naver's name (else its nickname)."""
    if provider_id == "kakao":
        return (extra_data.get("kakao_account") or {}).get("profile", {}).get("nickname") or ""
    response = extra_data.get("response", extra_data)
    return response.get("name") or response.get("nickname") or ""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request, provider, client_id=None):
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            # A provider without keys is off: its addresses answer 404, as if it were not there.
            raise Http404 from None

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.name = display_name(sociallogin.account.provider, sociallogin.account.extra_data)[:100]
        return user

    def can_authenticate_by_email(self, login, email: str) -> bool:
        if not super().can_authenticate_by_email(login, email):
            return False
        trusted = any(
            address.email.lower() == email.lower()
            and provider_verified(login.account.provider, email, address.verified)
            for address in login.email_addresses
        )
        return trusted and EmailAddress.objects.filter(email__iexact=email, verified=True).exists()

    def pre_social_login(self, request, sociallogin) -> None:
        # An address the provider does not vouch for is verified by mail, as at a sign-up.
        for address in sociallogin.email_addresses:
            address.verified = provider_verified(sociallogin.account.provider, address.email, address.verified)
        super().pre_social_login(request, sociallogin)
