"""What each audit action is called in a history: the domain apps register their actions' labels."""

from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, str] = {}


def register_labels(labels: dict) -> None:
    """Called from an app's ``ready()`` with its actions and their (lazily translated) labels."""
    _LABELS.update(labels)


def label_of(action: str) -> str:
    """The action's label in the reader's language; an action no app named reads as a plain change."""
    return str(_LABELS.get(action, _("Changed")))
