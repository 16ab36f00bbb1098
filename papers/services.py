"""Issuing a paper: its number and issue date are fixed once, at the first download, with an audit entry."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.services import record
from bookings.models import Booking
from bookings.rules import local
from papers import eligibility
from papers.errors import PaperError
from papers.models import IssuedPaper, new_verification_token


def paper_number(kind: str, issued_at: datetime, serial: int) -> str:
    """DN-2026-000123: the kind's prefix, the year of issue in the hall's time zone, the row's id."""
    return f"{IssuedPaper.NUMBER_PREFIXES[kind]}-{local(issued_at).year}-{serial:06d}"


def issue_paper(*, booking: Booking, kind: str, user) -> IssuedPaper:
    """The booking's paper of this kind, issued now if it never was; refused (409) when the booking has none.

    Callers check who may have it (``bookings.selectors.visible_bookings``). A paper issued before stays the
    paper, with its number and date, as long as the booking still has one of its kind.
    """
    reason = eligibility.refusal(booking, kind)
    if reason:
        raise PaperError("not_issued", reason)
    paper = IssuedPaper.objects.filter(booking=booking, kind=kind).first()
    if paper is not None:
        return paper
    with transaction.atomic():
        # The booking's row lock serializes two first downloads at once (and a cancellation meanwhile): the
        # second finds the first one's paper instead of running into the unique constraint.
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        reason = eligibility.refusal(booking, kind)
        if reason:
            raise PaperError("not_issued", reason)
        paper = IssuedPaper.objects.filter(booking=booking, kind=kind).first()
        if paper is not None:
            return paper
        issued_at = timezone.now()
        paper = IssuedPaper.objects.create(
            booking=booking,
            kind=kind,
            issued_at=issued_at,
            issued_to=user if user.is_authenticated else None,
            token=new_verification_token() if kind == IssuedPaper.Kind.PERMIT else None,
        )
        paper.number = paper_number(kind, issued_at, paper.pk)
        paper.save(update_fields=["number"])
        record(actor=user, action=f"paper.{kind}", target=booking, after={"number": paper.number})
    return paper
