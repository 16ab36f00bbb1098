import re
from datetime import timedelta

from django.utils import timezone
from knox.crypto import hash_token

from accounts.models import PersonalToken, User
from accounts.services import MAX_TOKENS_PER_USER, create_personal_token
from tenants.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


def _new_token(client, name="calendar sync"):
    response = client.post("/accounts/profile/tokens/", {"name": name})
    assert response.status_code == 200
    match = re.search(r'<p class="token-secret" id="new-token">(\S+)</p>', response.content.decode())
    assert match, "the new token is not shown"
    return match.group(1)


# --- the account page -------------------------------------------------------------------------


def test_account_page_needs_sign_in(client, db):
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_account_page_shows_memberships(client, startup_member):
    organization = startup_member.memberships.get().organization
    client.force_login(startup_member)

    body = client.get("/accounts/profile/").content.decode()

    assert startup_member.email in body
    assert f'<td data-label="기관">{organization.name}</td>' in body
    assert f">{organization.name_en}</td>" not in body


def test_account_page_shows_the_role_in_the_organization(client, startup_member):
    startup_member.language = "en"
    startup_member.save()
    client.force_login(startup_member)

    body = client.get("/accounts/profile/").content.decode()

    organization = startup_member.memberships.get().organization
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", body)
    assert cells[:3] == [organization.name_en, "Startup", "Member"]
    assert f'<td data-label="Organization">{organization.name_en}</td>' in body


def test_account_page_shows_every_organization_and_role(client, tenant_owner):
    second = OrganizationFactory(name="두번째 협동조합")
    MembershipFactory(user=tenant_owner, organization=second, role=Membership.Role.ADMIN)
    tenant_owner.language = "en"
    tenant_owner.save()
    client.force_login(tenant_owner)

    body = client.get("/accounts/profile/").content.decode()

    first = tenant_owner.memberships.get(role=Membership.Role.OWNER).organization
    assert first.name_en in body
    assert second.name_en in body
    assert "Owner" in body and "Admin" in body
    assert "You are not a member of any organization yet" not in body


def test_account_page_shows_managed_facilities(client, manager, art_center):
    manager.language = "en"
    manager.save()
    client.force_login(manager)

    body = client.get("/accounts/profile/").content.decode()

    assert "You manage:" in body
    assert "Gyeongnam Social Economy Innovation Town" in body
    assert art_center.name_en not in body


def test_member_without_organization_is_told_so(client, db):
    user = UserFactory(language="en")
    client.force_login(user)

    body = client.get("/accounts/profile/").content.decode()

    assert "You are not a member of any organization yet" in body
    assert "You manage:" not in body


def test_saving_name_and_language(client, startup_member):
    client.force_login(startup_member)

    response = client.post("/accounts/profile/", {"name": "  김동남  ", "language": "en"})

    assert response.status_code == 302
    assert response.url == "/accounts/profile/"
    startup_member.refresh_from_db()
    assert startup_member.name == "김동남"
    assert startup_member.language == "en"
    page = client.get(response.url)
    assert '<html lang="en"' in page.content.decode()
    assert "Your account was saved." in page.content.decode()


def test_saving_the_language_sets_the_same_cookie_as_the_language_switch(client, startup_member, settings):
    settings.LANGUAGE_COOKIE_SECURE = True
    client.force_login(startup_member)

    from_profile = client.post("/accounts/profile/", {"name": "김동남", "language": "en"}).cookies
    from_switch = client.post("/i18n/setlang/", {"language": "ko", "next": "/"}).cookies

    profile_cookie, switch_cookie = from_profile["dongnam_language"], from_switch["dongnam_language"]
    assert profile_cookie.value == "en"
    assert profile_cookie["secure"] is True
    for flag in ("secure", "samesite", "path", "httponly", "max-age", "domain"):
        assert profile_cookie[flag] == switch_cookie[flag], flag


def test_saving_an_unknown_language_is_refused(client, startup_member):
    client.force_login(startup_member)

    response = client.post("/accounts/profile/", {"name": "김동남", "language": "fr"})

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    startup_member.refresh_from_db()
    assert startup_member.language == "ko"


# --- the language switch ----------------------------------------------------------------------


def test_language_switch_saves_the_language_of_a_signed_in_user(client, startup_member):
    client.force_login(startup_member)
    assert '<html lang="ko"' in client.get("/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/spaces/"})

    assert response.status_code == 302
    assert response.url == "/spaces/"
    startup_member.refresh_from_db()
    assert startup_member.language == "en"
    assert '<html lang="en"' in client.get("/").content.decode()


def test_saved_language_follows_the_user_to_a_new_session(client, startup_member):
    client.force_login(startup_member)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.logout()
    client.cookies.clear()

    client.force_login(startup_member)

    assert '<html lang="en"' in client.get("/").content.decode()


def test_language_switch_for_a_visitor_sets_the_cookie_only(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["dongnam_language"].value == "en"
    assert '<html lang="en"' in client.get("/").content.decode()
    assert not User.objects.exists()


def test_language_switch_ignores_an_unknown_language(client, startup_member):
    client.force_login(startup_member)

    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    startup_member.refresh_from_db()
    assert startup_member.language == "ko"


def test_language_switch_does_not_redirect_to_another_site(client, startup_member):
    client.force_login(startup_member)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response.url == "/"


# --- personal API tokens ----------------------------------------------------------------------


def test_creating_a_token_shows_it_once_and_stores_only_its_digest(client, startup_member):
    client.force_login(startup_member)

    plain = _new_token(client)

    assert plain.startswith("dn_")
    token = PersonalToken.objects.get(user=startup_member)
    assert token.name == "calendar sync"
    assert token.digest == hash_token(plain)
    assert plain not in {token.digest, token.token_key}
    assert plain.startswith(token.token_key)
    page = client.get("/accounts/profile/").content.decode()
    assert plain not in page
    assert "calendar sync" in page
    assert token.token_key in page


def test_a_token_authenticates_api_requests_and_records_last_use(client, api_client, startup_member):
    client.force_login(startup_member)
    plain = _new_token(client)
    assert PersonalToken.objects.get().last_used is None
    before = timezone.now()

    response = api_client.get("/api/v1/spaces/", HTTP_AUTHORIZATION=f"Token {plain}")

    assert response.status_code == 200
    last_used = PersonalToken.objects.get().last_used
    assert last_used is not None and last_used >= before


def test_a_token_lets_its_owner_write_through_the_api(api_client, startup_member):
    _token, plain = create_personal_token(user=startup_member, name="script")

    anonymous = api_client.post("/api/v1/spaces/", {})
    with_token = api_client.post("/api/v1/spaces/", {}, HTTP_AUTHORIZATION=f"Token {plain}")

    # The token's owner is past authentication: the only thing left is that spaces are read-only.
    assert anonymous.status_code == 401
    assert with_token.status_code == 405


def test_a_revoked_token_no_longer_works(client, api_client, startup_member):
    client.force_login(startup_member)
    plain = _new_token(client)
    token = PersonalToken.objects.get()

    response = client.post(f"/accounts/profile/tokens/{token.token_key}/revoke/")

    assert response.status_code == 302
    assert not PersonalToken.objects.exists()
    denied = api_client.get("/api/v1/spaces/", HTTP_AUTHORIZATION=f"Token {plain}")
    assert denied.status_code == 401
    assert denied["Content-Type"] == "application/json"
    assert denied.json()["code"] == "authentication_failed"
    assert denied.json()["detail"]


def test_a_made_up_token_is_refused(api_client, db):
    response = api_client.get("/api/v1/spaces/", HTTP_AUTHORIZATION="Token dn_" + "0" * 64)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_the_token_of_a_deactivated_user_is_refused(api_client, startup_member):
    _token, plain = create_personal_token(user=startup_member, name="script")
    startup_member.is_active = False
    startup_member.save()

    response = api_client.get("/api/v1/spaces/", HTTP_AUTHORIZATION=f"Token {plain}")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_an_expired_token_is_refused_and_deleted_while_the_others_work(api_client, startup_member):
    expired, expired_plain = create_personal_token(user=startup_member, name="old script")
    _current, current_plain = create_personal_token(user=startup_member, name="script")
    PersonalToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - timedelta(minutes=1))

    refused = api_client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {expired_plain}")
    accepted = api_client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {current_plain}")

    assert refused.status_code == 401
    assert accepted.status_code == 200
    assert list(PersonalToken.objects.filter(user=startup_member).values_list("name", flat=True)) == ["script"]


def test_another_user_cannot_revoke_my_token(client, api_client, startup_member, other_org_member):
    token, plain = create_personal_token(user=startup_member, name="mine")
    client.force_login(other_org_member)

    response = client.post(f"/accounts/profile/tokens/{token.token_key}/revoke/")

    assert response.status_code == 302
    assert PersonalToken.objects.filter(pk=token.pk).exists()
    assert api_client.get("/api/v1/spaces/", HTTP_AUTHORIZATION=f"Token {plain}").status_code == 200


def test_the_revoke_link_only_asks_first(client, startup_member):
    token, _plain = create_personal_token(user=startup_member, name="mine")
    client.force_login(startup_member)

    response = client.get(f"/accounts/profile/tokens/{token.token_key}/revoke/")

    assert response.status_code == 200
    assert f'action="/accounts/profile/tokens/{token.token_key}/revoke/"' in response.content.decode()
    assert PersonalToken.objects.filter(pk=token.pk).exists()


def test_a_blank_token_name_shows_an_inline_error(client, startup_member):
    startup_member.language = "en"
    startup_member.save()
    client.force_login(startup_member)

    response = client.post("/accounts/profile/tokens/", {"name": "   "})

    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body
    assert 'id="new-token"' not in body
    assert not PersonalToken.objects.exists()


def test_the_token_limit_is_explained(client, startup_member):
    for number in range(MAX_TOKENS_PER_USER):
        create_personal_token(user=startup_member, name=f"token {number}")
    startup_member.language = "en"
    startup_member.save()
    client.force_login(startup_member)

    response = client.post("/accounts/profile/tokens/", {"name": "one too many"})

    assert response.status_code == 400
    assert "revoke one you no longer use" in response.content.decode()
    assert PersonalToken.objects.count() == MAX_TOKENS_PER_USER


def test_creating_a_token_needs_sign_in(client, db):
    response = client.post("/accounts/profile/tokens/", {"name": "x"})

    assert response.status_code == 302
    assert not PersonalToken.objects.exists()
