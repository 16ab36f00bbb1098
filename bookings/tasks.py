from celery import shared_task

from bookings import services


@shared_task(acks_late=True)
def cancel_unpaid_bookings() -> int:
    """Periodic (dongnam/celery.py): approved bookings unpaid past their deadline free their slot."""
    return services.cancel_unpaid_bookings()


@shared_task(acks_late=True)
def expire_waitlist_offers() -> int:
    """Periodic: offers not taken in time pass to the next in line."""
    from bookings.waitlist import expire_offers

    return expire_offers()


@shared_task(acks_late=True)
def mark_no_shows() -> int:
    """Periodic: bookings not checked in 30 minutes after the start become no-shows."""
    return services.mark_no_shows()
