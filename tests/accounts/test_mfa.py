import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD, SpaceFactory, enable_totp, totp_code

MFA_SETUP_URL = reverse("mfa_activate_totp")


def test_mfa_is_required_for_managers_in_the_test_settings(settings):
    assert settings.MANAGER_MFA_REQUIRED is True


@pytest.mark.parametrize("path", ["/manage/", "/admin/"])
def test_manager_without_totp_is_sent_to_mfa_setup(client, manager_without_totp, path):
    client.force_login(manager_without_totp)

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == MFA_SETUP_URL


@pytest.mark.parametrize("path", ["/manage/", "/admin/"])
def test_admin_without_totp_is_sent_to_mfa_setup(client, admin_without_totp, path):
    client.force_login(admin_without_totp)

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == MFA_SETUP_URL


def test_the_mfa_setup_page_explains_why(client, manager_without_totp):
    manager_without_totp.language = "en"
    manager_without_totp.save()
    client.force_login(manager_without_totp)

    response = client.get("/manage/", follow=True)

    assert response.redirect_chain[0] == (MFA_SETUP_URL, 302)
    assert "Managers must turn on two-factor authentication before using manager pages." in (response.content.decode())


def test_manager_with_totp_gets_the_dashboard(client, manager):
    enable_totp(manager)
    client.force_login(manager)

    assert client.get("/manage/").status_code == 200


def test_admin_with_totp_gets_the_admin_and_the_dashboard(client, admin_user, hall):
    enable_totp(admin_user)
    client.force_login(admin_user)

    assert client.get("/admin/").status_code == 200
    dashboard = client.get("/manage/")
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    for slug in hall:
        assert f'id="facility-{slug}"' in body


@pytest.mark.parametrize("path", ["/manage/", "/admin/"])
def test_without_the_requirement_a_manager_gets_in_without_totp(client, settings, admin_without_totp, path):
    settings.MANAGER_MFA_REQUIRED = False
    client.force_login(admin_without_totp)

    assert client.get(path).status_code == 200


def test_a_member_who_is_not_a_manager_gets_403_on_the_dashboard(client, startup_member):
    client.force_login(startup_member)

    response = client.get("/manage/")

    assert response.status_code == 403


def test_a_member_is_not_sent_to_mfa_setup_by_the_manager_pages(client, startup_member):
    client.force_login(startup_member)

    response = client.get("/admin/")

    # Not staff: the admin sends them to sign in as staff, not to the two-factor set-up.
    assert response.status_code == 302
    assert response.url != MFA_SETUP_URL


def test_member_pages_do_not_ask_managers_for_totp(client, manager):
    client.force_login(manager)

    assert client.get("/accounts/profile/").status_code == 200
    assert client.get("/spaces/").status_code == 200


def test_anonymous_visitor_is_sent_to_sign_in_from_the_dashboard(client):
    response = client.get("/manage/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/manage/")


def test_manager_sees_only_their_own_facilities(client, manager, other_manager, art_center, space):
    SpaceFactory(facility=art_center, slug="art-test-gallery", name="아트 테스트 전시실")
    enable_totp(manager)
    client.force_login(manager)

    body = client.get("/manage/").content.decode()

    assert 'id="facility-innovation-town"' in body
    assert 'id="facility-art-center"' not in body
    assert 'id="facility-content-korea-lab"' not in body
    assert "/spaces/town-test-room/" in body
    assert "/spaces/art-test-gallery/" not in body


def test_the_other_manager_sees_only_the_art_center(client, other_manager, space):
    enable_totp(other_manager)
    client.force_login(other_manager)

    body = client.get("/manage/").content.decode()

    assert 'id="facility-art-center"' in body
    assert 'id="facility-innovation-town"' not in body
    assert "/spaces/town-test-room/" not in body


def test_a_user_with_totp_is_asked_for_the_code_on_signin(client, manager):
    enable_totp(manager)

    response = client.post("/accounts/login/", {"login": manager.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert SESSION_KEY not in client.session
    assert client.get("/accounts/profile/").status_code == 302
    page = client.get(response.url)
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()


def test_a_user_with_totp_is_signed_in_after_a_correct_code(client, manager):
    secret = enable_totp(manager)
    client.post("/accounts/login/", {"login": manager.email, "password": PASSWORD})

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response.url == "/manage/"
    assert client.session[SESSION_KEY] == str(manager.pk)
    assert client.get("/manage/").status_code == 200


def test_a_wrong_code_does_not_sign_in(client, manager):
    secret = enable_totp(manager)
    client.post("/accounts/login/", {"login": manager.email, "password": PASSWORD})
    right = totp_code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_authenticate"), {"code": wrong}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_manager_sent_to_setup_can_activate_totp_there_and_then_use_the_dashboard(client, manager_without_totp):
    client.post("/accounts/login/", {"login": manager_without_totp.email, "password": PASSWORD})
    assert client.get("/manage/").url == MFA_SETUP_URL

    # allauth asks for the password again before adding a second factor.
    confirm_password = client.get(MFA_SETUP_URL)
    assert confirm_password.status_code == 302
    assert confirm_password.url.startswith(reverse("account_reauthenticate"))
    reauthenticated = client.post(confirm_password.url, {"password": PASSWORD})
    assert reauthenticated.status_code == 302
    assert reauthenticated.url == MFA_SETUP_URL
    setup_page = client.get(MFA_SETUP_URL)

    assert setup_page.status_code == 200
    assert 'name="code"' in setup_page.content.decode()
    secret = client.session["mfa.totp.secret"]
    activated = client.post(MFA_SETUP_URL, {"code": totp_code(secret)})
    assert activated.status_code == 302
    assert manager_without_totp.authenticator_set.filter(type="totp").exists()
    assert client.get("/manage/").status_code == 200
