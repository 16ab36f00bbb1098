from hall.selectors import is_manager


def navigation(request):
    """What the page header needs: whether to show the manager link."""
    user = getattr(request, "user", None)
    return {"nav_is_manager": bool(user is not None and is_manager(user))}
