"""Revoking an API token asks first; only the confirmation's button revokes it."""

from accounts.models import PersonalToken
from accounts.services import create_personal_token


def test_the_revoke_link_leads_to_a_confirmation_that_says_what_stops(client, startup_member):
    startup_member.language = "en"
    startup_member.save(update_fields=["language"])
    token, _plain = create_personal_token(user=startup_member, name="Nightly export")
    client.force_login(startup_member)
    url = f"/accounts/profile/tokens/{token.token_key}/revoke/"

    profile = client.get("/accounts/profile/").content.decode()
    confirm = client.get(url).content.decode()

    assert f'action="{url}"' not in profile and f'href="{url}"' in profile
    assert "Revoke the token?" in confirm and "Nightly export" in confirm
    assert "Programs that use this token are refused from now on." in confirm
    assert "Yes, revoke the token" in confirm
    assert PersonalToken.objects.filter(pk=token.pk).exists()

    client.post(url)

    assert not PersonalToken.objects.filter(pk=token.pk).exists()


def test_another_users_token_has_no_confirmation(client, startup_member, other_org_member):
    token, _plain = create_personal_token(user=startup_member, name="mine")
    client.force_login(other_org_member)

    assert client.get(f"/accounts/profile/tokens/{token.token_key}/revoke/").status_code == 404
