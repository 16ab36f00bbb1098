from hall.selectors import is_manager


def navigation(request):
    """What the page header needs: whether to show the manager and the contracts links (two queries)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_manager": False, "nav_has_contracts": False}
    from tenants.models import LeaseContract

    return {
        "nav_is_manager": is_manager(user),
        "nav_has_contracts": LeaseContract.objects.filter(organization__memberships__user=user).exists(),
    }
