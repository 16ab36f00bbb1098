"""Domain errors on the HTML pages, answered in one place (the API's are in ``dongnam.api``).

A view lets a ``DomainError`` from a service propagate; this middleware answers it with its status (400,
403, 404, 409) and a page that says what happened and leads back to where the person came from. Forms that
show an error next to a field bind it themselves with ``show_on_form``, then answer with the same status.
"""

from django.db import OperationalError
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from common.errors import DomainError, busy, is_lock_timeout


def back_url(request) -> str:
    """The page the request came from, if it is ours; else the start page."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def show_on_form(form, error: DomainError, *, field_names: dict[str, str] | None = None) -> None:
    """Put the error (or each of its violations) next to the form field it is about."""
    field_names = field_names or {}
    for violation in error.violations or [error]:
        field = field_names.get(violation.field, violation.field)
        form.add_error(field if field in form.fields else None, violation.message)


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and is_lock_timeout(exception):
            exception = busy()
        if not isinstance(exception, DomainError):
            return None
        return render(
            request,
            "error.html",
            {"title": _("This could not be done"), "message": exception.message, "back": back_url(request)},
            status=exception.status,
        )
