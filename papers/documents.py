"""What each paper says, gathered from the booking for its template (papers/*.html)."""

from bookings.models import Booking
from papers.models import IssuedPaper
from papers.rendering import qr_code_data_uri, render_pdf


def _common(paper: IssuedPaper, booking: Booking) -> dict:
    facility = booking.space.facility
    return {
        "paper": paper,
        "booking": booking,
        "space": booking.space,
        "facility": facility,
        "building": facility.building,
        "organization": booking.organization,
        "booker": booking.requested_by,
    }


def permit_pdf(paper: IssuedPaper, booking: Booking, *, verify_url: str) -> bytes:
    paid = booking.amount_due if booking.payment_status == Booking.PaymentStatus.PAID else 0
    return render_pdf(
        "papers/permit.html",
        {
            **_common(paper, booking),
            "reduction_amount": booking.fee - booking.amount_due if booking.reduction_percent else 0,
            "amount_paid": paid,
            "verify_url": verify_url,
            "qr_code": qr_code_data_uri(verify_url),
        },
    )


def receipt_pdf(paper: IssuedPaper, booking: Booking) -> bytes:
    refund = paper.kind == IssuedPaper.Kind.REFUND_RECEIPT
    return render_pdf(
        "papers/receipt.html",
        {
            **_common(paper, booking),
            "is_refund": refund,
            "amount": booking.refund_amount if refund else booking.amount_due,
            "received_at": booking.refunded_at if refund else booking.paid_at,
        },
    )
