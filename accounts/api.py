from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication


class PersonalTokenAuthentication(TokenAuthentication):
    """``Authorization: Token dn_…`` with a personal token; records when it was last used."""

    def authenticate_credentials(self, token):
        user, personal_token = super().authenticate_credentials(token)
        personal_token.touch()
        return user, personal_token


class PersonalTokenScheme(KnoxTokenScheme):
    """Describes the personal token in the OpenAPI schema (knox's own scheme matches only its exact class)."""

    target_class = PersonalTokenAuthentication
    name = "personalToken"
