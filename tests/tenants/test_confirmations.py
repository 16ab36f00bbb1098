"""Removing a member, leaving an organization and giving notice on a lease ask first: the link leads to a page
that says what ends and when (refused as the action itself would be), and only its button does it."""

import pytest

from tenants.models import LeaseContract, Membership, RenewalRequest
from tests.factories import MembershipFactory
from tests.tenants.factories import RenewalRequestFactory
from tests.tenants.helpers import page_text

pytestmark = pytest.mark.django_db


def _remove_url(organization, member) -> str:
    return f"/organizations/{organization.pk}/members/{member.pk}/remove/"


def _is_member(organization, user) -> bool:
    return Membership.objects.filter(organization=organization, user=user).exists()


def test_removing_a_member_asks_first_and_says_what_ends(client, tenant_owner, tenant_member, organization):
    client.force_login(tenant_owner)
    url = _remove_url(organization, tenant_member)

    detail = client.get(f"/organizations/{organization.pk}/").content.decode()
    confirm = client.get(url)

    assert f'action="{url}"' not in detail and f'href="{url}"' in detail
    text = page_text(confirm)
    assert f"Remove {tenant_member} from {organization.display_name}?" in text
    assert "they no longer see its members, its leases or the bookings others made for it" in text
    assert "Yes, remove the member" in text and "No, keep the member" in text
    assert _is_member(organization, tenant_member)

    client.post(url)

    assert not _is_member(organization, tenant_member)


def test_leaving_asks_first(client, tenant_member, organization):
    client.force_login(tenant_member)
    url = _remove_url(organization, tenant_member)

    detail = client.get(f"/organizations/{organization.pk}/").content.decode()
    text = page_text(client.get(url))

    assert f'href="{url}"' in detail
    assert f"Leave {organization.display_name}?" in text
    assert "To come back, you need a new invitation from an owner." in text
    assert "Yes, leave the organization" in text
    assert _is_member(organization, tenant_member)


@pytest.mark.parametrize("actor", ["tenant_admin", "tenant_member"])
def test_the_removal_confirmation_is_refused_as_the_removal_is(client, request, tenant_owner, organization, actor):
    by = request.getfixturevalue(actor)
    target = MembershipFactory(organization=organization, role=Membership.Role.MEMBER).user
    client.force_login(by)

    page = client.get(_remove_url(organization, target))
    removal = client.post(_remove_url(organization, target))

    assert page.status_code == removal.status_code == 403
    assert "Only the organization's owners or admins may do this." in page_text(page)
    assert _is_member(organization, target)


def test_the_last_owner_is_told_at_once_that_they_cannot_leave(client, tenant_owner, organization):
    client.force_login(tenant_owner)

    page = client.get(_remove_url(organization, tenant_owner))

    assert page.status_code == client.post(_remove_url(organization, tenant_owner)).status_code == 400
    assert "An organization keeps at least one owner" in page_text(page)


def test_a_stranger_finds_no_removal_to_confirm(client, other_org_member, tenant_member, organization):
    client.force_login(other_org_member)

    assert client.get(_remove_url(organization, tenant_member)).status_code == 404


# --- giving notice ---------------------------------------------------------------------------------


def test_giving_notice_asks_first_and_says_when_the_lease_ends(client, tenant_owner, contract):
    client.force_login(tenant_owner)
    url = f"/contracts/{contract.pk}/notice/"

    detail = client.get(f"/contracts/{contract.pk}/").content.decode()
    confirm = client.get(url)

    assert f'action="{url}"' not in detail and f'href="{url}"' in detail
    text = page_text(confirm)
    assert "Give notice of not renewing?" in text
    assert f"The lease ends on {contract.end_date:%Y-%m-%d}, its last day, and is not renewed" in text
    assert "The open renewal request is withdrawn." not in text
    assert 'name="note"' in confirm.content.decode()
    contract.refresh_from_db()
    assert contract.non_renewal_notice_at is None

    client.post(url, {"note": "Moving to Busan."})

    contract.refresh_from_db()
    assert contract.non_renewal_note == "Moving to Busan."


def test_the_notice_confirmation_names_the_renewal_it_withdraws(client, tenant_owner, contract):
    RenewalRequestFactory(contract=contract, requested_by=tenant_owner, status=RenewalRequest.Status.SUBMITTED)
    client.force_login(tenant_owner)

    assert "The open renewal request is withdrawn." in page_text(client.get(f"/contracts/{contract.pk}/notice/"))


def test_the_notice_confirmation_is_refused_as_the_notice_is(client, tenant_owner, tenant_member, manager, contract):
    url = f"/contracts/{contract.pk}/notice/"
    client.force_login(tenant_member)
    assert client.get(url).status_code == client.post(url).status_code == 403
    client.force_login(manager)
    assert client.get(url).status_code == client.post(url).status_code == 403

    LeaseContract.objects.filter(pk=contract.pk).update(status=LeaseContract.Status.EXPIRED)
    client.force_login(tenant_owner)
    assert client.get(url).status_code == client.post(url).status_code == 409
    contract.refresh_from_db()
    assert contract.non_renewal_notice_at is None
