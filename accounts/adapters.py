from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


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
