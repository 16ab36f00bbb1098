"""What every page's header needs from several apps; composed here, in the wiring, so no app imports one above it."""

from hall.selectors import is_manager
from tenants.models import LeaseContract


def navigation(request):
    """Whether to show the manager and the contracts links (two queries)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_manager": False, "nav_has_contracts": False}
    return {
        "nav_is_manager": is_manager(user),
        "nav_has_contracts": LeaseContract.objects.filter(organization__memberships__user=user).exists(),
    }
