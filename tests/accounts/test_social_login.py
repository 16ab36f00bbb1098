"""Kakao and Naver login through allauth's own providers, with the providers' answers mocked.

The OAuth2 dance runs through the real views: the sign-in button posts to /accounts/<provider>/login/, the
provider sends the person back to the callback with a code, and allauth trades it for a token and reads the
profile. Only the two HTTP calls to the provider are answered here, with bodies shaped as Kakao and Naver
document them.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from accounts.models import User
from accounts.social import SocialAccountAdapter
from tests.factories import UserFactory

APPS = {
    "kakao": {"SCOPE": ["profile_nickname", "account_email"], "APPS": [{"client_id": "kakao-id", "secret": "k-s"}]},
    "naver": {"APPS": [{"client_id": "naver-id", "secret": "n-s"}]},
}


class FakeResponse:
    def __init__(self, body: dict):
        self.body = body
        self.status_code = 200
        self.headers = {"content-type": "application/json"}
        self.text = str(body)

    def json(self):
        return self.body

    def raise_for_status(self):
        return None


class FakeSession:
    """Answers the token exchange and the profile request as the provider would."""

    def __init__(self, profile: dict):
        self.profile = profile
        self.urls: list[str] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def request(self, method, url, **kwargs):
        self.urls.append(url)
        if "token" in url:
            return FakeResponse({"access_token": "token-1", "token_type": "bearer", "expires_in": 21599})
        return FakeResponse(self.profile)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.request("POST", url, **kwargs)


def kakao_profile(email: str, *, verified: bool = True, nickname: str = "홍길동") -> dict:
    return {
        "id": 4242,
        "connected_at": "2026-12-01T00:00:00Z",
        "kakao_account": {
            "profile": {"nickname": nickname},
            "has_email": True,
            "email_needs_agreement": False,
            "is_email_valid": True,
            "is_email_verified": verified,
            "email": email,
        },
    }


def naver_profile(email: str) -> dict:
    return {
        "resultcode": "00",
        "message": "success",
        "response": {"id": "naver-77", "email": email, "name": "김네이버", "nickname": "네이버"},
    }


@pytest.fixture
def providers(settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = APPS


def sign_in_with(client, monkeypatch, provider: str, profile: dict):
    session = FakeSession(profile)
    monkeypatch.setattr(SocialAccountAdapter, "get_requests_session", lambda self: session)
    start = client.post(f"/accounts/{provider}/login/")
    assert start.status_code == 302
    authorize = urlsplit(start["Location"])
    state = parse_qs(authorize.query)["state"][0]
    response = client.get(f"/accounts/{provider}/login/callback/", {"code": "code-1", "state": state})
    return authorize, response


def test_without_keys_no_button_is_shown(client, db):
    for url in ("/accounts/login/", "/accounts/signup/"):
        page = client.get(url).content.decode()
        assert "/accounts/kakao/login/" not in page
        assert "/accounts/naver/login/" not in page


def test_with_keys_the_buttons_are_on_the_login_and_signup_pages(client, providers):
    for url in ("/accounts/login/", "/accounts/signup/"):
        page = client.get(url).content.decode()
        assert "/accounts/kakao/login/" in page
        assert "/accounts/naver/login/" in page


def test_a_new_person_signs_up_with_kakao(client, providers, monkeypatch):
    authorize, response = sign_in_with(client, monkeypatch, "kakao", kakao_profile("new@example.com"))

    assert authorize.netloc == "kauth.kakao.com"
    assert parse_qs(authorize.query)["client_id"] == ["kakao-id"]
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.name == "홍길동"
    assert EmailAddress.objects.get(user=user).verified
    assert SocialAccount.objects.get(provider="kakao").user == user
    assert client.get("/accounts/email/").status_code == 200  # signed in


def test_kakao_joins_an_account_through_a_verified_address(client, providers, monkeypatch, db):
    existing = UserFactory(email="owner@example.com")

    sign_in_with(client, monkeypatch, "kakao", kakao_profile("owner@example.com"))

    assert SocialAccount.objects.get(provider="kakao").user == existing
    assert User.objects.filter(email__iexact="owner@example.com").count() == 1


def test_an_address_kakao_has_not_verified_joins_nothing(client, providers, monkeypatch, db):
    existing = UserFactory(email="owner@example.com")

    sign_in_with(client, monkeypatch, "kakao", kakao_profile("owner@example.com", verified=False))

    assert not SocialAccount.objects.filter(user=existing).exists()
    assert "_auth_user_id" not in client.session or client.session["_auth_user_id"] != str(existing.pk)


def test_an_unverified_local_address_is_never_handed_over(client, providers, monkeypatch, db):
    # Someone opened an account with this address but never confirmed it: it may not be theirs.
    squatter = UserFactory(email="victim@example.com", verified=False)
    EmailAddress.objects.create(user=squatter, email="victim@example.com", verified=False, primary=True)

    sign_in_with(client, monkeypatch, "kakao", kakao_profile("victim@example.com"))

    assert not SocialAccount.objects.filter(user=squatter).exists()
    assert client.session.get("_auth_user_id") != str(squatter.pk)


def test_naver_joins_through_its_own_mailbox(client, providers, monkeypatch, db):
    existing = UserFactory(email="hong@naver.com")

    authorize, _ = sign_in_with(client, monkeypatch, "naver", naver_profile("hong@naver.com"))

    assert authorize.netloc == "nid.naver.com"
    assert SocialAccount.objects.get(provider="naver").user == existing


def test_a_naver_contact_address_elsewhere_is_verified_by_mail(client, providers, monkeypatch, db, mailoutbox):
    existing = UserFactory(email="hong@example.com")

    sign_in_with(client, monkeypatch, "naver", naver_profile("hong@example.com"))
    assert not SocialAccount.objects.filter(user=existing).exists()

    _, response = sign_in_with(client, monkeypatch, "naver", naver_profile("someone@example.org"))
    user = User.objects.get(email="someone@example.org")
    assert user.name == "김네이버"
    assert not EmailAddress.objects.get(user=user).verified
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    assert any("someone@example.org" in message.to for message in mailoutbox)
