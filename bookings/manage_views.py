"""Manager pages, each scoped to the facilities the signed-in manager manages (others get 403)."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bookings import selectors, series, services
from bookings.errors import BookingError
from bookings.forms import ClosureForm, RequiredReasonForm, SpacePolicyForm
from bookings.models import Booking, Closure
from common.error_pages import show_on_form
from hall.decorators import manager_required
from hall.models import Facility, Space
from hall.selectors import facilities_managed_by, manages_facility


def _managed_facility_or_403(user, slug) -> Facility:
    facility = get_object_or_404(Facility, slug=slug)
    if not manages_facility(user, facility):
        raise PermissionDenied
    return facility


@manager_required
def approval_queue(request):
    return render(request, "bookings/manage/approval_queue.html", {"bookings": selectors.approval_queue(request.user)})


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _next_or(request, default: str) -> str:
    """Where a confirmation leads back to: the page it was opened from (``next``, if ours), else ``default``."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _reason_form(data=None) -> RequiredReasonForm:
    form = RequiredReasonForm(data)
    form.fields["reason"].label = _("Reason (the booker reads it)")
    return form


def _refused_reason(reason: str, error: BookingError) -> RequiredReasonForm:
    """The reason field again, with what was typed and why it was refused next to it."""
    form = _reason_form({"reason": reason})
    form.full_clean()
    # The service's message says it in the booker's terms; the form's own ("required") would repeat it.
    form.errors.pop("reason", None)
    show_on_form(form, error)
    return form


def _pending_booking(request, pk) -> Booking:
    booking = get_object_or_404(Booking.objects.select_related("space__facility"), pk=pk)
    if not manages_facility(request.user, booking.space.facility):
        raise PermissionDenied
    return booking


@manager_required
@require_POST
def approve(request, pk):
    booking = _pending_booking(request, pk)
    services.approve_booking(booking=booking, manager=request.user, note=request.POST.get("reason", ""))
    messages.success(request, _("Approved: %(booking)s") % {"booking": booking.title})
    return _back(request, "bookings:approval_queue")


@manager_required
@require_http_methods(["GET", "POST"])
def reject(request, pk):
    """GET: what rejecting will do (the booker is told, with the reason asked for here), to confirm.
    POST: reject it."""
    booking = _pending_booking(request, pk)
    form, status = _reason_form(), 200
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        form = _reason_form(request.POST)
        try:
            # A blank reason is the service's to refuse (reason_required); the form refuses only what is too long.
            if reason.strip() and not form.is_valid():
                raise BookingError("invalid", " ".join(form.errors["reason"]), field="reason")
            services.reject_booking(booking=booking, manager=request.user, reason=reason)
        except BookingError as error:
            if error.field != "reason":
                raise
            form, status = _refused_reason(reason, error), error.status
        else:
            messages.success(request, _("Rejected: %(booking)s") % {"booking": booking.title})
            return _back(request, "bookings:approval_queue")
    else:
        services.ensure_rejectable(booking=booking, manager=request.user)
    return render(
        request,
        "bookings/manage/reject_confirm.html",
        {"booking": booking, "form": form, "next": _next_or(request, booking.get_absolute_url())},
        status=status,
    )


@manager_required
@require_POST
def bulk_approve(request):
    ids = [int(pk) for pk in request.POST.getlist("booking") if pk.isdigit()]
    approved, failed = 0, []
    for booking in selectors.approval_queue(request.user).filter(pk__in=ids):
        try:
            services.approve_booking(booking=booking, manager=request.user)
            approved += 1
        except BookingError as error:
            failed.append(f"{booking.title}: {error.message}")
    if approved:
        messages.success(request, _("%(count)d bookings approved.") % {"count": approved})
    for failure in failed:
        messages.error(request, failure)
    if not ids:
        messages.warning(request, _("Select the bookings to approve."))
    return redirect("bookings:approval_queue")


@manager_required
def closure_list(request):
    facilities = list(facilities_managed_by(request.user).order_by("position"))
    slug = request.GET.get("facility") or request.POST.get("facility") or (facilities[0].slug if facilities else None)
    if slug is None:
        raise PermissionDenied
    facility = _managed_facility_or_403(request.user, slug)
    status = 200
    if request.method == "POST":
        form = ClosureForm(request.POST, facility=facility)
        if form.is_valid():
            try:
                closure = services.create_closure(
                    manager=request.user,
                    facility=facility,
                    space=form.cleaned_data["space"],
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                    reason=form.cleaned_data["reason"],
                )
            except BookingError as error:
                show_on_form(form, error)
                status = error.status
            else:
                messages.success(request, _("The closure was saved. Check the bookings it hits below."))
                return redirect(closure)
        else:
            status = 400
    else:
        form = ClosureForm(facility=facility)
    closures = (
        Closure.objects.filter(facility=facility, end__gte=timezone.now() - timedelta(days=30))
        .select_related("space", "created_by")
        .order_by("start")
    )
    return render(
        request,
        "bookings/manage/closure_list.html",
        {"facility": facility, "facilities": facilities, "closures": closures, "form": form},
        status=status,
    )


def _closure_or_403(request, pk) -> Closure:
    closure = get_object_or_404(Closure.objects.select_related("facility", "space", "created_by"), pk=pk)
    if not manages_facility(request.user, closure.facility):
        raise PermissionDenied
    return closure


@manager_required
def closure_detail(request, pk):
    closure = _closure_or_403(request, pk)
    return render(
        request,
        "bookings/manage/closure_detail.html",
        {"closure": closure, "hit": selectors.bookings_hit_by(closure)},
    )


@manager_required
@require_http_methods(["GET", "POST"])
def closure_cancel_bookings(request, pk):
    """GET: the bookings the closure's cancellation hits, their bookers and the refunds due, to confirm.
    POST: cancel them all and tell the bookers."""
    closure = _closure_or_403(request, pk)
    if request.method == "GET":
        hit = services.closure_cancellation_preview(closure=closure, manager=request.user)
        return render(
            request,
            "bookings/manage/closure_cancel_confirm.html",
            {"closure": closure, "hit": hit, "refund_total": sum(refund for _booking, refund in hit)},
        )
    cancelled = services.cancel_bookings_hit_by_closure(closure=closure, manager=request.user)
    messages.success(
        request, _("%(count)d bookings cancelled; the bookers see the reason.") % {"count": len(cancelled)}
    )
    return redirect(closure)


@manager_required
@require_http_methods(["GET", "POST"])
def closure_delete(request, pk):
    """GET: what removing the closure does, to confirm. POST: remove it."""
    closure = _closure_or_403(request, pk)
    if request.method == "GET":
        return render(request, "bookings/manage/closure_delete_confirm.html", {"closure": closure})
    facility = closure.facility
    services.delete_closure(closure=closure, manager=request.user)
    messages.success(request, _("The closure was removed."))
    return redirect(f"{reverse('bookings:closure_list')}?facility={facility.slug}")


@manager_required
def space_policy(request, slug):
    space = get_object_or_404(Space.objects.select_related("facility"), slug=slug)
    if not manages_facility(request.user, space.facility):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = SpacePolicyForm(request.POST, instance=Space.objects.get(pk=space.pk))
        if form.is_valid():
            changes = {field: form.cleaned_data[field] for field in form.changed_data}
            if changes:
                try:
                    services.update_space_policy(space=space, manager=request.user, changes=changes)
                except BookingError as error:
                    show_on_form(form, error)
                    status = error.status
            if status == 200:
                messages.success(request, _("The rules of %(space)s were saved.") % {"space": space.display_name})
                return redirect("bookings:space_policy", slug=space.slug)
        else:
            status = 400
    else:
        form = SpacePolicyForm(instance=space)
    return render(
        request,
        "bookings/manage/space_policy.html",
        {"space": space, "form": form, "facility_policy": space.facility},
        status=status,
    )


@manager_required
def payments(request):
    """Approved bookings awaiting payment (overdue first) and refunds to pay back, of the manager's facilities."""
    facilities = facilities_managed_by(request.user)
    base = Booking.objects.filter(space__facility__in=facilities).select_related(
        "space__facility", "organization", "requested_by"
    )
    return render(
        request,
        "bookings/manage/payments.html",
        {
            "unpaid": base.filter(status=Booking.Status.APPROVED, payment_status=Booking.PaymentStatus.UNPAID).order_by(
                "payment_deadline", "pk"
            ),
            "refunds": base.filter(payment_status=Booking.PaymentStatus.REFUND_DUE).order_by("cancelled_at", "pk"),
            "now": timezone.now(),
        },
    )


@manager_required
@require_POST
def record_payment(request, pk):
    booking = _pending_booking(request, pk)
    services.record_payment(booking=booking, manager=request.user, reference=request.POST.get("reference", ""))
    messages.success(request, _("Payment recorded: %(booking)s") % {"booking": booking.title})
    return _back(request, "bookings:payments")


@manager_required
@require_POST
def record_refund(request, pk):
    booking = _pending_booking(request, pk)
    services.record_refund(booking=booking, manager=request.user)
    messages.success(request, _("Refund recorded: %(booking)s") % {"booking": booking.title})
    return _back(request, "bookings:payments")


@manager_required
def space_qr(request, slug):
    """A printable page with the space's check-in QR code."""
    import qrcode
    import qrcode.image.svg

    space = get_object_or_404(Space.objects.select_related("facility"), slug=slug)
    if not manages_facility(request.user, space.facility):
        raise PermissionDenied
    url = request.build_absolute_uri(reverse("bookings:check_in", args=[space.slug]))
    svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12).to_string(encoding="unicode")
    return render(request, "bookings/manage/space_qr.html", {"space": space, "url": url, "svg": svg})


@manager_required
@require_http_methods(["GET", "POST"])
def decide_series(request, pk):
    """Approve or reject every pending date of a weekly series at once. GET: the pending dates a rejection
    would reject, with the reason asked for, to confirm (approving needs no confirmation)."""
    booking = _pending_booking(request, pk)
    if booking.series_id is None:
        raise BookingError("invalid", _("This booking is not part of a series."))
    form, status = _reason_form(), 200
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        reason = request.POST.get("reason", "")
        try:
            decided = series.decide_series(series=booking.series, manager=request.user, approve=approve, reason=reason)
        except BookingError as error:
            if approve or error.field != "reason":
                raise
            form, status = _refused_reason(reason, error), error.status
        else:
            messages.success(request, _("%(count)d dates of the series decided.") % {"count": len(decided)})
            return redirect(booking)
    return render(
        request,
        "bookings/manage/series_reject_confirm.html",
        {"booking": booking, "dates": list(series.pending_dates(booking.series)), "form": form},
        status=status,
    )
