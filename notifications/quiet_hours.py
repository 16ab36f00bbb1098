"""Quiet hours: no KakaoTalk or text message at night (``QUIET_HOURS``, 21:00–08:00 in the hall's time zone).

A KakaoTalk/SMS message that would be sent in the quiet hours is due when they end; urgent kinds (a booking about
to be cancelled for not paying) go at once. E-mail and the bell are not held: they do not wake anyone.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from notifications import registry


def window() -> tuple[time, time] | None:
    """The quiet hours as (start, end) local times, or None when there are none."""
    if not settings.QUIET_HOURS:
        return None
    start, end = (time.fromisoformat(part) for part in settings.QUIET_HOURS.split("-"))
    return None if start == end else (start, end)


def quiet_until(moment: datetime) -> datetime | None:
    """When the quiet hours around ``moment`` end, or None if ``moment`` is outside them."""
    hours = window()
    if hours is None:
        return None
    start, end = hours
    local = timezone.localtime(moment)
    clock = local.time()
    # Within one day (13:00–14:00) or across midnight (21:00–08:00).
    inside = start <= clock < end if start < end else clock >= start or clock < end
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=local.tzinfo)


def defer(moment: datetime, *, kind: str) -> datetime:
    """When a KakaoTalk/SMS message of ``kind`` due at ``moment`` may be sent."""
    if registry.is_urgent(kind):
        return moment
    return quiet_until(moment) or moment
