"""The user admin (accounts) shows the user's organizations, added from tenants (accounts knows none)."""

from tests.factories import MembershipFactory


def test_the_user_admin_lists_the_users_memberships(client, admin_user):
    member = MembershipFactory().user
    client.force_login(admin_user)

    page = client.get(f"/admin/accounts/user/{member.pk}/change/")

    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="memberships-TOTAL_FORMS" value="1"' in body
