"""Read queries about the hall: who manages what, and the hall's structure for pages."""

from django.db.models import Count, Prefetch, Q, QuerySet

from hall.models import Building, Facility, Space


def facilities_managed_by(user) -> QuerySet[Facility]:
    """The facilities a user may manage; an admin (superuser) manages them all."""
    if not user.is_authenticated or not user.is_active:
        return Facility.objects.none()
    if user.is_superuser:
        return Facility.objects.all()
    return Facility.objects.filter(managers=user)


def is_manager(user) -> bool:
    """Whether the user manages at least one facility (admins manage all)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.managed_facilities.exists()


def manages_facility(user, facility: Facility) -> bool:
    return facilities_managed_by(user).filter(pk=facility.pk).exists()


def buildings_with_facilities() -> QuerySet[Building]:
    """Buildings, each with its facilities and their bookable-space counts: two queries in all."""
    facilities = Facility.objects.annotate(
        bookable_space_count=Count("spaces", filter=Q(spaces__is_bookable=True))
    ).order_by("position", "slug")
    return Building.objects.prefetch_related(Prefetch("facilities", queryset=facilities))


def facilities_for_dashboard(user) -> QuerySet[Facility]:
    """The manager's facilities with their spaces and units: three queries whatever their number."""
    return (
        facilities_managed_by(user)
        .select_related("building")
        .prefetch_related(
            Prefetch("spaces", queryset=Space.objects.order_by("floor", "slug")),
            "units",
        )
        .order_by("position", "slug")
    )
