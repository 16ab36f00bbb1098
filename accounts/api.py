from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication


class PersonalTokenAuthentication(TokenAuthentication):
    """``Authorization: Token dn_…`` with a personal token; records when it was last used."""

    def authenticate_credentials(self, token):
        user, personal_token = super().authenticate_credentials(token)
        personal_token.touch()
        return user, personal_token

    def _cleanup_token(self, auth_token) -> bool:
        # knox reads every token of the user on each request to delete expired ones; personal tokens have no
        # expiry unless one is set, so only this token's own expiry is looked at.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class PersonalTokenScheme(KnoxTokenScheme):
    """Describes the personal token in the OpenAPI schema (knox's own scheme matches only its exact class)."""

    target_class = PersonalTokenAuthentication
    name = "personalToken"
