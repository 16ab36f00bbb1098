"""Thin Celery wrappers; the work is in payments.services. Scheduled in dongnam/celery.py."""

from celery import shared_task

from payments import services


@shared_task(acks_late=True)
def send_refund(refund_id: int) -> str:
    # A refund Toss did not answer stays pending with a later attempt time; the sweep sends it again.
    return services.send_refund(refund_id)


@shared_task(acks_late=True)
def send_due_refunds() -> int:
    """Every few minutes: refunds to send again (Toss was down) or whose task was lost."""
    return services.send_due_refunds()


@shared_task(acks_late=True)
def check_open_orders() -> int:
    """Every few minutes: confirmations Toss did not answer, and virtual accounts waiting for a deposit."""
    return services.check_open_orders()
