"""The tenant renews their lease online with a document; the manager approves a new rent; the tenant signs."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from playwright.sync_api import expect

from accounts.models import User
from tenants.models import LeaseContract, RenewalRequest
from tenants.services import max_renewal_rent
from tests.e2e.helpers import LANGUAGES, TENANT, TOWN_MANAGER, VIEWPORTS, exact, header_link, sign_in, speaks
from tests.factories import enable_totp

pytestmark = pytest.mark.browser

UNIT = {"ko": "경남사회적경제혁신타운 105", "en": "Gyeongnam Social Economy Innovation Town 105"}
ORGANIZATION = {"ko": "동남사회적협동조합", "en": "Dongnam Social Cooperative"}
NOTES = {"ko": "1년 더 입주하고 싶습니다.", "en": "We would like to stay another year."}
MANAGER_NOTES = {"ko": "관리비는 그대로입니다.", "en": "The maintenance fee stays the same."}


def won(amount: int) -> str:
    return f"{amount:,}"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_tenant_renews_with_a_document_the_manager_approves_and_the_tenant_accepts(journey, demo_pdf, lang, viewport):
    run = journey("renewal")
    speaks(TENANT, lang)
    speaks(TOWN_MANAGER, lang)
    old = LeaseContract.objects.select_related("unit").get(organization__memberships__user__email=TENANT)
    ceiling = max_renewal_rent(old)
    new_rent = old.monthly_rent * 103 // 100 // 1000 * 1000
    assert old.monthly_rent < new_rent <= ceiling

    tenant = run.new_page()
    sign_in(run, tenant, TENANT, step="01")

    # The contract, from the header's "Contracts".
    header_link(run, tenant, "Contracts").click()
    expect(tenant.get_by_role("heading", level=1)).to_have_text(exact(run.t("My contracts")))
    tenant.get_by_role("link", name=exact(UNIT[lang])).click()
    expect(tenant).to_have_url(f"{run.base_url}{old.get_absolute_url()}")
    expect(tenant.get_by_role("heading", level=1)).to_have_text(exact(UNIT[lang]))
    expect(tenant.locator("section[aria-labelledby=terms-heading]")).to_contain_text(won(old.monthly_rent))
    expect(tenant.locator("section[aria-labelledby=chain-heading] li")).to_have_count(1)
    run.shot(tenant, "02-contract")

    # Ask for 12 months, with the business report attached.
    renewal_form = tenant.locator("form[action$='/renew/']")
    renewal_form.locator("[name=term_months]").select_option("12")
    expect(renewal_form.locator("[name=term_months] option:checked")).to_have_text(
        exact(run.t("%(months)d months", months=12))
    )
    renewal_form.locator("[name=note]").fill(NOTES[lang])
    renewal_form.locator("[name=documents]").set_input_files(demo_pdf)
    run.shot(tenant, "03-renewal-form")
    with tenant.expect_navigation():
        renewal_form.get_by_role("button", name=exact(run.t("Renew"))).click()

    renewal = RenewalRequest.objects.get(contract=old)
    assert renewal.status == RenewalRequest.Status.SUBMITTED
    assert renewal.term_months == 12
    assert renewal.note == NOTES[lang]
    document = renewal.documents.get()
    assert (document.original_name, document.content_type) == ("business-report.pdf", "application/pdf")
    assert document.size == demo_pdf.stat().st_size
    expect(tenant).to_have_url(f"{run.base_url}{renewal.get_absolute_url()}")
    expect(tenant.locator(".messages")).to_contain_text(
        run.t("Your renewal request was sent to the facility's manager.")
    )
    expect(tenant.locator("hgroup .badge")).to_have_text(exact(run.label(RenewalRequest.Status.SUBMITTED)))
    expect(tenant.get_by_role("link", name=exact("business-report.pdf"))).to_be_visible()
    run.shot(tenant, "04-submitted")

    # The manager (two-factor sign-in) finds it among the renewals and approves a new rent within the cap.
    manager = run.new_page()
    sign_in(run, manager, TOWN_MANAGER, secret=enable_totp(User.objects.get(email=TOWN_MANAGER)), step="05")
    header_link(run, manager, "Manage").click()
    manager.locator("nav.manage-nav").get_by_role("link", name=exact(run.t("Renewals"))).click()
    expect(manager.get_by_role("heading", level=1)).to_have_text(exact(run.t("Renewal requests")))
    row = manager.locator("table tbody tr").filter(has_text=ORGANIZATION[lang])
    expect(row).to_have_count(1)
    expect(row).to_contain_text(run.nt("%(counter)s document", "%(counter)s documents", 1))
    expect(row).to_contain_text(run.t("%(months)s months", months=12))
    run.shot(manager, "06-renewal-queue")
    row.get_by_role("link").first.click()
    expect(manager).to_have_url(f"{run.base_url}{renewal.get_absolute_url()}")
    decide = manager.locator("section.decide")
    approve_form = decide.locator("form[action$='/approve/']")
    expect(approve_form).to_contain_text(won(ceiling))
    approve_form.locator("[name=monthly_rent]").fill(str(new_rent))
    approve_form.locator("[name=note]").fill(MANAGER_NOTES[lang])
    run.shot(manager, "07-decide")
    with manager.expect_navigation():
        approve_form.get_by_role("button", name=exact(run.t("Approve"))).click()
    expect(manager.locator(".messages")).to_contain_text(run.t("Approved; the tenant can now accept the terms."))
    expect(manager.locator("hgroup .badge")).to_have_text(exact(run.label(RenewalRequest.Status.APPROVED)))
    run.shot(manager, "08-approved")

    renewal.refresh_from_db()
    assert renewal.status == RenewalRequest.Status.APPROVED
    assert renewal.proposed_rent == new_rent

    # The tenant reads the approved terms and accepts them.
    tenant.reload()
    accept = tenant.locator("section.accept")
    expect(accept).to_contain_text(won(new_rent))
    expect(tenant.locator("table")).to_contain_text(MANAGER_NOTES[lang])
    run.shot(tenant, "09-accept")
    with tenant.expect_navigation():
        accept.get_by_role("button", name=exact(run.t("Accept and sign"))).click()

    renewal.refresh_from_db()
    new = renewal.new_contract
    assert renewal.status == RenewalRequest.Status.ACCEPTED
    assert new.renews_id == old.pk
    assert new.monthly_rent == new_rent
    assert new.start_date == old.end_date + timedelta(days=1)
    assert new.end_date == new.start_date + relativedelta(months=12) - timedelta(days=1)
    assert new.accepted_by.email == TENANT

    # The new contract is shown, linked to the old one in the contract history.
    expect(tenant).to_have_url(f"{run.base_url}{new.get_absolute_url()}")
    expect(tenant.locator(".messages")).to_contain_text(run.t("You accepted the terms; here is your new contract."))
    expect(tenant.locator("section[aria-labelledby=terms-heading]")).to_contain_text(won(new_rent))
    history = tenant.locator("section[aria-labelledby=chain-heading] li")
    expect(history).to_have_count(2)
    old_period = f"{old.start_date.isoformat()} – {old.end_date.isoformat()}"
    new_period = f"{new.start_date.isoformat()} – {new.end_date.isoformat()}"
    expect(history.nth(0).get_by_role("link")).to_have_text(exact(old_period))
    expect(history.nth(0)).to_contain_text(won(old.monthly_rent))
    expect(history.nth(1).locator("strong").get_by_role("link")).to_have_text(exact(new_period))
    expect(history.nth(1)).to_contain_text(won(new_rent))
    expect(history.nth(1)).to_contain_text(run.t("renews the contract above"))
    run.shot(tenant, "10-new-contract")

    # The old contract links forward to the new one, and its renewal is recorded as accepted.
    history.nth(0).get_by_role("link").click()
    expect(tenant).to_have_url(f"{run.base_url}{old.get_absolute_url()}")
    history = tenant.locator("section[aria-labelledby=chain-heading] li")
    expect(history).to_have_count(2)
    expect(history.nth(0).locator("strong").get_by_role("link")).to_have_text(exact(old_period))
    expect(history.nth(1).get_by_role("link")).to_have_attribute("href", new.get_absolute_url())
    expect(tenant.locator(".renewal-timeline")).to_contain_text(run.label(RenewalRequest.Status.ACCEPTED))
    run.shot(tenant, "11-old-contract")
