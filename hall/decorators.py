"""Who may open manager pages: the one check, used by every app's manager views."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from hall.selectors import is_manager


def manager_required(view):
    """Signed-in managers of at least one facility (admins manage all); others get 403, strangers the login.

    Which facility a page is about is checked by the page itself (``manages_facility``)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
