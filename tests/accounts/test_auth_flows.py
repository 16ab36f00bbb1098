import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "Changwon-harbour-2024!"


def _signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def _link_in(message, path_prefix):
    match = re.search(r"https?://testserver(" + re.escape(path_prefix) + r"\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def _sign_up(client, email="new.member@example.com"):
    return client.post("/accounts/signup/", {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def _sign_in(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


@pytest.mark.django_db
def test_signup_sends_a_verification_mail_and_does_not_sign_in(client, mailoutbox):
    response = _sign_up(client)

    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert _signed_in_user_id(client) is None
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["new.member@example.com"]
    # Signed up on the Korean (default) site: the mail speaks Korean, in the hall's name.
    assert mail.subject.startswith("[동남전시장] ")
    assert "/accounts/confirm-email/" in mail.body
    user = User.objects.get(email="new.member@example.com")
    assert EmailAddress.objects.get(user=user).verified is False


@pytest.mark.django_db
def test_unconfirmed_address_cannot_sign_in(client, mailoutbox):
    _sign_up(client)
    client.logout()

    response = _sign_in(client, "new.member@example.com", NEW_PASSWORD)

    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert _signed_in_user_id(client) is None
    assert client.get("/accounts/profile/").status_code == 302


@pytest.mark.django_db
def test_following_the_confirmation_link_confirms_and_lets_the_user_in(client, mailoutbox):
    _sign_up(client)
    link = _link_in(mailoutbox[0], "/accounts/confirm-email/")

    page = client.get(link)

    assert page.status_code == 200
    assert "new.member@example.com" in page.content.decode()
    # The page re-signs the key, so across a second boundary the action's timestamp differs from the link's.
    assert re.search(r'action="/accounts/confirm-email/[^"]+/"', page.content.decode())
    assert EmailAddress.objects.get(email="new.member@example.com").verified is False

    confirmed = client.post(link)

    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="new.member@example.com").verified is True

    client.logout()
    response = _sign_in(client, "new.member@example.com", NEW_PASSWORD)

    assert response.status_code == 302
    assert response.url == "/spaces/"  # a member with nothing booked starts at the room finder
    assert _signed_in_user_id(client) == str(User.objects.get(email="new.member@example.com").pk)


@pytest.mark.django_db
def test_a_forged_confirmation_link_confirms_nothing(client, mailoutbox):
    _sign_up(client)

    response = client.post("/accounts/confirm-email/not-a-real-key/")

    assert response.status_code in (200, 404)
    assert EmailAddress.objects.get(email="new.member@example.com").verified is False


@pytest.mark.django_db
def test_signup_with_a_registered_address_creates_nothing_and_tells_the_owner(client, mailoutbox):
    owner = UserFactory(email="taken@example.com")
    password_hash = owner.password

    response = _sign_up(client, email="Taken@Example.com")

    # The page looks like a normal signup, so nobody can probe which addresses have accounts.
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert _signed_in_user_id(client) is None
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    owner.refresh_from_db()
    assert owner.password == password_hash
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["taken@example.com"]
    assert "/accounts/password/reset/" in mailoutbox[0].body
    assert "/accounts/confirm-email/" not in mailoutbox[0].body


@pytest.mark.django_db
def test_signin_by_email_with_the_right_password(client):
    user = UserFactory(email="member@example.com")

    response = _sign_in(client, "member@example.com", PASSWORD)

    assert response.status_code == 302
    assert response.url == "/spaces/"  # a member with nothing booked starts at the room finder
    assert _signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_signin_address_is_case_insensitive(client):
    user = UserFactory(email="member@example.com")

    response = _sign_in(client, "Member@Example.COM", PASSWORD)

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_signin_with_a_wrong_password_shows_an_error(client):
    UserFactory(email="member@example.com")

    response = client.post(
        "/accounts/login/", {"login": "member@example.com", "password": "wrong-password"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert _signed_in_user_id(client) is None


@pytest.mark.django_db
def test_password_reset_sends_a_mail_whose_link_sets_a_new_password(client, mailoutbox):
    UserFactory(email="member@example.com")

    response = client.post("/accounts/password/reset/", {"email": "member@example.com"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["member@example.com"]
    link = _link_in(mailoutbox[0], "/accounts/password/reset/key/")

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert 'name="password1"' in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    changed = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert changed.status_code == 302

    client.logout()
    assert _sign_in(client, "member@example.com", PASSWORD).status_code == 200
    assert _sign_in(client, "member@example.com", NEW_PASSWORD).status_code == 302
    assert _signed_in_user_id(client) is not None


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_no_reset_link(client, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in mail.body for mail in mailoutbox)


@pytest.mark.django_db
def test_repeated_failed_signins_for_one_address_are_refused(client, settings):
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    UserFactory(email="member@example.com")

    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"login": "member@example.com", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert "Too many failed login attempts" not in response.content.decode()

    refused = client.post(
        "/accounts/login/", {"login": "member@example.com", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )

    # Even the right password is refused while the address is locked out.
    assert refused.status_code in (200, 429)
    assert "Too many failed login attempts. Try again later." in refused.content.decode()
    assert _signed_in_user_id(client) is None


@pytest.mark.django_db
def test_the_failed_signin_limit_is_per_address(client):
    UserFactory(email="member@example.com")
    other = UserFactory(email="other@example.com")

    for _ in range(5):
        client.post("/accounts/login/", {"login": "member@example.com", "password": "wrong"})

    response = _sign_in(client, "other@example.com", PASSWORD)

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(other.pk)


@pytest.mark.django_db
def test_failed_signins_from_one_address_across_accounts_hit_the_ip_limit(client):
    for number in range(10):
        UserFactory(email=f"person{number}@example.com")
    target = UserFactory(email="target@example.com")

    for number in range(10):
        client.post("/accounts/login/", {"login": f"person{number}@example.com", "password": "wrong"})

    refused = client.post(
        "/accounts/login/", {"login": "target@example.com", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Too many failed login attempts. Try again later." in refused.content.decode()
    assert _signed_in_user_id(client) != str(target.pk)
