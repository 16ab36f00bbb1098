from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.models import AuditEntry


def record(*, actor, action: str, target: models.Model, before=None, after=None, reason: str = "") -> AuditEntry:
    """Write one audit entry; call it inside the transaction of the change it describes."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        target_id=target.pk,
        before=before or {},
        after=after or {},
        reason=reason,
    )
