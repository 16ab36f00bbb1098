"""Managers without the second factor are sent to set it up before the manager pages."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from hall.selectors import second_factor_missing

# Pages that only managers and admins use: a manager without TOTP is sent to set it up. This is a guide,
# not the guard: hall.selectors decides everywhere that such a manager manages nothing.
MANAGER_PATH_PREFIXES = ("/manage/", "/admin/")


class ManagerMfaMiddleware:
    """Send managers and admins without TOTP to its set-up page before any manager page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(MANAGER_PATH_PREFIXES) and second_factor_missing(request.user):
            messages.warning(
                request,
                _("Managers must turn on two-factor authentication before using manager pages."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
