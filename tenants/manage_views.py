"""Manager pages for leases, scoped to the facilities the manager manages (others get 403)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.csv_export import csv_response
from hall.decorators import manager_required
from hall.selectors import facilities_managed_by, manages_facility
from tenants import exports, outcomes, selectors, services
from tenants.forms import ApproveRenewalForm, AskAgainForm, ContractFilterForm, ManagerNoteForm, OutcomeFilterForm
from tenants.models import Organization, RenewalRequest
from tenants.views import flash_form_errors


@manager_required
def contract_list(request):
    today = timezone.localdate()
    form = ContractFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("facility") and not facilities_managed_by(request.user).filter(slug=filters["facility"]).exists():
        raise PermissionDenied
    contracts = selectors.managed_contracts(
        request.user,
        facility=filters.get("facility") or None,
        status=filters.get("status") or None,
        expiring_within=filters.get("expiring_within"),
        organization=filters.get("organization") or None,
        today=today,
    )
    if request.GET.get("format") == "csv":
        return _contracts_csv(contracts, today)
    contracts = list(contracts)
    for contract in contracts:
        contract.days_left = contract.days_to_expiry(today)
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "tenants/manage/contract_list.html",
        {
            "form": form,
            "contracts": contracts,
            "facilities": facilities_managed_by(request.user).order_by("position"),
            "today": today,
            "csv_query": query.urlencode(),
        },
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


def _contracts_csv(contracts, today) -> HttpResponse:
    # Every CSV goes through the one writer that keeps a cell such as "=HYPERLINK(...)" from running in Excel.
    return csv_response(
        filename=f"contracts-{today:%Y%m%d}.csv",
        header=[
            _("Facility"),
            _("Unit"),
            _("Organization"),
            _("Business registration number"),
            _("First day"),
            _("Last day"),
            _("Days left"),
            _("Monthly rent (KRW)"),
            _("Maintenance fee (KRW)"),
            _("Deposit (KRW)"),
            _("Status"),
            _("Renews contract"),
        ],
        rows=(
            [
                contract.unit.facility.display_name,
                contract.unit.code,
                contract.organization.name,
                contract.organization.business_number_display,
                contract.start_date.isoformat(),
                contract.end_date.isoformat(),
                contract.days_to_expiry(today),
                contract.monthly_rent,
                contract.maintenance_fee,
                contract.deposit,
                contract.status_label,
                contract.renews_id or "",
            ]
            for contract in contracts
        ),
    )


@manager_required
def renewal_queue(request):
    today = timezone.localdate()
    renewals = list(selectors.renewal_queue(request.user))
    for renewal in renewals:
        renewal.days_left = renewal.contract.days_to_expiry(today)
    return render(request, "tenants/manage/renewal_queue.html", {"renewals": renewals, "today": today})


def _managed_renewal(request, pk) -> RenewalRequest:
    renewal = get_object_or_404(
        RenewalRequest.objects.select_related("contract__unit__facility", "contract__organization"), pk=pk
    )
    if not manages_facility(request.user, renewal.contract.unit.facility):
        raise PermissionDenied
    return renewal


@manager_required
@require_POST
def approve_renewal(request, pk):
    renewal = _managed_renewal(request, pk)
    form = ApproveRenewalForm(request.POST, ceiling=services.max_renewal_rent(renewal.contract))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(renewal)
    services.approve_renewal(
        renewal=renewal,
        manager=request.user,
        monthly_rent=form.cleaned_data["monthly_rent"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("Approved; the tenant can now accept the terms."))
    return redirect(renewal)


@manager_required
@require_POST
def reject_renewal(request, pk):
    renewal = _managed_renewal(request, pk)
    form = ManagerNoteForm(request.POST)
    services.reject_renewal(renewal=renewal, manager=request.user, reason=form.data.get("reason", ""))
    messages.success(request, _("The renewal was refused."))
    return redirect(renewal)


@manager_required
@require_POST
def request_changes(request, pk):
    renewal = _managed_renewal(request, pk)
    services.request_changes(renewal=renewal, manager=request.user, note=request.POST.get("reason", ""))
    messages.success(request, _("The request was sent back to the tenant for changes."))
    return redirect(renewal)


@manager_required
def unit_list(request):
    return render(
        request,
        "tenants/manage/unit_list.html",
        {"units": selectors.units_with_occupancy(request.user, today=timezone.localdate())},
    )


# --- Outcomes ---------------------------------------------------------------------------------------------

# How many ended years the table's year list offers; an older year can still be asked for in the address.
OUTCOME_YEARS_LISTED = 10


@manager_required
def outcome_table(request):
    """The outcomes of the organizations that leased in one of the manager's facilities during one year."""
    last_year = outcomes.past_year(timezone.localdate())
    facilities = list(facilities_managed_by(request.user).order_by("position", "slug"))
    form = OutcomeFilterForm(request.GET or None, last_year=last_year)
    filters = form.cleaned_data if form.is_valid() else {}
    slug = filters.get("facility") or (facilities[0].slug if facilities else None)
    facility = next((f for f in facilities if f.slug == slug), None)
    if slug and facility is None:
        raise PermissionDenied
    year = filters.get("year") or last_year
    table = outcomes.outcome_table(facility=facility, year=year) if facility else None
    export = request.GET.get("format")
    if table is not None and export == "csv":
        return exports.outcomes_csv(table)
    if table is not None and export == "xlsx":
        return exports.outcomes_xlsx(table)
    years = list(range(last_year, last_year - OUTCOME_YEARS_LISTED, -1))
    if year not in years:
        years.append(year)
    query = {"facility": slug or "", "year": year}
    return render(
        request,
        "tenants/manage/outcome_table.html",
        {
            "form": form,
            "facilities": facilities,
            "facility": facility,
            "year": year,
            "years": years,
            "table": table,
            "figure_labels": [label for _name, label in outcomes.FIGURES],
            "csv_query": urlencode({**query, "format": "csv"}),
            "xlsx_query": urlencode({**query, "format": "xlsx"}),
        },
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


@manager_required
@require_POST
def ask_outcome_report(request, organization_pk):
    """Ask an organization again for a year's figures (not destructive: no confirmation step)."""
    organization = get_object_or_404(Organization, pk=organization_pk)
    # Whose organization it is is checked before what was sent: another facility's manager is refused (403).
    if not outcomes.held_leases(organization).filter(unit__facility__in=facilities_managed_by(request.user)).exists():
        raise PermissionDenied
    form = AskAgainForm(request.POST)
    if not form.is_valid():
        raise services.TenancyError("invalid", _("Choose the year the figures are for."), field="year")
    year = form.cleaned_data["year"]
    back = (
        reverse("tenants:manage_outcomes")
        + "?"
        + urlencode({"facility": form.cleaned_data["facility"] or "", "year": year})
    )
    try:
        outcomes.ask_for_outcome_report(organization=organization, manager=request.user, year=year)
    except services.TenancyError as error:
        # Asked already today, or reported in the meantime: said on the table, not as an error page.
        if error.code in ("asked_recently", "already_filed"):
            messages.info(request, error.message)
            return redirect(back)
        raise
    messages.success(
        request,
        _("%(organization)s was asked again for its outcomes of %(year)s.")
        % {"organization": organization.display_name, "year": year},
    )
    return redirect(back)
