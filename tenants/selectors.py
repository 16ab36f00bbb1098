"""Read queries for organizations, contracts and renewals; each keeps a fixed number of queries."""

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from hall.selectors import facilities_managed_by, is_admin
from tenants.models import Invitation, LeasableUnit, LeaseContract, Membership, Organization, RenewalRequest


def organizations_of(user) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user).order_by("name")


def organization_page(organization: Organization) -> dict:
    return {
        "memberships": organization.memberships.select_related("user").order_by("role", "user__email"),
        "invitations": Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
        ).select_related("invited_by"),
    }


def contracts_of(user) -> QuerySet[LeaseContract]:
    """Contracts of the user's organizations, newest first."""
    return (
        LeaseContract.objects.filter(organization__memberships__user=user)
        .select_related("unit__facility", "organization", "renews")
        .order_by("-start_date")
    )


def visible_contracts(user) -> QuerySet[LeaseContract]:
    """Contracts a user may see: their organizations' and those of the facilities they manage."""
    if not user.is_authenticated:
        return LeaseContract.objects.none()
    qs = LeaseContract.objects.select_related("unit__facility", "organization", "renews")
    if is_admin(user):
        return qs
    member_orgs = Membership.objects.filter(user=user).values("organization_id")
    return qs.filter(Q(organization_id__in=member_orgs) | Q(unit__facility__in=facilities_managed_by(user)))


def managed_contracts(
    user,
    *,
    facility: str | None = None,
    status: str | None = None,
    expiring_within: int | None = None,
    organization: str | None = None,
    today: date,
) -> QuerySet[LeaseContract]:
    qs = (
        LeaseContract.objects.filter(unit__facility__in=facilities_managed_by(user))
        .select_related("unit__facility", "organization", "renews")
        .annotate(
            open_renewal=Exists(
                RenewalRequest.objects.filter(contract=OuterRef("pk"), status__in=RenewalRequest.OPEN_STATUSES)
            )
        )
        .order_by("end_date", "pk")
    )
    if facility:
        qs = qs.filter(unit__facility__slug=facility)
    if status:
        qs = qs.filter(status=status)
    if expiring_within is not None:
        qs = qs.filter(
            status=LeaseContract.Status.ACTIVE,
            end_date__gte=today,
            end_date__lte=today + timedelta(days=expiring_within),
        )
    if organization:
        qs = qs.filter(Q(organization__name__icontains=organization) | Q(organization__name_en__icontains=organization))
    return qs


def renewal_queue(user) -> QuerySet[RenewalRequest]:
    """Open renewal requests of the manager's facilities, oldest first."""
    return (
        RenewalRequest.objects.filter(
            contract__unit__facility__in=facilities_managed_by(user), status__in=RenewalRequest.OPEN_STATUSES
        )
        .select_related("contract__unit__facility", "contract__organization", "requested_by")
        .annotate(document_count=Count("documents"))
        .order_by("created", "pk")
    )


def contract_history(contract: LeaseContract) -> list[LeaseContract]:
    """The chain of contracts of one tenancy, oldest first: one query, walked in memory.

    A renewal keeps the unit and the organization, so the chain is among their contracts.
    """
    candidates = {
        c.pk: c
        for c in LeaseContract.objects.filter(unit_id=contract.unit_id, organization_id=contract.organization_id)
        .select_related("unit")
        .order_by("start_date")
    }
    successors = {c.renews_id: c for c in candidates.values() if c.renews_id}
    first = candidates.get(contract.pk, contract)
    while first.renews_id in candidates:
        first = candidates[first.renews_id]
    chain = [first]
    while chain[-1].pk in successors and len(chain) <= len(candidates):
        chain.append(successors[chain[-1].pk])
    return chain


def renewals_of(contract: LeaseContract) -> QuerySet[RenewalRequest]:
    return (
        RenewalRequest.objects.filter(contract=contract)
        .select_related("requested_by", "decided_by", "accepted_by", "new_contract")
        .prefetch_related("documents")
        .order_by("created")
    )


def units_with_occupancy(user, *, today: date) -> QuerySet[LeasableUnit]:
    current = LeaseContract.objects.filter(
        unit=OuterRef("pk"),
        status__in=[LeaseContract.Status.ACTIVE, LeaseContract.Status.RENEWED],
        start_date__lte=today,
        end_date__gte=today,
    ).select_related("organization")
    return (
        LeasableUnit.objects.filter(facility__in=facilities_managed_by(user))
        .select_related("facility")
        .prefetch_related(
            Prefetch(
                "contracts",
                queryset=LeaseContract.objects.filter(
                    status__in=[LeaseContract.Status.ACTIVE, LeaseContract.Status.RENEWED],
                    start_date__lte=today,
                    end_date__gte=today,
                ).select_related("organization"),
                to_attr="current_contracts",
            )
        )
        .annotate(occupied=Exists(current))
        .order_by("facility__position", "code")
    )


def is_hall_tenant(organization, *, today: date) -> bool:
    """Whether the organization leases a unit of the hall on that day (longer horizon, reductions, quota)."""
    if organization is None:
        return False
    return LeaseContract.objects.filter(
        organization=organization,
        status__in=[LeaseContract.Status.ACTIVE, LeaseContract.Status.RENEWED],
        start_date__lte=today,
        end_date__gte=today,
    ).exists()
