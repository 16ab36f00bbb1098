"""What a notification says, built at send or display time in the recipient's language.

The texts of each kind are the sending app's (``notifications.registry``); here are the three questions the
outbox and the inbox ask of any notification, and the small pieces the apps' messages share.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from notifications import registry
from notifications.models import Notification
from notifications.registry import Message

__all__ = [
    "Message",
    "absolute_url",
    "build_message",
    "link_of",
    "reason_lines",
    "still_relevant",
    "subject_line",
    "when",
]


def build_message(notification: Notification) -> Message:
    """The message in the active language; the sender activates the recipient's (notifications.services)."""
    return registry.get(notification.kind).build(notification)


def link_of(notification: Notification) -> str:
    """Where an in-app notification leads (a path on this site)."""
    kind = registry.get(notification.kind)
    if kind.link is not None:
        return kind.link(notification)
    subject = notification.subject
    if subject is not None and hasattr(subject, "get_absolute_url"):
        return subject.get_absolute_url()
    return ""


def still_relevant(notification: Notification) -> bool:
    """Re-checked just before sending: nothing is sent about a deleted subject, nor what its kind says is stale."""
    if notification.subject_id is not None and notification.subject is None:
        return False
    kind = registry.get(notification.kind)
    return kind.still_relevant is None or kind.still_relevant(notification)


# --- Shared pieces of the apps' messages ------------------------------------------------------------------


def subject_line(text: str) -> str:
    """An e-mail subject: the site's tag, then the text."""
    return f"{_('[Dongnam]')} {text}"


def when(moment) -> str:
    """A moment as the hall reads it, in the active language: ``2027-03-02 (Tue) 10:00``."""
    return date_format(timezone.localtime(moment), "Y-m-d (D) H:i")


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def reason_lines(notification: Notification) -> list[str]:
    """The reason the person who decided gave, as they wrote it."""
    reason = notification.context.get("reason")
    return [_("Reason: %(reason)s") % {"reason": reason}] if reason else []
