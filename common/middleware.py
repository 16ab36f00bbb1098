"""Refuse requests whose address, query, form fields, cookies or headers hold characters no text can be stored with.

PostgreSQL cannot store or compare a NUL character; a lone UTF-16 surrogate cannot be encoded to UTF-8. A view
that passes either to the database (a calendar token, a slug, a primary key, a note typed into a form) fails
with a server error there, and on SQLite not at all, so tests would not notice. Refusing them once, here,
answers every URL with a 400 before any view or database query sees them.
"""

import re

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_unstorable(*texts: str) -> bool:
    return any(UNSTORABLE_CHARACTERS.search(text) for text in texts)


def _multi_value_dict_unstorable(values) -> bool:
    return any(_has_unstorable(name, *items) for name, items in values.lists())


def is_malformed(request) -> bool:
    if _has_unstorable(request.path_info):
        return True
    if _multi_value_dict_unstorable(request.GET):
        return True
    if any(_has_unstorable(name, value) for name, value in request.COOKIES.items()):
        return True
    # No HTTP field value may hold a NUL (RFC 9110, 5.5); an Authorization header with one reaches the token table.
    if any(_has_unstorable(value) for key, value in request.META.items() if key.startswith("HTTP_")):
        return True
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        # Views read some fields straight from request.POST (a manager's note); Django's own CSRF check reads
        # the form before the view anyway, so reading it here costs nothing more.
        # (Django's multipart parser already strips NUL from the names of uploaded files.)
        return _multi_value_dict_unstorable(request.POST)
    return False


class MalformedRequestMiddleware:
    """Answer 400 to a request with a NUL or a lone surrogate anywhere: JSON under ``api_prefix``, HTML elsewhere."""

    api_prefix = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_malformed(request):
            return self.bad_request(request)
        return self.get_response(request)

    def bad_request(self, request):
        if request.path_info.startswith(self.api_prefix):
            detail = _("The address or the body of the request holds characters that are not allowed (such as NUL).")
            return JsonResponse(
                {"code": "parse_error", "detail": detail}, status=400, json_dumps_params={"ensure_ascii": False}
            )
        # The plain page (templates/400.html): no layout, so nothing reads the session or the database.
        return defaults.bad_request(request, exception=None)
