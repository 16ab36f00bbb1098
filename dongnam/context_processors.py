"""What every page's header needs from several apps; composed here, in the wiring, so no app imports one above it."""

from dongnam.selectors import pending_approvals
from hall.selectors import is_manager
from tenants.models import LeaseContract


def _pending_count(request) -> int:
    # Counted only when a page shows the manager tabs, once per request (the start page counts it itself).
    if not hasattr(request, "pending_approvals"):
        request.pending_approvals = pending_approvals(request.user)
    return request.pending_approvals.count


def navigation(request):
    """Whether to show the manager and the contracts links (two queries), and, for the manager tabs only, the
    number of bookings awaiting approval (one more query, on the pages that show it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_manager": False, "nav_has_contracts": False}
    return {
        "nav_is_manager": is_manager(user),
        "nav_has_contracts": LeaseContract.objects.filter(organization__memberships__user=user).exists(),
        # A callable: the template calls it only where it shows the number.
        "nav_pending_count": lambda: _pending_count(request),
    }
