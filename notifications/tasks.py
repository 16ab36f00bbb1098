"""Thin Celery wrappers; the work is in notifications.services. The apps' own reminders and digests are
scheduled from their modules (``bookings.notifications``, ``tenants.notifications``)."""

from celery import shared_task

from notifications import services


@shared_task(
    acks_late=True,
    autoretry_for=(services.TransientError,),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=services.MAX_ATTEMPTS,
)
def send_notification(notification_id: int) -> str:
    # A retry finds the row pending again with a later due time; deliver() sends it only when due.
    return services.deliver(notification_id)


@shared_task(acks_late=True)
def send_notifications_by_key(keys: list[str]) -> int:
    # One task per row from here, so each row keeps its own retries.
    ids = services.pending_ids(keys)
    services.enqueue(ids)
    return len(ids)


@shared_task(acks_late=True)
def sweep_notifications() -> dict:
    """Every minute: due reminders, stale claims, unsent notifications (recovers lost tasks)."""
    return services.sweep()
