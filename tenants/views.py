from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from audit.selectors import history_of
from common.error_pages import show_on_form
from hall.selectors import manages_facility
from tenants import business, nts, outcomes, selectors, services
from tenants.errors import TenancyError
from tenants.forms import (
    ApproveRenewalForm,
    InvitationForm,
    ManagerNoteForm,
    NoticeForm,
    OrganizationForm,
    OutcomeReportForm,
    RegisterOrganizationForm,
    RenewalForm,
    RoleForm,
)
from tenants.models import Organization, RenewalRequest


def flash_form_errors(request, form) -> None:
    """Show a form's errors as messages on the page a POST redirects back to."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _client_ip(request) -> str | None:
    # Behind the proxy Django is told about (SECURE_PROXY_SSL_HEADER), REMOTE_ADDR is the proxy's
    # address; gunicorn's --forwarded-allow-ips makes it the client's.
    return request.META.get("REMOTE_ADDR")


def _member_organization_or_404(user, pk) -> tuple[Organization, str]:
    organization = get_object_or_404(Organization, pk=pk)
    role = services.role_of(user, organization)
    if role is None:
        raise Http404
    return organization, role


@login_required
def organization_list(request):
    return render(
        request, "tenants/organization_list.html", {"organizations": selectors.organizations_of(request.user)}
    )


@login_required
def register_organization(request):
    """Register an organization; the person becomes its owner. The tax service is asked about its number after."""
    form = RegisterOrganizationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                organization = business.register_organization(user=request.user, fields=form.cleaned_data)
            except TenancyError as error:
                show_on_form(form, error)
                status = error.status
            else:
                messages.success(request, _("Your organization is registered; you are its owner."))
                return redirect("tenants:organization_detail", pk=organization.pk)
        else:
            status = 400
    return render(request, "tenants/organization_register.html", {"form": form}, status=status)


@login_required
def organization_detail(request, pk):
    organization, role = _member_organization_or_404(request.user, pk)
    status = 200
    form = OrganizationForm(instance=organization)
    invite_form = InvitationForm()
    if request.method == "POST" and "save_details" in request.POST:
        form = OrganizationForm(request.POST, instance=Organization.objects.get(pk=organization.pk))
        if form.is_valid():
            try:
                changes = {field: form.cleaned_data[field] for field in form.changed_data}
                if "business_number" in changes:
                    changes["business_number"] = changes["business_number"] or None
                services.update_organization(organization=organization, user=request.user, changes=changes)
            except services.TenancyError as error:
                show_on_form(form, error)
                status = error.status
            else:
                messages.success(request, _("The organization's details were saved."))
                return redirect("tenants:organization_detail", pk=organization.pk)
        else:
            status = 400
    return render(
        request,
        "tenants/organization_detail.html",
        {
            "organization": organization,
            "role": role,
            "form": form,
            "invite_form": invite_form,
            "role_form": RoleForm(),
            "contracts": selectors.contracts_of(request.user).filter(organization=organization),
            "nts_configured": nts.is_configured(),
            **selectors.organization_page(organization),
        },
        status=status,
    )


@login_required
@require_POST
def invite(request, pk):
    organization, _role = _member_organization_or_404(request.user, pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("tenants:organization_detail", pk=pk)
    services.invite_member(
        organization=organization,
        inviter=request.user,
        email=form.cleaned_data["email"],
        role=form.cleaned_data["role"],
        base_url=request.build_absolute_uri("/")[:-1],
    )
    messages.success(request, _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("tenants:organization_detail", pk=pk)


@login_required
@require_POST
def revoke_invitation(request, pk, invitation_pk):
    organization, _role = _member_organization_or_404(request.user, pk)
    invitation = get_object_or_404(organization.invitations, pk=invitation_pk)
    services.revoke_invitation(invitation=invitation, user=request.user)
    return redirect("tenants:organization_detail", pk=pk)


@login_required
@require_POST
def member_role(request, pk, user_pk):
    organization, _role = _member_organization_or_404(request.user, pk)
    member = get_object_or_404(User, pk=user_pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        raise services.TenancyError("invalid", _("Unknown role."), field="role")
    services.change_role(organization=organization, user=request.user, member=member, role=form.cleaned_data["role"])
    messages.success(request, _("The role was changed."))
    return redirect("tenants:organization_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, pk, user_pk):
    """GET: what removing the member (or leaving) ends, to confirm. POST: remove them."""
    organization, _role = _member_organization_or_404(request.user, pk)
    member = get_object_or_404(User, pk=user_pk)
    if request.method == "GET":
        services.ensure_removable(organization=organization, user=request.user, member=member)
        return render(
            request,
            "tenants/member_remove_confirm.html",
            {"organization": organization, "member": member, "leaving": member == request.user},
        )
    services.remove_member(organization=organization, user=request.user, member=member)
    if member == request.user:
        messages.success(request, _("You left the organization."))
        return redirect("tenants:organization_list")
    messages.success(request, _("The member was removed."))
    return redirect("tenants:organization_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def organization_outcomes(request, pk):
    """The organization's outcome reports, year by year; its owners and admins file or correct a year."""
    organization, role = _member_organization_or_404(request.user, pk)
    today = timezone.localdate()
    years = outcomes.reportable_years(organization, today=today)
    reports = outcomes.reports_of(organization)
    status = 200
    if request.method == "POST":
        # Who may file is checked before what was sent: a member is refused whatever the figures.
        services.require_role(request.user, organization, services.OWNER_OR_ADMIN)
        form = OutcomeReportForm(request.POST, years=years)
        if form.is_valid():
            try:
                report = outcomes.file_outcome_report(organization=organization, user=request.user, **form.cleaned_data)
            except services.TenancyError as error:
                show_on_form(form, error)
                status = error.status
            else:
                messages.success(request, _("The outcomes of %(year)s were saved.") % {"year": report.year})
                return redirect(outcomes.outcome_url(organization, report.year))
        else:
            status = 400
    else:
        asked = request.GET.get("year", "")
        year = int(asked) if asked.isdigit() and int(asked) in years else (years[0] if years else None)
        report = next((report for report in reports if report.year == year), None)
        initial = {"year": year}
        if report is not None:
            fields = (*outcomes.FIGURE_NAMES, "ip_note", "products_note")
            initial.update({name: getattr(report, name) for name in fields})
        form = OutcomeReportForm(initial=initial, years=years)
    filed_years = {report.year for report in reports}
    return render(
        request,
        "tenants/organization_outcomes.html",
        {
            "organization": organization,
            "role": role,
            "can_file": role in services.OWNER_OR_ADMIN and bool(years),
            "form": form,
            "history": outcomes.report_history(reports),
            "figure_labels": [label for _name, label in outcomes.FIGURES],
            "years": [(year, year in filed_years) for year in years],
            "is_tenant": bool(years) or outcomes.held_leases(organization).exists(),
            "past_year": outcomes.past_year(today),
        },
        status=status,
    )


def accept_invitation(request, token):
    """Join from the e-mailed link. Without an account, sign up first: the address is taken as verified."""
    try:
        invitation = services.invitation_from_token(token)
    except services.TenancyError as error:
        return render(request, "tenants/invitation.html", {"error": error.message}, status=400)
    if not request.user.is_authenticated:
        from allauth.account.adapter import get_adapter

        # The link reached this address, so the sign-up that follows needs no second confirmation.
        get_adapter(request).stash_verified_email(request, invitation.email)
        request.session["pending_invitation"] = token
        return render(request, "tenants/invitation.html", {"invitation": invitation, "token": token})
    if request.method == "POST":
        try:
            services.accept_invitation(token=token, user=request.user)
        except services.TenancyError as error:
            return render(
                request,
                "tenants/invitation.html",
                {"invitation": invitation, "error": error.message},
                status=error.status,
            )
        request.session.pop("pending_invitation", None)
        messages.success(request, _("You joined %(organization)s.") % {"organization": invitation.organization})
        return redirect("tenants:organization_detail", pk=invitation.organization_id)
    return render(request, "tenants/invitation.html", {"invitation": invitation, "token": token})


# --- Contracts (tenant side; managers of the facility see the same pages) -----------------------


@login_required
def contract_list(request):
    return render(
        request,
        "tenants/contract_list.html",
        {"contracts": selectors.contracts_of(request.user), "today": timezone.localdate()},
    )


def _visible_contract_or_404(user, pk):
    return get_object_or_404(selectors.visible_contracts(user), pk=pk)


@login_required
def contract_detail(request, pk):
    today = timezone.localdate()
    # Whether last year's outcomes are reported comes with the contract's own query (no query more).
    contract = get_object_or_404(
        selectors.visible_contracts(request.user).annotate(
            past_year_reported=outcomes.reported(outcomes.past_year(today))
        ),
        pk=pk,
    )
    role = services.role_of(request.user, contract.organization)
    renewals = list(selectors.renewals_of(contract))
    open_renewal = next((r for r in renewals if r.is_open), None)
    opens, closes = services.renewal_window(contract)
    can_act = role in services.OWNER_OR_ADMIN
    can_renew = (
        can_act
        and open_renewal is None
        and contract.status == contract.Status.ACTIVE
        and not contract.non_renewal_notice_at
        and not hasattr(contract, "renewed_by")
        and opens <= today <= closes
    )
    terms = services.renewal_terms(contract)
    history = selectors.contract_history(contract)
    return render(
        request,
        "tenants/contract_detail.html",
        {
            "contract": contract,
            "today": today,
            "days_to_expiry": contract.days_to_expiry(today),
            "renewals": renewals,
            "open_renewal": open_renewal,
            "window_opens": opens,
            "can_act": can_act,
            "can_renew": can_renew,
            "renewal_form": RenewalForm(terms=terms) if can_renew else None,
            # With a renewal, the tenant is asked for last year's outcomes if they are missing.
            "outcomes": (
                outcomes.missing_in_tenancy(history, reported=contract.past_year_reported, today=today)
                if can_act and (can_renew or open_renewal)
                else None
            ),
            "history": history,
            "is_manager": manages_facility(request.user, contract.unit.facility),
            "audit": history_of(contract),
        },
    )


@login_required
@require_POST
def request_renewal(request, pk):
    contract = _visible_contract_or_404(request.user, pk)
    form = RenewalForm(request.POST, request.FILES, terms=services.renewal_terms(contract))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(contract)
    try:
        renewal = services.request_renewal(
            contract=contract,
            user=request.user,
            term_months=form.cleaned_data["term_months"],
            note=form.cleaned_data["note"],
            files=form.cleaned_data["documents"],
        )
    except services.TenancyError as error:
        # A second submit of the same request leads to the one already open.
        if error.code == "already_open" and error.existing is not None:
            messages.info(request, error.message)
            return redirect(error.existing)
        raise
    messages.success(request, _("Your renewal request was sent to the facility's manager."))
    return redirect(renewal)


@login_required
@require_http_methods(["GET", "POST"])
def give_notice(request, pk):
    """GET: what notice of not renewing ends and when, with the note asked for, to confirm. POST: give it."""
    contract = _visible_contract_or_404(request.user, pk)
    if request.method == "GET":
        services.ensure_notice_possible(contract=contract, user=request.user)
        return render(
            request,
            "tenants/notice_confirm.html",
            {
                "contract": contract,
                "form": NoticeForm(),
                # What the notice withdraws (services.give_notice).
                "open_renewal": RenewalRequest.objects.filter(
                    contract=contract, status__in=RenewalRequest.OPEN_STATUSES
                ).exists(),
            },
        )
    form = NoticeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.give_notice(contract=contract, user=request.user, note=note)
    messages.success(request, _("Your notice of not renewing was sent to the facility's manager."))
    return redirect(contract)


def _visible_renewal_or_404(user, pk) -> RenewalRequest:
    renewal = get_object_or_404(
        RenewalRequest.objects.select_related("contract__unit__facility", "contract__organization"), pk=pk
    )
    _visible_contract_or_404(user, renewal.contract_id)
    return renewal


@login_required
def renewal_detail(request, pk):
    renewal = _visible_renewal_or_404(request.user, pk)
    contract = renewal.contract
    role = services.role_of(request.user, contract.organization)
    is_manager = manages_facility(request.user, contract.unit.facility)
    ceiling = services.max_renewal_rent(contract)
    can_act = role in services.OWNER_OR_ADMIN
    return render(
        request,
        "tenants/renewal_detail.html",
        {
            # The manager reviews the request beside the tenant's latest outcomes; the tenant is asked for a
            # missing year while the request is open.
            "outcomes": (
                outcomes.outcome_summary(contract.organization, today=timezone.localdate())
                if is_manager or (can_act and renewal.is_open)
                else None
            ),
            "renewal": renewal,
            "contract": contract,
            "documents": renewal.documents.all(),
            "can_act": can_act,
            "is_manager": is_manager,
            "ceiling": ceiling,
            "approve_form": ApproveRenewalForm(ceiling=ceiling, initial={"monthly_rent": contract.monthly_rent}),
            "note_form": ManagerNoteForm(),
            "resubmit_form": RenewalForm(
                terms=services.renewal_terms(contract),
                initial={"term_months": renewal.term_months, "note": renewal.note},
            ),
            "history": history_of(renewal),
            "days_to_expiry": contract.days_to_expiry(timezone.localdate()),
        },
    )


@login_required
@require_POST
def resubmit_renewal(request, pk):
    renewal = _visible_renewal_or_404(request.user, pk)
    form = RenewalForm(request.POST, request.FILES, terms=services.renewal_terms(renewal.contract))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(renewal)
    services.resubmit_renewal(
        renewal=renewal,
        user=request.user,
        term_months=form.cleaned_data["term_months"],
        note=form.cleaned_data["note"],
        files=form.cleaned_data["documents"],
    )
    messages.success(request, _("Your request was sent again."))
    return redirect(renewal)


@login_required
@require_POST
def accept_renewal(request, pk):
    renewal = _visible_renewal_or_404(request.user, pk)
    new_contract = services.accept_renewal(renewal=renewal, user=request.user, ip=_client_ip(request))
    messages.success(request, _("You accepted the terms; here is your new contract."))
    return redirect(new_contract)


@login_required
def renewal_document(request, pk, document_pk):
    """Documents are served to the tenant's members and the facility's managers only."""
    from django.http import FileResponse

    renewal = _visible_renewal_or_404(request.user, pk)
    document = get_object_or_404(renewal.documents, pk=document_pk)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
