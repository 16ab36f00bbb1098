from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from bookings.rules import HALL_TZ
from reports import services

# The nightly build reaches back this far: a year of reports, and the weeks before it for a year's comparison.
NIGHTLY_DAYS_BACK = 400


@shared_task(acks_late=True)
def refresh_recent_usage() -> int:
    """Periodic (dongnam/celery.py): the last weeks and the months booked ahead, where figures change most."""
    return services.build_recent_usage()


@shared_task(acks_late=True)
def rebuild_usage(first: str | None = None, last: str | None = None) -> int:
    """Nightly: the past year, for refunds and corrections of older bookings. With dates (ISO), that window:
    the reports page asks for it when a period has days not built yet."""
    today = timezone.now().astimezone(HALL_TZ).date()
    first_day = date.fromisoformat(first) if first else today - timedelta(days=NIGHTLY_DAYS_BACK)
    last_day = date.fromisoformat(last) if last else today
    return services.build_usage(first=first_day, last=last_day)
