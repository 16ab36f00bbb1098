from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from bookings.models import Booking
from bookings.selectors import visible_bookings
from notifications.messages import absolute_url
from papers import documents, eligibility, services
from papers.models import IssuedPaper


def _booking_or_404(user, pk) -> Booking:
    # Those who may see the booking (the booker, its organization's members, the facility's managers, admins)
    # may have its papers; to anyone else the booking does not exist.
    return get_object_or_404(visible_bookings(user), pk=pk)


def _pdf_response(content: bytes, paper: IssuedPaper) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{paper.number}.pdf"'
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
def permit(request, pk):
    booking = _booking_or_404(request.user, pk)
    paper = services.issue_paper(booking=booking, kind=IssuedPaper.Kind.PERMIT, user=request.user)
    # The QR code leads to the public site (SITE_URL), as the links in e-mails do.
    verify_url = absolute_url(reverse("papers:verify", args=[paper.token]))
    return _pdf_response(documents.permit_pdf(paper, booking, verify_url=verify_url), paper)


@login_required
def payment_receipt(request, pk):
    booking = _booking_or_404(request.user, pk)
    paper = services.issue_paper(booking=booking, kind=IssuedPaper.Kind.PAYMENT_RECEIPT, user=request.user)
    return _pdf_response(documents.receipt_pdf(paper, booking), paper)


@login_required
def refund_receipt(request, pk):
    booking = _booking_or_404(request.user, pk)
    paper = services.issue_paper(booking=booking, kind=IssuedPaper.Kind.REFUND_RECEIPT, user=request.user)
    return _pdf_response(documents.receipt_pdf(paper, booking), paper)


@never_cache
def verify(request, token):
    """Public: whether a permit still holds, with its main facts and no personal data (the organization's name
    at most). Anyone holding the paper may scan its code; the token is unguessable."""
    paper = get_object_or_404(
        IssuedPaper.objects.select_related("booking__space__facility__building", "booking__organization"),
        token=token,
        kind=IssuedPaper.Kind.PERMIT,
    )
    booking = paper.booking
    response = render(
        request,
        "papers/verify.html",
        {
            "paper": paper,
            "booking": booking,
            "is_valid": eligibility.permit_is_valid(booking),
            "has_ended": booking.end <= timezone.now(),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response
