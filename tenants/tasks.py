from celery import shared_task

from tenants import business, outcomes, services


@shared_task(acks_late=True)
def update_contract_statuses() -> dict:
    """Daily (dongnam/celery.py): contracts past their last day become renewed or expired."""
    return services.update_contract_statuses()


@shared_task(acks_late=True)
def send_outcome_report_reminders() -> int:
    """Each year on 15 January at 09:00 (dongnam/celery.py): tenants are asked for last year's outcomes."""
    return outcomes.create_outcome_report_reminders()


@shared_task(acks_late=True)
def check_business_numbers(organization_ids: list[int]) -> int:
    """Queued when an organization is registered or its number changes: the tax service's status."""
    return business.check_business_numbers(organization_ids)


@shared_task(acks_late=True)
def recheck_business_numbers() -> int:
    """Daily (dongnam/celery.py): numbers never answered for, and those answered for over a year ago."""
    return business.check_business_numbers(business.organizations_due_for_check())
