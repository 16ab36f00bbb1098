"""The pages of reductions on evidence: the organization's applications and the form to apply (``/reductions/``),
the evidence itself, and the managers' queue (``/manage/reductions/``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bookings import reductions
from bookings.forms import ApproveReductionForm, ReductionApplicationForm, RequiredReasonForm
from bookings.models import ReductionApplication
from common.error_pages import show_on_form
from common.errors import DomainError
from hall.decorators import manager_required
from tenants.models import Membership
from tenants.services import OWNER_OR_ADMIN


def _application_form(user, data=None, files=None) -> ReductionApplicationForm:
    # Every organization of the user is offered: whether they may apply for it is the service's rule (403).
    organizations = [membership.organization for membership in _memberships(user)]
    return ReductionApplicationForm(
        data,
        files,
        organizations=organizations,
        categories=list(reductions.categories_open_to_application()),
    )


def _memberships(user) -> list[Membership]:
    return list(user.memberships.select_related("organization").order_by("organization__name"))


@login_required
@require_http_methods(["GET", "POST"])
def reductions_page(request):
    """The applications of the user's organizations, the facilities' categories, and the form to apply."""
    memberships = _memberships(request.user)
    form, status = None, 200
    if request.method == "POST":
        form = _application_form(request.user, request.POST, request.FILES)
        if form.is_valid():
            try:
                application = reductions.apply_for_reduction(
                    organization=form.cleaned_data["organization"],
                    category=form.cleaned_data["category"],
                    user=request.user,
                    document=form.cleaned_data["document"],
                )
            except DomainError as error:
                if not error.field:
                    raise  # who may apply: answered by the error page (403)
                show_on_form(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _("Your application for “%(category)s” was sent to the facility's manager.")
                    % {"category": application.category.display_name},
                )
                return redirect("bookings:reductions")
        else:
            status = 400
    may_apply = any(membership.role in OWNER_OR_ADMIN for membership in memberships)
    acting_for = {membership.organization_id for membership in memberships if membership.role in OWNER_OR_ADMIN}
    applications = list(reductions.applications_of(request.user))
    for application in applications:
        # The withdraw button where the service would allow it (the applicant, the organization's owners and admins).
        application.may_withdraw = application.status == ReductionApplication.Status.PENDING and (
            application.applicant_id == request.user.pk or application.organization_id in acting_for
        )
    if form is None and may_apply:
        form = _application_form(request.user)
    return render(
        request,
        "bookings/reductions.html",
        {
            "memberships": memberships,
            "several_organizations": len(memberships) > 1,
            "may_apply": may_apply,
            "form": form,
            "applications": applications,
            "categories": reductions.category_table(),
            "today": timezone.localdate(),
        },
        status=status,
    )


def _visible_or_404(user, pk) -> ReductionApplication:
    application = reductions.visible_application(user, pk)
    if application is None:
        raise Http404
    return application


@login_required
def reduction_document(request, pk):
    """The evidence, served to the organization's members and the managers of the category's facility only."""
    application = _visible_or_404(request.user, pk)
    if not application.document:
        raise Http404
    return FileResponse(
        application.document.open("rb"),
        as_attachment=True,
        filename=application.document_name or "evidence",
        content_type=application.document_type or "application/octet-stream",
    )


@login_required
@require_POST
def withdraw_reduction(request, pk):
    application = _visible_or_404(request.user, pk)
    reductions.withdraw_reduction(application=application, user=request.user)
    messages.success(request, _("Your application was withdrawn."))
    return redirect("bookings:reductions")


# --- Managers ----------------------------------------------------------------------------------------------


@manager_required
def reduction_queue(request, approve_errors=None, status=200):
    today = timezone.localdate()
    return render(
        request,
        "bookings/manage/reduction_queue.html",
        {
            "applications": reductions.manager_queue(request.user),
            "in_force": reductions.in_force_for_manager(request.user, today=today),
            "default_valid_until": reductions.default_valid_until(today),
            "approve_errors": approve_errors or {},
        },
        status=status,
    )


def _application_or_404(pk) -> ReductionApplication:
    return get_object_or_404(ReductionApplication.objects.select_related("category__facility"), pk=pk)


@manager_required
@require_POST
def approve_reduction(request, pk):
    application = _application_or_404(pk)
    form = ApproveReductionForm(request.POST)
    if not form.is_valid():
        # Who may decide is the service's first check: a stranger is refused (403) whatever the date says.
        reductions.ensure_refusable(application=application, manager=request.user)
        return reduction_queue(request, approve_errors={application.pk: form.errors["valid_until"]}, status=400)
    try:
        reductions.approve_reduction(
            application=application, manager=request.user, valid_until=form.cleaned_data["valid_until"]
        )
    except DomainError as error:
        if error.field != "valid_until":
            raise
        return reduction_queue(request, approve_errors={application.pk: [error.message]}, status=error.status)
    messages.success(
        request,
        _("Approved: %(category)s for %(organization)s")
        % {"category": application.category.display_name, "organization": application.organization.display_name},
    )
    return redirect("bookings:reduction_queue")


def _reason_form(data=None) -> RequiredReasonForm:
    form = RequiredReasonForm(data)
    form.fields["reason"].label = _("Reason (the applicant reads it)")
    return form


@manager_required
@require_http_methods(["GET", "POST"])
def refuse_reduction(request, pk):
    """GET: the reason asked for, to confirm. POST: refuse the application."""
    application = _application_or_404(pk)
    form, status = _reason_form(), 200
    if request.method == "POST":
        form = _reason_form(request.POST)
        try:
            if request.POST.get("reason", "").strip() and not form.is_valid():
                raise reductions.ReductionError("invalid", " ".join(form.errors["reason"]), field="reason")
            reductions.refuse_reduction(
                application=application, manager=request.user, reason=request.POST.get("reason", "")
            )
        except DomainError as error:
            if error.field != "reason":
                raise
            form = _reason_form(request.POST)
            form.full_clean()
            form.errors.pop("reason", None)
            show_on_form(form, error)
            status = error.status
        else:
            messages.success(
                request,
                _("Refused: %(category)s for %(organization)s")
                % {
                    "category": application.category.display_name,
                    "organization": application.organization.display_name,
                },
            )
            return redirect("bookings:reduction_queue")
    else:
        reductions.ensure_refusable(application=application, manager=request.user)
    return render(
        request,
        "bookings/manage/reduction_refuse.html",
        {"application": application, "form": form},
        status=status,
    )
