from celery import shared_task

from bookings import services


@shared_task(acks_late=True)
def cancel_unpaid_bookings() -> int:
    """Periodic (dongnam/celery.py): approved bookings unpaid past their deadline free their slot."""
    return services.cancel_unpaid_bookings()
