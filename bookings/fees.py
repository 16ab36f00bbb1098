"""Fees, reductions and refunds of public facility rental (대관), in whole won.

The fee is the space's price for the booked time; the reduction is the largest the applicant's
category earns at the facility; refunds follow the facility's tiers by days before the start.

A category is earned automatically (the lease makes a tenant, the organization's kind a public body or a
social-economy organization) or granted on evidence: an approved, unexpired ``ReductionApplication``
(``granted``, read by ``bookings.reductions.granted_reductions``).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from bookings.rules import local
from hall.models import Facility, Space
from tenants.models import Organization

CATEGORY_LABELS = {
    "tenant": _("tenant of the hall"),
    "social_economy": _("social-economy organization"),
    "public_body": _("public body"),
    # Categories granted on evidence (bookings.reductions.USUAL_CATEGORIES); a facility's own codes are
    # named by their ReductionCategory.
    "national_merit": _("person of national merit"),
    "disability": _("person with a disability"),
    "basic_livelihood": _("basic livelihood recipient"),
    "multi_child": _("multi-child family"),
}

# Categories the hall's own records decide, with no application, at the facility's own percent.
AUTOMATIC_CODES = {"tenant": "tenant_reduction_percent", "public_body": "public_body_reduction_percent"}


def automatic_percent(facility: Facility, code: str) -> int:
    return getattr(facility, AUTOMATIC_CODES[code])


@dataclass(frozen=True)
class Price:
    fee: int  # before reduction
    reduction_percent: int
    reduction_category: str
    amount_due: int

    @property
    def reduction_label(self) -> str:
        return str(CATEGORY_LABELS.get(self.reduction_category, self.reduction_category))


def gross_fee(space: Space, start: datetime, end: datetime) -> int:
    """The space's fee for [start, end): per hour (pro rata by the minute), or per started day."""
    if space.fee == 0:
        return 0
    seconds = Decimal((end - start).total_seconds())
    if space.booking_unit == Space.BookingUnit.DAY:
        days = (seconds / Decimal(86400)).to_integral_value(rounding="ROUND_CEILING")
        return int(space.fee * days)
    hours = seconds / Decimal(3600)
    return int((space.fee * hours).to_integral_value(rounding=ROUND_HALF_UP))


def reduction_for(
    organization: Organization | None,
    facility: Facility,
    *,
    is_tenant: bool,
    granted: Iterable[tuple[int, str]] = (),
) -> tuple[int, str]:
    """The largest reduction the organization earns at the facility, with its category. ``granted``: the
    (percent, code) of its approved applications there; never added to the others, only compared."""
    candidates = [(0, "")]
    if organization is not None:
        candidates.extend(granted)
        if is_tenant:
            candidates.append((facility.tenant_reduction_percent, "tenant"))
        if organization.is_social_economy:
            candidates.append((facility.social_economy_reduction_percent, "social_economy"))
        if organization.kind == Organization.Kind.PUBLIC_BODY:
            candidates.append((facility.public_body_reduction_percent, "public_body"))
    return max(candidates)


def price(
    space: Space,
    start: datetime,
    end: datetime,
    organization: Organization | None,
    *,
    is_tenant: bool,
    granted: Iterable[tuple[int, str]] = (),
) -> Price:
    fee = gross_fee(space, start, end)
    percent, category = (
        reduction_for(organization, space.facility, is_tenant=is_tenant, granted=granted) if fee else (0, "")
    )
    # The reduction is rounded in the applicant's favour: they never pay a fraction of a won more.
    amount = int((Decimal(fee) * (100 - percent) / 100).to_integral_value(rounding=ROUND_FLOOR))
    return Price(fee=fee, reduction_percent=percent, reduction_category=category, amount_due=amount)


def refund_percent(facility: Facility, start: datetime, now: datetime) -> int:
    """The share refunded when the booker cancels: by whole days before the start, in Asia/Seoul."""
    days_before = (local(start).date() - local(now).date()).days
    tiers = sorted(facility.refund_tiers, key=lambda tier: tier[0], reverse=True)
    for min_days, percent in tiers:
        if days_before >= min_days:
            return percent
    return 0


def refund_amount(amount_paid: int, percent: int) -> int:
    return int((Decimal(amount_paid) * percent / 100).to_integral_value(rounding=ROUND_FLOOR))
