"""The errors of issuing papers, answered by the pages' middleware like every domain error."""

from common.errors import DomainError


class PaperError(DomainError):
    # A booking in a state that has no such paper (pending, unpaid, nothing refunded): a conflict with its state.
    status_by_code = {**DomainError.status_by_code, "not_issued": 409}
