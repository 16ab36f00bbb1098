"""What the booker reads about paying: on the booking page and in the approval message, written once.

It names the facility's account for the transfer (bank, number, holder) when the facility has one, else it
asks the booker to contact the facility for it."""

from django.utils import formats
from django.utils.translation import gettext as _

from bookings.models import Booking
from bookings.rules import local


def _when(moment) -> str:
    return formats.date_format(local(moment), "Y-m-d (D) H:i")


def _contact(facility) -> str:
    ways = [way for way in (facility.contact_phone, facility.contact_email) if way]
    return " · ".join(ways)


def payment_instructions(booking: Booking) -> str:
    """When and how to pay an approved, unpaid booking; empty when nothing is owed."""
    if booking.status != Booking.Status.APPROVED or booking.payment_status != Booking.PaymentStatus.UNPAID:
        return ""
    facility = booking.space.facility
    values = {
        "amount": f"{booking.amount_due:,}",
        "deadline": _when(booking.payment_deadline or booking.start),
        "facility": facility.display_name,
        "contact": _contact(facility),
    }
    if booking.payment_deadline is None or booking.payment_deadline >= booking.start:
        # Approved too close to the start for a deadline before it: paid on the day, never cancelled for it.
        text = _(
            "Approved shortly before the start: pay %(amount)s won before the booking starts (%(deadline)s), "
            "by bank transfer to %(facility)s or at its office."
        )
    else:
        text = _(
            "Pay %(amount)s won by %(deadline)s, by bank transfer to %(facility)s or at its office; "
            "a booking not paid by then is cancelled."
        )
    text %= values
    account = facility.bank_account_display
    if account:
        text += " " + _("Account: %(account)s.") % {"account": account}
    elif values["contact"]:
        text += " " + _("Ask the facility for its account: %(contact)s.") % values
    return text
