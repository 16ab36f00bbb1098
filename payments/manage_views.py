"""The manager's online payments and refunds, of their facilities and a month, on screen and as CSV."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.rules import local
from common.csv_export import csv_response
from hall.decorators import manager_required
from hall.models import Facility
from hall.selectors import facilities_managed_by, manages_facility
from payments import selectors, services
from payments.models import TossRefund


def _month(raw: str) -> date | None:
    """``YYYY-MM`` as the month's first day; None for anything else."""
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else None
    except ValueError:
        return None


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _when(moment) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@manager_required
def online_payments(request):
    facilities = facilities_managed_by(request.user).order_by("position", "slug")
    slug = request.GET.get("facility", "")
    if slug:
        facility = get_object_or_404(Facility, slug=slug)
        if not manages_facility(request.user, facility):
            raise PermissionDenied
        chosen = facilities.filter(pk=facility.pk)
    else:
        chosen = facilities
    raw_month = request.GET.get("month", "")
    month = _month(raw_month) if raw_month else timezone.localdate().replace(day=1)
    status = 200
    if month is None:
        month, status = timezone.localdate().replace(day=1), 400
    orders = list(selectors.orders_of_month(chosen, month))
    refunds = list(selectors.refunds_to_watch(chosen, month))
    if request.GET.get("format") == "csv" and status == 200:
        return _csv(orders, refunds, month)
    for refund in refunds:
        refund.needs_attention = selectors.refund_needs_attention(refund)
    query = {"month": f"{month:%Y-%m}", **({"facility": slug} if slug else {})}
    return render(
        request,
        "payments/manage/online.html",
        {
            "facilities": facilities,
            "facility_slug": slug,
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "previous_month": f"{_shift(month, -1):%Y-%m}",
            "next_month": f"{_shift(month, 1):%Y-%m}",
            "orders": orders,
            "refunds": refunds,
            "attention": sum(1 for refund in refunds if refund.needs_attention),
            "csv_query": "&".join(f"{key}={value}" for key, value in {**query, "format": "csv"}.items()),
            "online_payment_enabled": services.online_payment_enabled(),
            "bad_month": status == 400,
        },
        status=status,
    )


def _csv(orders, refunds, month: date):
    header = [
        _("Kind"),
        _("Date"),
        _("Facility"),
        _("Booking"),
        _("Booked by"),
        _("Order ID"),
        _("Payment key"),
        _("Method"),
        _("Amount (KRW)"),
        _("Status"),
        _("Status at Toss"),
        _("Note"),
    ]

    def who(booking) -> str:
        return booking.organization.name if booking.organization else str(booking.requested_by)

    rows = [
        [
            _("Payment"),
            _when(order.approved_at or order.created),
            order.booking.space.facility.display_name,
            f"#{order.booking.pk} {order.booking.title}",
            who(order.booking),
            order.order_id,
            order.payment_key or "",
            order.method,
            order.amount,
            order.get_status_display(),
            order.toss_status,
            order.failure_message,
        ]
        for order in orders
    ] + [
        [
            _("Refund"),
            _when(refund.done_at or refund.created),
            refund.booking.space.facility.display_name,
            f"#{refund.booking.pk} {refund.booking.title}",
            who(refund.booking),
            refund.order.order_id,
            refund.order.payment_key or "",
            refund.order.method,
            -refund.amount,
            refund.get_status_display(),
            refund.order.toss_status,
            refund.last_error,
        ]
        for refund in refunds
    ]
    return csv_response(filename=f"online-payments-{month:%Y-%m}.csv", header=header, rows=rows)


@manager_required
@require_POST
def retry_refund(request, pk):
    refund = get_object_or_404(TossRefund.objects.select_related("booking__space__facility"), pk=pk)
    if not manages_facility(request.user, refund.booking.space.facility):
        raise PermissionDenied
    services.retry_refund(refund=refund, manager=request.user)
    messages.success(
        request,
        _("The refund of %(amount)s won is sent to Toss again.")
        % {"amount": formats.number_format(refund.amount, force_grouping=True)},
    )
    return redirect("payments:online_payments")
