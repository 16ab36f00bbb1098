"""The base of every domain error: a machine-readable code, a translated message, an HTTP status.

Services raise subclasses (``BookingError``, ``TenancyError``); the API's exception handler and the HTML
pages' middleware turn them into answers, in one place each.
"""

from django.utils.translation import gettext as _


class DomainError(Exception):
    # HTTP status of each code that is not a plain rule violation (400); subclasses add their own.
    status_by_code: dict[str, int] = {
        "busy": 409,
        "invalid_state": 409,
        "not_allowed": 403,
        "not_manager": 403,
        "not_member": 403,
        "mfa_required": 403,
        "not_found": 404,
    }

    def __init__(self, code: str, message: str, *, field: str | None = None, violations=(), existing=None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        self.violations = list(violations)
        # The object a double submit ran into (an open renewal request): its id is in the answer.
        self.existing = existing

    @property
    def status(self) -> int:
        return self.status_by_code.get(self.code, 400)

    def as_dict(self) -> dict:
        """The API's error body: ``{"code", "detail", "errors"?, "violations"?, "existing"?}``."""
        body = {"code": self.code, "detail": self.message}
        if self.field:
            body["errors"] = {self.field: [self.message]}
        if self.violations:
            body["violations"] = [{"code": v.code, "detail": v.message, "field": v.field} for v in self.violations]
        if self.existing is not None:
            body["existing"] = self.existing.pk
        return body


# PostgreSQL's SQLSTATE for a lock not granted within lock_timeout.
LOCK_NOT_AVAILABLE = "55P03"


def is_lock_timeout(error: Exception) -> bool:
    """Whether a database error says a lock was not granted in time."""
    if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return True
    # SQLite: another writer held the database longer than the connection's timeout.
    return "database is locked" in str(error)


def busy() -> DomainError:
    return DomainError("busy", _("The system is busy. Please try again in a moment."))
