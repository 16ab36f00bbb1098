"""The errors of tenancy operations (organizations, members, leases, renewals)."""

from common.errors import DomainError


class TenancyError(DomainError):
    status_by_code = {
        **DomainError.status_by_code,
        "already_open": 409,
        "unit_taken": 409,
        "already_member": 409,
        # Outcome reports: only tenants report; a year is reported once, and asked for at most once a day.
        "not_tenant": 403,
        "already_filed": 409,
        "asked_recently": 429,
        "no_contact": 409,
        # The tax service reports the business as closed (tenants.business).
        "business_closed": 409,
    }
