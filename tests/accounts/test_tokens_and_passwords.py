"""A new password revokes every personal API token, as it ends the other sessions."""

import re

import pytest
from django.contrib.auth.hashers import make_password

from accounts.models import PersonalToken
from accounts.services import create_personal_token
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Changwon-harbour-2024!"


@pytest.fixture
def member(db):
    return UserFactory(email="member@example.com")


@pytest.fixture
def plain_token(member):
    _token, plain = create_personal_token(user=member, name="calendar sync")
    return plain


def _api_status(api_client, plain) -> int:
    return api_client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {plain}").status_code


def test_the_token_works_before_the_password_changes(api_client, plain_token):
    assert _api_status(api_client, plain_token) == 200


def test_changing_the_password_on_the_account_page_revokes_every_token(client, api_client, member, plain_token):
    _other, other_plain = create_personal_token(user=member, name="script")
    client.force_login(member)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert _api_status(api_client, plain_token) == 401
    assert _api_status(api_client, other_plain) == 401
    assert not PersonalToken.objects.filter(user=member).exists()
    # The person who changed it stays signed in and can make a new token that works.
    page = client.post("/accounts/profile/tokens/", {"name": "after"}).content.decode()
    new_plain = re.search(r'<p class="token-secret" id="new-token">(\S+)</p>', page).group(1)
    assert _api_status(api_client, new_plain) == 200


def test_a_wrong_old_password_changes_nothing_and_keeps_the_tokens(client, api_client, member, plain_token):
    client.force_login(member)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert _api_status(api_client, plain_token) == 200


def test_resetting_the_password_by_mail_revokes_every_token(client, api_client, member, plain_token, mailoutbox):
    client.post("/accounts/password/reset/", {"email": member.email})
    [mail] = mailoutbox
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.body).group(1)
    form_page = client.get(link, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]

    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert _api_status(api_client, plain_token) == 401


def test_a_password_set_anywhere_else_revokes_the_tokens_too(api_client, member, plain_token):
    # The Django admin and manage.py changepassword go through set_password() and save().
    member.set_password(NEW_PASSWORD)
    member.save()

    assert _api_status(api_client, plain_token) == 401


def test_a_password_made_unusable_revokes_the_tokens(api_client, member, plain_token):
    member.set_unusable_password()
    member.save()

    assert _api_status(api_client, plain_token) == 401


def test_the_password_hash_upgraded_at_sign_in_keeps_the_tokens(client, api_client, member, plain_token, settings):
    # An older hasher's hash is rewritten with the preferred one at the next sign-in; the password is the same.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    type(member).objects.filter(pk=member.pk).update(password=make_password(PASSWORD, hasher="md5"))

    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.password.startswith("pbkdf2_sha256$")
    assert _api_status(api_client, plain_token) == 200


def test_saving_the_profile_keeps_the_tokens(client, api_client, member, plain_token):
    client.force_login(member)

    client.post("/accounts/profile/", {"name": "김동남", "language": "ko"})

    assert _api_status(api_client, plain_token) == 200


def test_the_account_page_says_a_new_password_revokes_the_tokens(client, member):
    client.force_login(member)

    page = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "비밀번호를 바꾸거나 재설정하면 모든 API 토큰이 폐기됩니다." in page
