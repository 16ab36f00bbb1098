"""Every operation of /api/v1/, fed generated input by schemathesis: no server error, and every documented
response matches the OpenAPI schema the app serves at /api/schema/.

Requests go to the in-process WSGI application, signed in with a startup member's personal token, in the
world of tests/proof/world.py (so some generated ids name real bookings, contracts and renewals). The
application's request cycle closes database connections as a real server does, hence the transactional
database. Each operation runs as a subtest, with valid and invalid input (schemathesis' positive and
negative generation modes).
"""

from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.services import create_personal_token
from dongnam.urls import router
from dongnam.wsgi import application

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [not_a_server_error, response_schema_conformance]

EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def test_api_answers_within_its_schema(world, subtests):
    _token, plain = create_personal_token(user=world.user("startup_member"), name="schemathesis")
    headers = {"Authorization": f"Token {plain}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Every resource the router serves is in the schema, so none escapes the run.
    resources = {operation.path.removeprefix("/api/v1/").split("/")[0] for operation in operations}
    assert resources == {prefix for prefix, _viewset, _basename in router.registry}

    for operation in operations:
        cases = st.one_of([operation.as_strategy(generation_mode=mode) for mode in GenerationMode])

        @EXAMPLES
        @given(case=cases)
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        with subtests.test(operation.label):
            call()


# Requests that random input seldom gets right, each with the status it must get; their responses are
# checked against the schema too. In order: later ones may rely on what earlier ones changed.
ROOM = "town-test-room"
AN_HOUR = {"space": ROOM, "start": "2026-12-02T10:00", "end": "2026-12-02T11:00", "attendees": 4}
THURSDAYS = {
    "space": ROOM,
    "start": "2026-12-03T14:00",
    "end": "2026-12-03T15:00",
    "title": "Weekly",
    "attendees": 4,
    "recurrence": {"weekdays": ["TH"], "count": 3},
}
DECEMBER_7 = {"from": "2026-12-07T00:00", "to": "2026-12-08T00:00"}


@dataclass(frozen=True)
class Known:
    role: str
    method: str
    path: str  # under /api/v1
    status: int
    ids: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    body: dict | None = None


KNOWN = [
    Known("startup_member", "GET", "/bookings/", 200, query={"status": "pending"}),
    Known("startup_member", "GET", "/bookings/{id}/", 200, ids={"id": "pending"}),
    Known("startup_member", "GET", "/spaces/{slug}/busy/", 200, ids={"slug": "space"}, query=DECEMBER_7),
    Known("startup_member", "GET", "/organizations/{id}/", 200, ids={"id": "startup"}),
    Known("startup_member", "GET", "/notifications/", 200),
    Known("startup_member", "POST", "/notifications/{id}/read/", 200, ids={"id": "notification"}),
    Known("startup_member", "POST", "/bookings/", 201, body={**AN_HOUR, "title": "Pitch practice"}),
    Known("startup_member", "POST", "/bookings/", 409, body={**AN_HOUR, "title": "Again"}),
    Known("startup_member", "POST", "/bookings/", 200, body={**THURSDAYS, "dry_run": True}),
    Known("startup_member", "POST", "/bookings/", 201, body=THURSDAYS),
    Known("startup_member", "POST", "/bookings/waitlist/", 201, body={**AN_HOUR, "title": "If it frees"}),
    Known("startup_member", "POST", "/bookings/{id}/approve/", 403, ids={"id": "pending"}, body={}),
    Known("startup_member", "POST", "/bookings/{id}/check-in/", 200, ids={"id": "starting_now"}),
    Known("startup_member", "POST", "/bookings/{id}/accept-offer/", 200, ids={"id": "offered"}),
    Known("startup_member", "POST", "/bookings/{id}/cancel/", 200, ids={"id": "pending"}, body={"reason": "No"}),
    Known("manager", "POST", "/bookings/{id}/approve/", 200, ids={"id": "in_series"}, body={"series": True}),
    Known("manager", "POST", "/bookings/{id}/payment/", 200, ids={"id": "unpaid"}, body={"reference": "KB 1"}),
    Known("manager", "POST", "/bookings/{id}/refund/", 200, ids={"id": "refund_due"}),
    Known("manager", "POST", "/bookings/{id}/reject/", 409, ids={"id": "unpaid"}, body={"reason": "Late"}),
    Known("tenant_owner", "GET", "/contracts/{id}/", 200, ids={"id": "contract"}),
    Known("tenant_owner", "POST", "/contracts/{id}/renewal/", 409, ids={"id": "contract"}, body={"term_months": 12}),
    Known("tenant_owner", "POST", "/contracts/{id}/renewal/", 201, ids={"id": "renewable"}, body={"term_months": 6}),
    Known("tenant_owner", "GET", "/renewals/{id}/", 200, ids={"id": "renewal"}),
    Known("manager", "POST", "/renewals/{id}/approve/", 400, ids={"id": "renewal"}, body={"monthly_rent": 400_000}),
    Known("manager", "POST", "/renewals/{id}/approve/", 200, ids={"id": "renewal"}, body={"monthly_rent": 370_000}),
    Known("manager", "POST", "/renewals/{id}/reject/", 409, ids={"id": "renewal"}, body={"reason": "Late"}),
    Known("tenant_owner", "POST", "/renewals/{id}/accept/", 201, ids={"id": "approved_renewal"}),
]


def test_known_requests_answer_within_the_schema(world):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    tokens = {}
    for known in KNOWN:
        if known.role not in tokens:
            tokens[known.role] = create_personal_token(user=world.user(known.role), name="schemathesis")[1]
        case = schema[f"/api/v1{known.path}"][known.method].Case(
            path_parameters={name: world.ids[value] for name, value in known.ids.items()},
            query=known.query,
            **({"body": known.body, "media_type": "application/json"} if known.body is not None else {}),
        )
        response = case.call_and_validate(headers={"Authorization": f"Token {tokens[known.role]}"}, checks=CHECKS)
        assert response.status_code == known.status, (known, response.text)
