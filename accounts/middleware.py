from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from hall.selectors import is_manager

# Pages that only managers and admins use; they need two-factor sign-in when it is required.
MANAGER_PATH_PREFIXES = ("/manage/", "/admin/")


class UserLanguageMiddleware:
    """Signed-in users see the site in the language saved on their account."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def manager_mfa_missing(user) -> bool:
    """Whether a manager or admin still has to set up TOTP before acting as one."""
    return bool(
        settings.MANAGER_MFA_REQUIRED
        and user.is_authenticated
        and (user.is_staff or is_manager(user))
        and not is_mfa_enabled(user, ["totp"])
    )


class ManagerMfaMiddleware:
    """Send managers and admins without TOTP to its set-up page before any manager page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(MANAGER_PATH_PREFIXES) and manager_mfa_missing(request.user):
            messages.warning(
                request,
                _("Managers must turn on two-factor authentication before using manager pages."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
