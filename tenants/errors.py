"""The errors of tenancy operations (organizations, members, leases, renewals)."""

from common.errors import DomainError


class TenancyError(DomainError):
    status_by_code = {
        **DomainError.status_by_code,
        "already_open": 409,
        "unit_taken": 409,
        "already_member": 409,
    }
