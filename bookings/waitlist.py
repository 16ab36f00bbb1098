"""The waiting list: when a slot frees, the first in line is offered it.

The offer is itself an active booking (status ``offered``), so the no-overlap invariant keeps holding
while the person decides: nobody else can take the slot, and accepting only changes the status.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from bookings import admission, selectors
from bookings.errors import BookingError
from bookings.models import Booking, WaitlistEntry
from hall.models import Space
from notifications.models import Notification
from notifications.services import notify
from tenants.selectors import is_hall_tenant


def join_waitlist(
    *, user, space: Space, start: datetime, end: datetime, title: str, attendees: int, organization=None, purpose=""
) -> WaitlistEntry:
    """Wait for a taken slot. Only a slot that is taken can be waited for, and only once per person."""
    organization = admission.resolve_organization(user=user, organization=organization)
    request = admission.BookingRequest(
        space=space, start=start, end=end, attendees=attendees, title=title, purpose=purpose
    )
    violations = admission.check_booking(user=user, request=request, organization=organization)
    if violations:
        first = violations[0]
        raise BookingError(first.code, first.message, field=first.field, violations=violations)
    with transaction.atomic():
        admission.lock_space(space)
        if not selectors.overlapping_bookings(start=start, end=end).filter(space=space).exists():
            raise BookingError("slot_free", _("This time is free: book it instead of waiting."))
        if WaitlistEntry.objects.filter(
            space=space, start=start, end=end, requested_by=user, status__in=WaitlistEntry.OPEN_STATUSES
        ).exists():
            raise BookingError("already_waiting", _("You are already on the waiting list for this time."))
        try:
            with transaction.atomic():
                entry = WaitlistEntry.objects.create(
                    space=space,
                    start=start,
                    end=end,
                    requested_by=user,
                    organization=organization,
                    title=title.strip(),
                    attendees=attendees,
                    purpose=purpose,
                )
        except IntegrityError:
            raise BookingError("already_waiting", _("You are already on the waiting list for this time.")) from None
        record(actor=user, action="waitlist.joined", target=entry, after={"start": start.isoformat()})
    return entry


def offer_freed_time(*, space: Space, start: datetime, end: datetime, now: datetime | None = None) -> Booking | None:
    """Offer a freed period to the first waiting person whose slot overlaps it and is now wholly free.

    Called inside the transaction that frees the time (cancellation, rejection, non-payment, no-show,
    an expired offer), so the offer takes the slot before anyone else can.
    """
    now = now or timezone.now()
    waiting = (
        WaitlistEntry.objects.select_for_update()
        .filter(space=space, status=WaitlistEntry.Status.WAITING, start__lt=end, end__gt=start, start__gt=now)
        .select_related("requested_by", "space__facility")
        .order_by("created", "pk")
    )
    for entry in waiting:
        if selectors.overlapping_bookings(start=entry.start, end=entry.end).filter(space=space).exists():
            continue
        try:
            with transaction.atomic():
                offer = Booking.objects.create(
                    space=space,
                    organization=entry.organization,
                    requested_by=entry.requested_by,
                    title=entry.title,
                    purpose=entry.purpose,
                    attendees=entry.attendees,
                    start=entry.start,
                    end=entry.end,
                    status=Booking.Status.OFFERED,
                    offer_expires_at=now + timedelta(hours=settings.WAITLIST_OFFER_HOURS),
                )
        except IntegrityError:
            continue  # taken in the meantime by someone holding the lock differently; next in line
        entry.status = WaitlistEntry.Status.OFFERED
        entry.offer = offer
        entry.save(update_fields=["status", "offer"])
        record(actor=None, action="waitlist.offered", target=offer, after={"until": offer.offer_expires_at.isoformat()})
        notify(
            kind=Notification.Kind.WAITLIST_OFFER,
            recipients=[entry.requested_by],
            subject=offer,
            key=f"booking:{offer.pk}:offered",
            context={"until": offer.offer_expires_at.isoformat()},
        )
        return offer
    return None


def ensure_offer_open(*, booking: Booking, user) -> None:
    """Refuse answering an offer made to someone else (403) or no longer open (409); for the confirmation
    page and, under the lock, for the answer itself."""
    if booking.requested_by_id != user.pk:
        raise BookingError("not_allowed", _("This offer is for someone else."))
    if booking.status != Booking.Status.OFFERED:
        raise BookingError("invalid_state", _("This offer is no longer open."))


def _offered_booking(booking: Booking, user) -> Booking:
    with admission.waiting_for_locks():
        booking = Booking.objects.select_for_update().select_related("space__facility").get(pk=booking.pk)
    ensure_offer_open(booking=booking, user=user)
    return booking


def accept_offer(*, booking: Booking, user, now: datetime | None = None) -> Booking:
    """Take the offered slot: it becomes a normal booking, admitted as any other (quota, price, approval)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _offered_booking(booking, user)
        if booking.offer_expires_at and booking.offer_expires_at <= now:
            raise BookingError("offer_expired", _("This offer has expired."))
        # The offer already holds the slot (an active status): taking it changes no overlap.
        (terms,), _exceeded = admission.admit(
            requested_by=booking.requested_by,
            space=booking.space,
            organization=booking.organization,
            periods=[admission.Period(booking.start, booking.end)],
            is_tenant=is_hall_tenant(booking.organization, today=timezone.localdate(now)),
            now=now,
        )
        for name, value in terms.booking_fields().items():
            setattr(booking, name, value)
        booking.offer_expires_at = None
        booking.save()
        WaitlistEntry.objects.filter(offer=booking).update(status=WaitlistEntry.Status.BOOKED)
        record(actor=user, action="waitlist.accepted", target=booking, after={"status": booking.status})
        admission.announce([booking], new=False)
    return booking


def decline_offer(*, booking: Booking, user) -> None:
    with transaction.atomic():
        booking = _offered_booking(booking, user)
        _close_offer(booking, WaitlistEntry.Status.LEFT, _("Offer declined."), actor=user)


def _close_offer(booking: Booking, entry_status: str, reason: str, *, actor=None) -> None:
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancel_reason = reason
    booking.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated"])
    WaitlistEntry.objects.filter(offer=booking).update(status=entry_status)
    record(actor=actor, action="waitlist.closed", target=booking, reason=reason)
    offer_freed_time(space=booking.space, start=booking.start, end=booking.end)


def expire_offers(*, now: datetime | None = None) -> int:
    """Periodic: offers not taken in time pass to the next in line."""
    now = now or timezone.now()
    expired = 0
    ids = list(
        Booking.objects.filter(status=Booking.Status.OFFERED, offer_expires_at__lte=now).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            booking = Booking.objects.select_for_update().select_related("space__facility").get(pk=pk)
            if booking.status != Booking.Status.OFFERED:
                continue
            _close_offer(booking, WaitlistEntry.Status.EXPIRED, _("The offer was not taken in time."))
            expired += 1
    return expired


def ensure_can_leave(*, entry: WaitlistEntry, user) -> None:
    """Refuse leaving someone else's place (403) or a place no longer waiting (409); for the confirmation
    page and, under the lock, for leaving itself."""
    if entry.requested_by_id != user.pk:
        raise BookingError("not_allowed", _("This is someone else's place on the list."))
    if entry.status != WaitlistEntry.Status.WAITING:
        raise BookingError("invalid_state", _("You are no longer waiting for this time."))


def leave_waitlist(*, entry: WaitlistEntry, user) -> None:
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        ensure_can_leave(entry=entry, user=user)
        entry.status = WaitlistEntry.Status.LEFT
        entry.save(update_fields=["status"])
