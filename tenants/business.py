"""Organizations' business numbers and the tax service's word on them (tenants.nts).

An organization is saved first and checked after: its status is "unverified" until the tax service answers,
so a slow or failing API never holds up (or breaks) registering or editing an organization. A closed business
(폐업) cannot take or sign a lease, and gets no social-economy reduction (``Organization.is_social_economy``).
"""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from audit.services import record
from tenants import nts
from tenants.errors import TenancyError
from tenants.models import Membership, Organization

logger = logging.getLogger(__name__)

# Each number is asked again a year after its last answer.
RECHECK_AFTER = timedelta(days=365)
# The daily sweep asks at most this many numbers (100 per call, as the API allows).
SWEEP_LIMIT = 1000


def queue_check(organization: Organization) -> None:
    """Ask the tax service about the organization's number once the current transaction has committed."""
    if organization.business_number and nts.is_configured():
        from tenants.tasks import check_business_numbers as task

        transaction.on_commit(lambda: task.delay([organization.pk]))


def mark_unverified(organization: Organization) -> None:
    """A new or changed number: what the tax service said about the old one no longer holds."""
    organization.business_status = Organization.BusinessStatus.UNVERIFIED
    organization.business_checked_at = None
    organization.business_status_note = ""


def check_business_numbers(organization_ids: list[int], *, now: datetime | None = None) -> int:
    """Ask the tax service about these organizations' numbers, 100 per call, and store each answer with its
    time. A call that fails leaves its numbers as they were, to be asked by the next sweep. Returns the
    number of organizations updated."""
    if not nts.is_configured():
        return 0
    now = now or timezone.now()
    numbers = dict(
        Organization.objects.filter(pk__in=organization_ids, business_number__isnull=False).values_list(
            "business_number", "pk"
        )
    )
    ordered = sorted(numbers)
    updated = 0
    for offset in range(0, len(ordered), nts.MAX_NUMBERS_PER_CALL):
        batch = ordered[offset : offset + nts.MAX_NUMBERS_PER_CALL]
        try:
            answers = nts.fetch_statuses(batch)
        except nts.NtsUnavailable:
            continue
        for number in batch:
            answer = answers.get(number)
            status = answer.status if answer else Organization.BusinessStatus.UNVERIFIED
            note = answer.note if answer else _("The tax service did not answer for this number.")
            # Only if the number is still the one asked about: an edit meanwhile queues its own check.
            updated += Organization.objects.filter(pk=numbers[number], business_number=number).update(
                business_status=status, business_checked_at=now, business_status_note=note
            )
    return updated


def organizations_due_for_check(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> list[int]:
    """Numbers never answered for, then those answered for longest ago (more than a year)."""
    now = now or timezone.now()
    due = Organization.objects.filter(
        Q(business_checked_at__isnull=True) | Q(business_checked_at__lt=now - RECHECK_AFTER),
        business_number__isnull=False,
    ).order_by("business_checked_at", "pk")
    return list(due.values_list("pk", flat=True)[:limit])


def refuse_closed_business(organization: Organization) -> None:
    if organization.is_closed_business:
        raise TenancyError(
            "business_closed",
            _(
                "The National Tax Service reports this business as closed (%(note)s): it cannot take or sign a "
                "lease. If it has reopened, correct the business number or ask the facility to check it again."
            )
            % {"note": organization.business_status_note or pgettext("business status", "closed")},
        )


def register_organization(*, user, fields: dict) -> Organization:
    """A person registers their organization and becomes its owner; its number is checked after saving."""
    allowed = {"name", "name_en", "kind", "business_number", "representative", "email", "phone", "address"}
    with transaction.atomic():
        organization = Organization(**{name: value for name, value in fields.items() if name in allowed})
        try:
            organization.full_clean()
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise TenancyError("invalid", messages[0], field=None if field == NON_FIELD_ERRORS else field) from None
        mark_unverified(organization)
        organization.save()
        Membership.objects.create(organization=organization, user=user, role=Membership.Role.OWNER)
        record(actor=user, action="organization.registered", target=organization, after={"name": organization.name})
        queue_check(organization)
    return organization
