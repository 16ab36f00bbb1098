from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from audit.models import AuditEntry


def history_of(target: models.Model) -> QuerySet[AuditEntry]:
    """The audit entries of one object, oldest first, with their actors: one query."""
    return (
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(target, for_concrete_model=True), target_id=target.pk
        )
        .select_related("actor")
        .order_by("created", "pk")
    )
