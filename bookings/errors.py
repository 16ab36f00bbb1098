"""The errors of booking operations, each with a code the API answers and a translated message."""

from django.utils.translation import gettext as _

from common.errors import DomainError


class BookingError(DomainError):
    status_by_code = {**DomainError.status_by_code, "slot_taken": 409}


def slot_taken() -> BookingError:
    return BookingError("slot_taken", _("This slot was just taken. Please choose another time."), field="start")


def busy() -> BookingError:
    """Another booking held the space's or the organization's lock longer than ``BOOKING_LOCK_TIMEOUT``."""
    return BookingError("busy", _("Many people are booking right now. Please try again in a moment."))


def space_gone() -> BookingError:
    """The space was deleted between reading the request and booking it."""
    return BookingError("invalid", _("This space no longer exists."), field="space")


def unknown_space(slug: str) -> BookingError:
    return BookingError("invalid", _("There is no space “%(slug)s”.") % {"slug": slug}, field="space")


def not_manager(facility) -> BookingError:
    return BookingError("not_manager", _("Only the managers of %(facility)s may do this.") % {"facility": facility})
