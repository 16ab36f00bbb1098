from celery import shared_task

from tenants import services


@shared_task(acks_late=True)
def update_contract_statuses() -> dict:
    """Daily (dongnam/celery.py): contracts past their last day become renewed or expired."""
    return services.update_contract_statuses()
