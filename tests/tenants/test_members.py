from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from tenants import services
from tenants.models import Invitation, Membership, Organization
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory
from tests.tenants.conftest import NOW
from tests.tenants.helpers import actions_on, invitation_path, page_text

pytestmark = pytest.mark.django_db

INVITEE = "new.colleague@example.com"


@pytest.fixture
def invite(client, organization, mailoutbox, django_capture_on_commit_callbacks):
    """Invite through the organization page as ``by``; returns the response of the page shown after."""

    def invite(by, email=INVITEE, role=Membership.Role.MEMBER):
        client.force_login(by)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/organizations/{organization.pk}/invite/", {"email": email, "role": role}, follow=True
            )
        client.logout()
        return response

    return invite


@pytest.fixture
def invitee(db):
    return UserFactory(email=INVITEE, language="en")


def _role(organization, user):
    return Membership.objects.filter(organization=organization, user=user).values_list("role", flat=True).first()


# --- Invitations ------------------------------------------------------------------------------


def test_an_owner_invites_by_email_and_a_mail_with_a_link_is_sent(invite, tenant_owner, organization, mailoutbox):
    response = invite(tenant_owner, role=Membership.Role.ADMIN)

    assert f"An invitation was sent to {INVITEE}." in page_text(response)
    assert INVITEE in page_text(response)  # listed as waiting for an answer
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [INVITEE]
    assert organization.name in mail.subject or organization.name_en in mail.subject
    assert invitation_path(mail).startswith("/invitations/")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (INVITEE, "admin", tenant_owner)
    assert actions_on(invitation) == ["invitation.sent"]


def test_the_invited_person_signed_in_with_that_address_joins_with_the_invited_role(
    invite, tenant_owner, organization, invitee, client, mailoutbox
):
    invite(tenant_owner, role=Membership.Role.ADMIN)
    link = invitation_path(mailoutbox[0])
    client.force_login(invitee)

    shown = client.get(link)
    joined = client.post(link, follow=True)

    assert shown.status_code == 200
    assert f"You are invited to join {organization.name_en} as Admin" in page_text(shown)
    assert joined.redirect_chain[-1][0] == f"/organizations/{organization.pk}/"
    assert f"You joined {organization.name_en}." in page_text(joined)
    assert _role(organization, invitee) == Membership.Role.ADMIN
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == invitee
    assert invitation.accepted_at == NOW


def test_an_accepted_invitation_cannot_be_used_again(invite, tenant_owner, organization, invitee, client, mailoutbox):
    invite(tenant_owner)
    link = invitation_path(mailoutbox[0])
    client.force_login(invitee)
    client.post(link)

    again = client.post(link)

    assert again.status_code == 409
    assert "This invitation was already accepted." in page_text(again)
    assert Membership.objects.filter(organization=organization, user=invitee).count() == 1


def test_someone_signed_in_with_another_address_cannot_use_the_invitation(
    invite, tenant_owner, organization, invitee, client, mailoutbox
):
    invite(tenant_owner)
    stranger = UserFactory(email="stranger@example.com", language="en")
    client.force_login(stranger)

    response = client.post(invitation_path(mailoutbox[0]))

    assert response.status_code == 400
    assert f"This invitation is for {INVITEE}; sign in with that address." in page_text(response)
    assert _role(organization, stranger) is None
    assert _role(organization, invitee) is None
    assert Invitation.objects.get().is_pending


def test_an_invitation_link_still_works_on_the_thirteenth_day(
    invite, tenant_owner, organization, invitee, client, mailoutbox, clock
):
    invite(tenant_owner)
    clock.shift(timedelta(days=13))
    client.force_login(invitee)

    client.post(invitation_path(mailoutbox[0]))

    assert _role(organization, invitee) == Membership.Role.MEMBER


def test_an_invitation_link_has_expired_after_fifteen_days(
    invite, tenant_owner, organization, invitee, client, mailoutbox, clock
):
    invite(tenant_owner)
    link = invitation_path(mailoutbox[0])
    clock.shift(timedelta(days=15))
    client.force_login(invitee)

    shown = client.get(link)
    posted = client.post(link)

    assert shown.status_code == 400
    assert "This invitation has expired; ask for a new one." in page_text(shown)
    assert posted.status_code == 400
    assert _role(organization, invitee) is None
    with pytest.raises(services.TenancyError) as raised:
        services.accept_invitation(token=link.split("/")[2], user=invitee)
    assert raised.value.code == "expired"


def test_a_tampered_invitation_link_is_refused(invite, tenant_owner, organization, invitee, client, mailoutbox):
    invite(tenant_owner)
    token = invitation_path(mailoutbox[0]).split("/")[2]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    client.force_login(invitee)

    response = client.post(f"/invitations/{tampered}/")

    assert response.status_code == 400
    assert "This invitation link is not valid." in page_text(response)
    assert _role(organization, invitee) is None
    with pytest.raises(services.TenancyError) as raised:
        services.invitation_from_token(tampered)
    assert raised.value.code == "invalid"


def test_a_revoked_invitation_no_longer_works(invite, tenant_owner, organization, invitee, client, mailoutbox):
    invite(tenant_owner)
    invitation = Invitation.objects.get()
    client.force_login(tenant_owner)
    page = client.post(f"/organizations/{organization.pk}/invitations/{invitation.pk}/revoke/", follow=True)
    client.force_login(invitee)

    response = client.post(invitation_path(mailoutbox[0]))

    assert "Waiting for an answer" not in page_text(page)
    assert response.status_code == 400
    assert "This invitation is no longer valid." in page_text(response)
    assert _role(organization, invitee) is None
    invitation.refresh_from_db()
    assert invitation.revoked_at == NOW
    assert actions_on(invitation) == ["invitation.sent", "invitation.revoked"]


def test_inviting_the_same_address_again_resends_the_same_invitation(
    invite, tenant_owner, organization, invitee, client, mailoutbox, clock
):
    invite(tenant_owner)
    first = Invitation.objects.get()
    clock.shift(timedelta(hours=2))

    invite(tenant_owner, email=INVITEE.upper(), role=Membership.Role.ADMIN)

    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().pk == first.pk
    assert len(mailoutbox) == 2
    assert [mail.to for mail in mailoutbox] == [[INVITEE], [INVITEE]]
    client.force_login(invitee)
    client.post(invitation_path(mailoutbox[1]))
    assert _role(organization, invitee) == Membership.Role.ADMIN


def test_inviting_an_existing_member_is_refused(invite, tenant_owner, tenant_member, organization, mailoutbox):
    response = invite(tenant_owner, email=tenant_member.email.upper())

    assert f"{tenant_member.email.upper()} is already a member." in page_text(response)
    assert not Invitation.objects.exists()
    assert mailoutbox == []
    with pytest.raises(services.TenancyError) as raised:
        services.invite_member(
            organization=organization,
            inviter=tenant_owner,
            email=tenant_member.email,
            role=Membership.Role.MEMBER,
            base_url="http://testserver",
        )
    assert raised.value.code == "already_member"
    assert raised.value.status == 409


@pytest.mark.parametrize("role", [Membership.Role.ADMIN, Membership.Role.MEMBER])
def test_only_owners_can_invite(invite, organization, mailoutbox, role):
    inviter = MembershipFactory(organization=organization, role=role, user=UserFactory(language="en")).user

    response = invite(inviter)

    assert "Only the organization's owners or admins may do this." in page_text(response)
    assert "Invite someone" not in page_text(response)
    assert not Invitation.objects.exists()
    assert mailoutbox == []
    with pytest.raises(services.TenancyError) as raised:
        services.invite_member(
            organization=organization, inviter=inviter, email=INVITEE, role="member", base_url="http://testserver"
        )
    assert raised.value.code == "not_allowed"
    assert raised.value.status == 403


def test_signing_up_from_the_invitation_link_signs_in_and_joins_without_a_confirmation_mail(
    invite, tenant_owner, organization, client, mailoutbox
):
    invite(tenant_owner, role=Membership.Role.ADMIN)
    link = invitation_path(mailoutbox[0])
    client.cookies["dongnam_language"] = "en"

    landing = client.get(link)
    signup = client.post(
        "/accounts/signup/", {"email": INVITEE, "password1": PASSWORD, "password2": PASSWORD}, follow=True
    )

    assert landing.status_code == 200
    assert "Create an account" in page_text(landing)
    assert signup.status_code == 200, page_text(signup)
    user = User.objects.get(email=INVITEE)
    assert int(client.session["_auth_user_id"]) == user.pk
    assert EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1  # the invitation; no address confirmation
    assert _role(organization, user) == Membership.Role.ADMIN
    assert Invitation.objects.get().accepted_by == user
    assert client.get("/organizations/").content.decode().count(f"/organizations/{organization.pk}/") == 1
    assert signup.status_code == 200


def test_signing_up_with_another_address_after_opening_the_link_needs_confirmation_and_joins_nothing(
    invite, tenant_owner, organization, client, mailoutbox
):
    invite(tenant_owner)
    client.get(invitation_path(mailoutbox[0]))

    client.post(
        "/accounts/signup/",
        {"email": "someone.else@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    user = User.objects.get(email="someone.else@example.com")
    assert "_auth_user_id" not in client.session
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == ["someone.else@example.com"]
    assert _role(organization, user) is None
    assert Invitation.objects.get().is_pending


def test_signing_in_after_opening_the_link_joins_the_invited_account(
    invite, tenant_owner, organization, invitee, client, mailoutbox
):
    invite(tenant_owner)
    client.cookies["dongnam_language"] = "en"
    client.get(invitation_path(mailoutbox[0]))

    response = client.post("/accounts/login/", {"login": INVITEE, "password": PASSWORD}, follow=True)

    assert int(client.session["_auth_user_id"]) == invitee.pk
    assert f"You joined {organization.name_en}." in page_text(response)
    assert _role(organization, invitee) == Membership.Role.MEMBER
    assert not Invitation.objects.get().is_pending


def test_signing_in_with_another_account_after_opening_the_link_joins_nothing(
    invite, tenant_owner, organization, client, mailoutbox
):
    stranger = UserFactory(email="stranger@example.com", language="en")
    invite(tenant_owner)
    client.cookies["dongnam_language"] = "en"
    client.get(invitation_path(mailoutbox[0]))

    response = client.post("/accounts/login/", {"login": stranger.email, "password": PASSWORD}, follow=True)

    assert int(client.session["_auth_user_id"]) == stranger.pk
    assert f"This invitation is for {INVITEE}; sign in with that address." in page_text(response)
    assert _role(organization, stranger) is None
    assert Invitation.objects.get().is_pending


# --- Roles and members ------------------------------------------------------------------------


def _change_role(client, by, organization, member, role):
    client.force_login(by)
    return client.post(f"/organizations/{organization.pk}/members/{member.pk}/role/", {"role": role}, follow=True)


def _remove(client, by, organization, member):
    client.force_login(by)
    return client.post(f"/organizations/{organization.pk}/members/{member.pk}/remove/", follow=True)


def test_an_owner_changes_a_members_role(client, tenant_owner, tenant_member, organization):
    response = _change_role(client, tenant_owner, organization, tenant_member, "admin")

    assert "The role was changed." in page_text(response)
    assert _role(organization, tenant_member) == Membership.Role.ADMIN
    membership = Membership.objects.get(organization=organization, user=tenant_member)
    assert actions_on(membership) == ["membership.role_changed"]


@pytest.mark.parametrize("actor", ["tenant_admin", "tenant_member"])
def test_only_owners_change_roles(client, request, tenant_owner, organization, actor):
    by = request.getfixturevalue(actor)
    target = MembershipFactory(organization=organization, role=Membership.Role.MEMBER).user

    response = _change_role(client, by, organization, target, "owner")
    own = _change_role(client, by, organization, by, "owner")

    assert "Only the organization's owners or admins may do this." in page_text(response)
    assert _role(organization, target) == Membership.Role.MEMBER
    assert _role(organization, by) != Membership.Role.OWNER
    assert (response.status_code, own.status_code) == (403, 403)
    assert _role(organization, tenant_owner) == Membership.Role.OWNER


def test_an_owner_removes_a_member(client, tenant_owner, tenant_member, organization):
    response = _remove(client, tenant_owner, organization, tenant_member)

    assert "The member was removed." in page_text(response)
    assert _role(organization, tenant_member) is None
    assert "membership.removed" in actions_on(organization)


@pytest.mark.parametrize("actor", ["tenant_admin", "tenant_member"])
def test_only_owners_remove_other_members(client, request, tenant_owner, organization, actor):
    by = request.getfixturevalue(actor)
    target = MembershipFactory(organization=organization, role=Membership.Role.MEMBER).user

    response = _remove(client, by, organization, target)
    owner = _remove(client, by, organization, tenant_owner)

    assert "Only the organization's owners or admins may do this." in page_text(response)
    assert "Only the organization's owners or admins may do this." in page_text(owner)
    assert _role(organization, target) == Membership.Role.MEMBER
    assert _role(organization, tenant_owner) == Membership.Role.OWNER


def test_the_last_owner_cannot_be_demoted(client, tenant_owner, tenant_member, organization):
    response = _change_role(client, tenant_owner, organization, tenant_owner, "admin")

    assert "An organization keeps at least one owner; make someone else owner first." in page_text(response)
    assert _role(organization, tenant_owner) == Membership.Role.OWNER
    with pytest.raises(services.TenancyError) as raised:
        services.change_role(organization=organization, user=tenant_owner, member=tenant_owner, role="member")
    assert raised.value.code == "last_owner"


def test_the_last_owner_cannot_be_removed_nor_leave(client, tenant_owner, tenant_member, organization):
    response = _remove(client, tenant_owner, organization, tenant_owner)

    assert "An organization keeps at least one owner; make someone else owner first." in page_text(response)
    assert _role(organization, tenant_owner) == Membership.Role.OWNER
    with pytest.raises(services.TenancyError) as raised:
        services.remove_member(organization=organization, user=tenant_owner, member=tenant_owner)
    assert raised.value.code == "last_owner"
    assert Membership.objects.filter(organization=organization).count() == 2


def test_with_a_second_owner_the_first_may_step_down_and_leave(client, tenant_owner, tenant_member, organization):
    _change_role(client, tenant_owner, organization, tenant_member, "owner")

    demoted = _change_role(client, tenant_owner, organization, tenant_owner, "member")
    left = _remove(client, tenant_owner, organization, tenant_owner)

    assert "The role was changed." in page_text(demoted)
    assert "You left the organization." in page_text(left)
    assert _role(organization, tenant_owner) is None
    assert _role(organization, tenant_member) == Membership.Role.OWNER


@pytest.mark.parametrize("actor", ["tenant_admin", "tenant_member"])
def test_a_member_can_leave(client, request, organization, actor):
    by = request.getfixturevalue(actor)

    response = _remove(client, by, organization, by)

    assert response.redirect_chain[-1][0] == "/organizations/"
    assert "You left the organization." in page_text(response)
    assert _role(organization, by) is None
    assert client.get(f"/organizations/{organization.pk}/").status_code == 404


def test_someone_outside_the_organization_cannot_see_or_change_it(client, other_org_member, organization):
    client.force_login(other_org_member)

    assert client.get(f"/organizations/{organization.pk}/").status_code == 404
    assert client.post(f"/organizations/{organization.pk}/invite/", {"email": INVITEE}).status_code == 404
    assert not Invitation.objects.exists()


# --- Organization details ---------------------------------------------------------------------


def _details(organization, **changes):
    data = {
        "name": organization.name,
        "name_en": organization.name_en,
        "business_number": organization.business_number_display,
        "representative": organization.representative,
        "email": organization.email,
        "phone": organization.phone,
        "address": organization.address,
        "save_details": "1",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("actor", ["tenant_owner", "tenant_admin"])
def test_owners_and_admins_edit_the_details_and_the_number_is_saved_as_digits(client, request, organization, actor):
    client.force_login(request.getfixturevalue(actor))

    response = client.post(
        f"/organizations/{organization.pk}/",
        _details(organization, name="동남협동조합", business_number="609-82-00012", phone="055-123-4567"),
        follow=True,
    )

    assert "The organization's details were saved." in page_text(response)
    assert "609-82-00012" in page_text(response)
    organization.refresh_from_db()
    assert organization.name == "동남협동조합"
    assert organization.business_number == "6098200012"
    assert organization.phone == "055-123-4567"
    assert actions_on(organization) == ["organization.updated"]


def test_a_plain_member_cannot_edit_the_details(client, tenant_member, organization):
    before = Organization.objects.filter(pk=organization.pk).values().get()
    client.force_login(tenant_member)

    response = client.post(f"/organizations/{organization.pk}/", _details(organization, name="바뀐 이름"))

    assert response.status_code == 403
    assert Organization.objects.filter(pk=organization.pk).values().get() == before
    assert actions_on(organization) == []


def test_an_invalid_business_number_is_shown_and_nothing_is_saved(client, tenant_owner, organization):
    before = Organization.objects.filter(pk=organization.pk).values().get()
    client.force_login(tenant_owner)

    response = client.post(
        f"/organizations/{organization.pk}/",
        _details(organization, name="바뀐 이름", business_number="609-82-00013"),
    )

    assert response.status_code == 400
    assert "This business registration number is not valid (its check digit does not match)." in page_text(response)
    assert Organization.objects.filter(pk=organization.pk).values().get() == before


def test_a_business_number_of_another_organization_is_refused_and_nothing_is_saved(client, tenant_owner, organization):
    OrganizationFactory(business_number="6098200012")
    before = Organization.objects.filter(pk=organization.pk).values().get()
    client.force_login(tenant_owner)

    response = client.post(
        f"/organizations/{organization.pk}/",
        _details(organization, name="바뀐 이름", business_number="609-82-00012"),
    )

    assert response.status_code == 400
    assert "already exists" in page_text(response)
    assert Organization.objects.filter(pk=organization.pk).values().get() == before
    assert Organization.objects.filter(business_number="6098200012").count() == 1


def test_the_service_refuses_a_duplicate_business_number(tenant_owner, organization):
    OrganizationFactory(business_number="6098200012")

    with pytest.raises(services.TenancyError) as raised:
        services.update_organization(
            organization=organization, user=tenant_owner, changes={"business_number": "609-82-00012"}
        )

    assert raised.value.code == "invalid"
    assert raised.value.field == "business_number"
    organization.refresh_from_db()
    assert organization.business_number != "6098200012"
