from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import PersonalToken, User

# A user with more tokens than this is almost certainly leaking them; ask them to clean up.
MAX_TOKENS_PER_USER = 20


class AccountError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def create_personal_token(*, user: User, name: str) -> tuple[PersonalToken, str]:
    """Create an API token; the plain token is returned once and never stored."""
    with transaction.atomic():
        # Lock the user row so two concurrent requests cannot both pass the limit.
        User.objects.select_for_update().get(pk=user.pk)
        if PersonalToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
            raise AccountError(
                "too_many_tokens",
                _("You have %(count)d tokens already; revoke one you no longer use.") % {"count": MAX_TOKENS_PER_USER},
            )
        return PersonalToken.objects.create(user=user, name=name.strip())


def personal_token_of(*, user: User, token_key: str) -> PersonalToken | None:
    """The user's own token with that key (another user's is unknown: None)."""
    return PersonalToken.objects.filter(user=user, token_key=token_key).first()


def revoke_personal_token(*, user: User, token_key: str) -> int:
    """Revoke the user's token with that key; returns how many were revoked (0 if none)."""
    deleted, _ = PersonalToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted


def update_profile(*, user: User, name: str, language: str, reminders_enabled: bool | None = None) -> User:
    user.name = name.strip()
    user.language = language
    fields = ["name", "language"]
    if reminders_enabled is not None:
        user.reminders_enabled = reminders_enabled
        fields.append("reminders_enabled")
    user.save(update_fields=fields)
    return user
