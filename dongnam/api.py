"""The API's error answers, for every endpoint under /api/v1/: the one place where errors become JSON.

Errors are JSON: ``{"code": "...", "detail": "human message", "errors": {...}}``; ``errors`` holds
field messages for invalid input. A domain error (``common.errors.DomainError``: ``BookingError``,
``TenancyError``) answers with its own code and status; a lock not granted in time is 409 ``busy``. The
shared conventions of the endpoints themselves (pagination, strict query parameters) are in ``common.api``.
"""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from common.api import UnknownParameter
from common.errors import DomainError, busy, is_lock_timeout


def exception_handler(exc, context):
    if isinstance(exc, OperationalError) and is_lock_timeout(exc):
        exc = busy()
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code = "unknown_parameter" if isinstance(exc, UnknownParameter) else "invalid"
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"code": code, "detail": _("The request has invalid input."), "errors": errors}
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    # DRF's exceptions carry a machine-readable default code: not_authenticated, not_found, ...
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    code = codes if isinstance(codes, str) else "error"
    response.data = {"code": code, "detail": str(exc.detail)}
    return response
