from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # A new account starts in the language its owner signed up in.
        language = (translation.get_language() or "ko")[:2]
        if language in ("ko", "en"):
            user.language = language
        return super().save_user(request, user, form, commit=commit)
