"""Read queries about the hall: who manages what, and the hall's structure for pages."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import Count, Exists, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from common.errors import DomainError
from hall.models import Building, Facility, Space

# Who manages what is decided here, once: every page, API endpoint, service and selector that lets a user do
# or see something *because they manage a facility* asks these functions. With MANAGER_MFA_REQUIRED, a
# manager (or admin) whose account has no TOTP authenticator manages nothing and is a plain member
# everywhere. Allauth asks for the TOTP code at every sign-in of an account that has one, so an
# authenticator on the account means the session passed the second factor.


def holds_manager_role(user) -> bool:
    """Whether the user is named a manager (or is an admin), second factor or not: only for telling them
    to set it up."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.is_staff or user.managed_facilities.exists()


def _second_factor(user) -> Q:
    """The condition, evaluated in the same statement, that the user's account has TOTP when required."""
    if not settings.MANAGER_MFA_REQUIRED:
        return Q()
    return Q(Exists(Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP)))


def facilities_managed_by(user) -> QuerySet[Facility]:
    """The facilities a user may manage; an admin (superuser) manages them all."""
    if not user.is_authenticated or not user.is_active:
        return Facility.objects.none()
    if user.is_superuser:
        return Facility.objects.filter(_second_factor(user))
    return Facility.objects.filter(_second_factor(user), managers=user)


def is_manager(user) -> bool:
    """Whether the user acts as the manager of at least one facility (admins manage all)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return is_admin(user)
    return facilities_managed_by(user).exists()


def is_admin(user) -> bool:
    """An admin acting as one: a superuser who passed the second factor when it is required."""
    if not user.is_authenticated or not user.is_active or not user.is_superuser:
        return False
    if not settings.MANAGER_MFA_REQUIRED:
        return True
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def second_factor_missing(user) -> bool:
    """A named manager or admin who would act as one but has no TOTP while it is required."""
    return bool(settings.MANAGER_MFA_REQUIRED and holds_manager_role(user) and not is_manager(user))


def refuse_without_second_factor(user) -> None:
    """For a manager's action: say plainly that TOTP is missing, instead of treating them as a stranger."""
    if second_factor_missing(user):
        raise DomainError("mfa_required", _("Turn on two-factor authentication before acting as a manager."))


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
