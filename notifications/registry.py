"""The kinds of notification, registered by the apps that send them.

The outbox, the delivery and the inbox know nothing of bookings or leases: each domain app registers, from
its ``AppConfig.ready()``, the kinds it sends (``register_kind``: the label, what the message says, where it
leads, whether it is still worth sending), the models its notifications are about (``register_subject``, so the
inbox loads them in one query per model) and the reminders the every-minute sweep creates (``register_sweep``).

``Notification.Kind.<NAME>`` is the registered kind ``<name>`` (``Notification.Kind.BOOKING_APPROVED`` is
``"booking_approved"``), so the services name kinds as before.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured


@dataclass
class Message:
    """What one notification says, built in the recipient's language when it is sent or shown."""

    subject: str
    lines: list[str]
    link: str = ""
    link_label: str = ""
    items: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NotificationKind:
    value: str
    label: str
    # The message, built in the active language (the recipient's: see notifications.services).
    build: Callable[..., Message]
    # Where an in-app notification leads (a path on this site); by default its subject's page.
    link: Callable[..., str] | None = None
    # Re-checked just before sending: a reminder for a cancelled booking is skipped.
    still_relevant: Callable[..., bool] | None = None
    # Whether people may turn it off on their account page; decisions and deadlines always arrive.
    optional: bool = False
    # Sent by KakaoTalk/SMS even in the quiet hours (notifications.quiet_hours): it cannot wait until morning.
    urgent: bool = False


_kinds: dict[str, NotificationKind] = {}
_subject_querysets: list[Callable] = []
_sweep_jobs: list[Callable[..., int]] = []


def register_kind(
    value: str,
    label,
    *,
    build: Callable[..., Message],
    link: Callable[..., str] | None = None,
    still_relevant: Callable[..., bool] | None = None,
    optional: bool = False,
    urgent: bool = False,
) -> str:
    """Declare a kind of notification; returns its value (stored in ``Notification.kind``)."""
    if len(value) > 30:
        raise ImproperlyConfigured(f"Notification kind {value!r} is longer than Notification.kind allows (30)")
    known = _kinds.get(value)
    kind = NotificationKind(value, label, build, link, still_relevant, optional, urgent)
    if known is not None and known != kind:
        raise ImproperlyConfigured(f"Notification kind {value!r} is registered twice")
    _kinds[value] = kind
    return value


def register_subject(queryset: Callable) -> None:
    """A model notifications are about, as the inbox loads it: ``lambda: Booking.objects.select_related(...)``."""
    if queryset not in _subject_querysets:
        _subject_querysets.append(queryset)


def register_sweep(job: Callable[..., int]) -> None:
    """A job of the every-minute sweep, ``job(now=...)``, returning the number of notifications it created."""
    if job not in _sweep_jobs:
        _sweep_jobs.append(job)


def get(value: str) -> NotificationKind:
    try:
        return _kinds[value]
    except KeyError:
        raise LookupError(f"No app registered the notification kind {value!r}") from None


def is_optional(value: str) -> bool:
    kind = _kinds.get(value)
    return kind is not None and kind.optional


def is_urgent(value: str) -> bool:
    kind = _kinds.get(value)
    return kind is not None and kind.urgent


def kinds() -> list[NotificationKind]:
    """Every registered kind, in the order the apps registered them."""
    return list(_kinds.values())


def kind_choices() -> list[tuple[str, str]]:
    """The choices of ``Notification.kind``: read when used, so the apps' registrations count."""
    return [(kind.value, kind.label) for kind in _kinds.values()]


def subject_querysets() -> list:
    return [queryset() for queryset in _subject_querysets]


def sweep_jobs() -> list[Callable[..., int]]:
    return list(_sweep_jobs)


class Kinds:
    """``Notification.Kind``: the registered kinds by name, ``Notification.Kind.BOOKING_APPROVED``."""

    def __getattr__(self, name: str) -> str:
        value = name.lower()
        if name.isupper() and value in _kinds:
            return value
        raise AttributeError(f"No app registered the notification kind {value!r} (Notification.Kind.{name})")

    @property
    def choices(self) -> list[tuple[str, str]]:
        return kind_choices()

    @property
    def values(self) -> list[str]:
        return list(_kinds)


def run_sweep_jobs(*, now: datetime) -> int:
    return sum(job(now=now) for job in sweep_jobs())
