from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from audit.selectors import history_of
from bookings import ics, rules, selectors, series, services, waitlist
from bookings.errors import BookingError
from bookings.filters import SpaceFilter
from bookings.forms import BookingForm, ReasonForm
from bookings.models import Booking, CalendarFeed, WaitlistEntry
from bookings.payment_instructions import payment_instructions
from bookings.schedule_views import PrefillForm, room_schedule_context
from common.error_pages import show_on_form
from common.pagination import CountedPaginator
from hall.models import Space
from hall.selectors import manages_facility

SPACES_PER_PAGE = 24
BOOKINGS_PER_PAGE = 20
FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 365


def space_list(request):
    space_filter = SpaceFilter(request.GET or None, queryset=selectors.space_list())
    status = 200
    if space_filter.is_bound and not space_filter.is_valid():
        # The form shows what is wrong next to each field; no results for a query we cannot read.
        spaces = Space.objects.none()
        status = 400
    else:
        spaces = space_filter.qs
    page = CountedPaginator(spaces, SPACES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    carry, grid = _carried_search(space_filter)
    return render(
        request,
        "bookings/space_list.html",
        {
            "filter": space_filter,
            "page": page,
            "query": query.urlencode(),
            "carry": carry,
            "grid_url": reverse("bookings:schedule") + ("?" + urlencode(grid) if grid else ""),
        },
        status=status,
    )


def _carried_search(space_filter: SpaceFilter) -> tuple[str, dict]:
    """What the finder's search says about the booking, for each room's link (its form opens with the
    day, the times and the people filled in), and the place, day and people for the grid."""
    if not space_filter.is_bound or not space_filter.is_valid():
        return "", {}
    data = space_filter.form.cleaned_data
    carry, grid = {}, {}
    start, end = data.get("available_from"), data.get("available_to")
    if start and end:
        start, end = rules.local(start), rules.local(end)
        carry["date"] = grid["date"] = start.date().isoformat()
        if end.date() == start.date():
            carry["start"], carry["end"] = f"{start:%H:%M}", f"{end:%H:%M}"
    if data.get("capacity_min"):
        carry["attendees"] = grid["attendees"] = int(data["capacity_min"])
    if data.get("facility"):
        grid["facility"] = data["facility"].slug
    elif data.get("building"):
        grid["building"] = data["building"].slug
    return urlencode(carry), grid


def _timeline_context(request, space: Space) -> dict:
    # After a failed booking the grid shows the day that was asked for.
    asked = request.GET.get("date") or (request.POST.get("date") if request.method == "POST" else "")
    try:
        day = date.fromisoformat(asked or "")
    except ValueError:
        day = None
    return room_schedule_context(request, space, day)


def _prefill(request, space: Space, first_day: date) -> dict:
    """The booking form's first values: what the grid or the finder carried here (day, times, people), where
    they can be read; anything else is left to the booker."""
    form = PrefillForm(request.GET)
    form.is_valid()
    data = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
    today = timezone.localdate()
    initial = {"date": data.get("date") or max(first_day, today), "attendees": data.get("attendees") or 1}
    if space.booking_unit == Space.BookingUnit.DAY:
        if data.get("end_date") and data["end_date"] >= initial["date"]:
            initial["end_date"] = data["end_date"]
    elif data.get("start") and data.get("end") and data["end"] > data["start"]:
        initial["start_time"], initial["end_time"] = data["start"], data["end"]
    return initial


def _space_or_404(slug: str) -> Space:
    try:
        return selectors.space_detail(slug=slug)
    except Space.DoesNotExist:
        raise Http404 from None


def space_detail(request, slug, form=None, status=200):
    space = _space_or_404(slug)
    context = {"space": space, "policy": space.policy, **_timeline_context(request, space)}
    if request.htmx and request.htmx.target == "timeline":
        return render(request, "bookings/_timeline.html", context)
    if request.user.is_authenticated and form is None:
        initial = _prefill(request, space, context["first_day"])
        form = BookingForm(
            space=space,
            user=request.user,
            is_manager=manages_facility(request.user, space.facility),
            initial=initial,
        )
    context["form"] = form
    if request.user.is_authenticated:
        context.update(_terms_for(request.user, space, context["first_day"]))
    return render(request, "bookings/space_detail.html", context, status=status)


def _terms_for(user, space: Space, day: date) -> dict:
    """The fee, the reduction the user's organization earns and its quota left, shown before booking."""
    from datetime import datetime, time

    from bookings import fees, reductions
    from tenants.selectors import is_hall_tenant

    membership = user.memberships.select_related("organization").order_by("organization__name").first()
    organization = membership.organization if membership else None
    is_tenant = is_hall_tenant(organization, today=timezone.localdate())
    # Applications on evidence: approved ones count like the automatic categories; those under review are
    # shown ("감면 신청 중") but reduce nothing until approved.
    applied = (
        reductions.reduction_status(organization, space.facility, today=timezone.localdate())
        if space.fee
        else reductions.ReductionStatus()
    )
    percent, category = fees.reduction_for(organization, space.facility, is_tenant=is_tenant, granted=applied.granted)
    moment = datetime.combine(day, time(12, 0), tzinfo=rules.HALL_TZ)
    left = services.quota_left_minutes(organization, space.facility, moment, is_tenant=is_tenant)
    return {
        "terms_organization": organization,
        "reduction_percent": percent if space.fee else 0,
        "reduction_label": applied.label(category) if category else "",
        "reductions_pending": applied.pending,
        "quota_left_hours": None if left is None else f"{left / 60:g}",
    }


@login_required
@require_POST
def book_space(request, slug):
    space = _space_or_404(slug)
    is_manager = manages_facility(request.user, space.facility)
    form = BookingForm(request.POST, space=space, user=request.user, is_manager=is_manager)
    if not form.is_valid() or "start" not in form.cleaned_data:
        return space_detail(request, slug, form=form, status=400)
    data = form.cleaned_data
    if request.POST.get("waitlist"):
        return _join_waitlist(request, space, form)
    if not form.by_day and form.recurrence() is not None:
        return _book_series(request, space, form)
    try:
        booking = services.create_booking(
            requested_by=request.user,
            space=space,
            start=data["start"],
            end=data["end"],
            title=data["title"],
            attendees=data["attendees"],
            organization=data.get("organization"),
            purpose=data.get("purpose", ""),
            override_reason=data.get("override_reason", ""),
        )
    except BookingError as error:
        field_names = (
            {"start": "start_time", "end": "end_time"} if not form.by_day else {"start": "date", "end": "end_date"}
        )
        show_on_form(form, error, field_names=field_names)
        form.offer_waitlist = error.code == "slot_taken"
        return space_detail(request, slug, form=form, status=error.status)
    if booking.status == Booking.Status.PENDING:
        messages.success(request, _("Your booking was sent to the facility's manager for approval."))
    else:
        messages.success(request, _("Your booking is confirmed."))
    return redirect(booking)


def _subscription_links(feed_url: str) -> dict:
    """Plain links that add the private feed to a calendar app: its webcal:// address (phones and desktop
    apps), Google Calendar's and Outlook.com's own "add by address" pages."""
    webcal = "webcal://" + feed_url.split("://", 1)[1]
    outlook = {"url": feed_url, "name": _("Dongnam bookings")}
    return {
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?" + urlencode(outlook),
    }


@login_required
def my_bookings(request):
    upcoming = request.GET.get("when") != "past"
    page = Paginator(selectors.my_bookings(request.user, upcoming=upcoming), BOOKINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    feed, _created = CalendarFeed.objects.get_or_create(user=request.user)
    feed_url = request.build_absolute_uri(reverse("bookings:personal_feed", args=[feed.token]))
    return render(
        request,
        "bookings/my_bookings.html",
        {
            "waiting": WaitlistEntry.objects.filter(
                requested_by=request.user, status=WaitlistEntry.Status.WAITING
            ).select_related("space"),
            "page": page,
            "upcoming": upcoming,
            "feed_url": feed_url,
            "feed_links": _subscription_links(feed_url),
        },
    )


def _visible_booking_or_404(user, pk) -> Booking:
    # Other organizations' bookings are 404 to strangers: their existence is not told.
    return get_object_or_404(selectors.visible_bookings(user), pk=pk)


@login_required
def booking_detail(request, pk):
    booking = _visible_booking_or_404(request.user, pk)
    is_manager = manages_facility(request.user, booking.space.facility)
    return render(
        request,
        "bookings/booking_detail.html",
        {
            "booking": booking,
            "history": history_of(booking),
            "series_dates": selectors.series_dates(booking=booking, user=request.user),
            "is_manager": is_manager,
            "can_cancel": booking.is_active and services.can_cancel(request.user, booking),
            "payment_instructions": payment_instructions(booking),
        },
    )


@login_required
def cancel_booking(request, pk):
    """GET: what cancelling will do (the refund by the tiers, the later dates of a series), to confirm.
    POST: cancel it (with ``following``, this date and the later ones of its series)."""
    booking = _visible_booking_or_404(request.user, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        if request.POST.get("following") and booking.series_id:
            cancelled = series.cancel_from(booking=booking, user=request.user, reason=reason)
            messages.success(
                request,
                ngettext("%(count)d booking was cancelled.", "%(count)d bookings were cancelled.", len(cancelled))
                % {"count": len(cancelled)},
            )
        else:
            services.cancel_booking(booking=booking, user=request.user, reason=reason)
            messages.success(request, _("The booking was cancelled."))
        return redirect(booking)
    is_manager = services.ensure_cancellable(booking=booking, user=request.user)
    later = (
        Booking.objects.filter(
            series_id=booking.series_id, start__gt=booking.start, status__in=Booking.ACTIVE_STATUSES
        ).count()
        if booking.series_id
        else 0
    )
    return render(
        request,
        "bookings/cancel_confirm.html",
        {
            "booking": booking,
            "form": form,
            "refund_preview": services.refund_preview(booking=booking, user=request.user),
            "later_dates": later,
            "reason_required": is_manager and booking.requested_by_id != request.user.pk,
        },
    )


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _feed_window():
    now = timezone.now()
    return now - timedelta(days=FEED_PAST_DAYS), now + timedelta(days=FEED_FUTURE_DAYS)


def space_feed(request, slug):
    """Public feed of a space: approved bookings only, with no personal data."""
    space = _space_or_404(slug)
    since, until = _feed_window()
    bookings = Booking.objects.filter(
        space=space, status=Booking.Status.APPROVED, end__gte=since, start__lte=until
    ).order_by("start")
    return _ics_response(ics.space_feed(space, bookings), f"{space.slug}.ics")


def personal_feed(request, token):
    """A user's own bookings at a secret address; rotating the token on the bookings page revokes it."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    since, until = _feed_window()
    bookings = (
        Booking.objects.filter(requested_by=feed.user, end__gte=since, start__lte=until)
        .exclude(status=Booking.Status.REJECTED)
        .select_related("space__facility")
        .order_by("start")
    )
    return _ics_response(ics.personal_feed(feed.user, bookings), "dongnam.ics")


@login_required
@require_http_methods(["GET", "POST"])
def rotate_feed(request):
    """GET: what a new address does (the old one stops working), to confirm. POST: change it."""
    if request.method == "GET":
        return render(request, "bookings/rotate_feed_confirm.html")
    feed, _created = CalendarFeed.objects.get_or_create(user=request.user)
    feed.rotate()
    messages.success(request, _("Your calendar address was changed; the old one no longer works."))
    return redirect("bookings:my_bookings")


def _join_waitlist(request, space: Space, form: BookingForm):
    data = form.cleaned_data
    try:
        waitlist.join_waitlist(
            user=request.user,
            space=space,
            start=data["start"],
            end=data["end"],
            title=data["title"],
            attendees=data["attendees"],
            organization=data.get("organization"),
            purpose=data.get("purpose", ""),
        )
    except BookingError as error:
        show_on_form(form, error)
        return space_detail(request, space.slug, form=form, status=error.status)
    messages.success(request, _("You are on the waiting list. If the time frees, it is offered to you first in line."))
    return redirect("bookings:my_bookings")


@login_required
@require_http_methods(["GET", "POST"])
def answer_offer(request, pk):
    """GET: what declining the offer does, to confirm (taking it needs no confirmation). POST: answer it."""
    booking = _visible_booking_or_404(request.user, pk)
    if request.method == "GET":
        waitlist.ensure_offer_open(booking=booking, user=request.user)
        return render(request, "bookings/decline_offer_confirm.html", {"booking": booking})
    if request.POST.get("answer") == "accept":
        waitlist.accept_offer(booking=booking, user=request.user)
        messages.success(request, _("The time is yours."))
    else:
        waitlist.decline_offer(booking=booking, user=request.user)
        messages.success(request, _("You declined the offer; it goes to the next in line."))
    return redirect(booking)


@login_required
@require_http_methods(["GET", "POST"])
def leave_waitlist(request, pk):
    """GET: what leaving the waiting list gives up, to confirm. POST: leave it."""
    entry = get_object_or_404(WaitlistEntry.objects.select_related("space__facility"), pk=pk, requested_by=request.user)
    if request.method == "GET":
        waitlist.ensure_can_leave(entry=entry, user=request.user)
        return render(request, "bookings/leave_waitlist_confirm.html", {"entry": entry})
    waitlist.leave_waitlist(entry=entry, user=request.user)
    messages.success(request, _("You left the waiting list."))
    return redirect("bookings:my_bookings")


@login_required
def check_in(request, slug):
    """Where a space's QR code leads: check in to your booking that starts now."""
    space = _space_or_404(slug)
    booking = services.booking_to_check_in(space=space, user=request.user)
    if request.method == "POST" and booking is not None:
        services.check_in(booking=booking, user=request.user)
        messages.success(request, _("Checked in. Welcome!"))
        return redirect("bookings:check_in", slug=slug)
    return render(request, "bookings/check_in.html", {"space": space, "booking": booking})


def _book_series(request, space: Space, form: BookingForm):
    """First show which dates can be booked (a dry run); on confirmation book those, all at once."""
    data = form.cleaned_data
    recurrence = form.recurrence()
    try:
        if not request.POST.get("confirm_series"):
            organization = services.resolve_organization(user=request.user, organization=data.get("organization"))
            periods = series.plan(start=data["start"], end=data["end"], recurrence=recurrence)
            form.occurrences = series.check(
                user=request.user,
                space=space,
                periods=periods,
                attendees=data["attendees"],
                title=data["title"],
                organization=organization,
            )
            form.bookable_count = sum(1 for o in form.occurrences if o.ok)
            form.series_price = series.price_of(space=space, occurrences=form.occurrences, organization=organization)
            return space_detail(request, space.slug, form=form)
        _series, bookings, skipped = series.create_series(
            requested_by=request.user,
            space=space,
            start=data["start"],
            end=data["end"],
            title=data["title"],
            attendees=data["attendees"],
            recurrence=recurrence,
            organization=data.get("organization"),
            purpose=data.get("purpose", ""),
            skip_conflicts=True,
        )
    except BookingError as error:
        if error.violations:  # the summary first, then each date
            form.add_error(None, error.message)
        show_on_form(form, error)
        return space_detail(request, space.slug, form=form, status=error.status)
    messages.success(
        request,
        _("%(count)d weekly bookings made; %(skipped)d dates left out.")
        % {"count": len(bookings), "skipped": len(skipped)},
    )
    return redirect("bookings:my_bookings")
