"""allauth's adapter as the site uses it: the account's own behaviour (accounts.adapters), plus where each person
lands after signing in, which depends on the apps above accounts (managed facilities, leases, bookings)."""

from accounts.adapters import AccountAdapter as BaseAccountAdapter
from dongnam.selectors import landing_url


class AccountAdapter(BaseAccountAdapter):
    # A safe ?next= still wins: allauth asks these only when the sign-in carries none.
    def get_login_redirect_url(self, request) -> str:
        return landing_url(request.user)

    def get_signup_redirect_url(self, request) -> str:
        return landing_url(request.user)
