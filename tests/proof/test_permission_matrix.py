"""Who may reach what: every URL of the project, for every role, with the status it must answer.

The table below is the specification. Each row is one request (URL name, method, the world objects that
fill its arguments, a query string or body) and the status each role must get, in the column order of
``ROLES``. ``test_every_url_has_an_entry`` walks the URL configuration (the DRF router and allauth
included) and fails for any URL without a row, so a new URL cannot arrive without its permissions
being written down here. Only the Django admin and allauth are covered by prefix (``THIRD_PARTY``), each
prefix with at least one representative row.

Statuses: ``L`` is a redirect to the sign-in page (anonymous visitors of HTML pages); ``302`` is any other
redirect (an HTML action that was done redirects back to the page it was sent from; a refused one answers
its own status, 400 for an empty body, 403 when the role may not do it, as the API does);
the API answers 401 to anonymous visitors, 403 when a known object may not be touched, 404 for objects
the user may not know of, and 400 when a permitted user sends an empty body.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.proof.world import ROLES

GET, POST, DELETE, PUT = "GET", "POST", "DELETE", "PUT"
L = "login"
TOWN = "facility=innovation-town"
BUSY = "from=2026-12-07T00:00&to=2026-12-08T00:00"


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    args: tuple[str, ...]
    expect: dict
    query: str = ""
    body: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        query = f"?{self.query}" if self.query else ""
        body = f" {json.dumps(self.body)}" if self.body else ""
        return f"{self.method} {self.name}({', '.join(self.args)}){query}{body}"


def row(name, method, args, *statuses, query="", body=None):
    assert len(statuses) == len(ROLES), f"{name}: one status per role ({len(ROLES)})"
    return Row(name, method, tuple(args.split()), dict(zip(ROLES, statuses, strict=True)), query, body or {})


# fmt: off
PAGES = [
    # URL name                           method args                     anon start other tenant mgr o.mgr admin
    row("home",                           GET,  "",                       200, 200, 200, 200, 200, 200, 200),
    row("favicon",                        GET,  "",                       302, 302, 302, 302, 302, 302, 302),
    row("set_language",                   POST, "",                       302, 302, 302, 302, 302, 302, 302,
        body={"language": "en", "next": "/"}),
    row("set_language",                   GET,  "",                       405, 405, 405, 405, 405, 405, 405),
    row("hall:manage_dashboard",          GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("accounts:profile",               GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("accounts:profile",               POST, "",                       L,   400, 400, 400, 400, 400, 400),
    row("accounts:create_token",          POST, "",                       L,   400, 400, 400, 400, 400, 400),
    row("accounts:create_token",          GET,  "",                       L,   405, 405, 405, 405, 405, 405),
    row("accounts:revoke_token",          POST, "token_key",              L,   302, 302, 302, 302, 302, 302),
    row("accounts:revoke_token",          GET,  "token_key",              L,   200, 404, 404, 404, 404, 404),
    # Everyone's own mobile number (with no provider set up, an empty form is a 400 all the same).
    row("accounts:phone",                 GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("accounts:phone",                 POST, "",                       L,   400, 400, 400, 400, 400, 400),
    row("accounts:confirm_phone",         POST, "",                       L,   400, 400, 400, 400, 400, 400),
    row("accounts:confirm_phone",         GET,  "",                       L,   405, 405, 405, 405, 405, 405),
    row("accounts:remove_phone",          POST, "",                       L,   302, 302, 302, 302, 302, 302),
    row("accounts:remove_phone",          GET,  "",                       L,   405, 405, 405, 405, 405, 405),
    # Finding and booking rooms.
    row("bookings:space_list",            GET,  "",                       200, 200, 200, 200, 200, 200, 200),
    row("bookings:space_detail",          GET,  "space",                  200, 200, 200, 200, 200, 200, 200),
    row("bookings:schedule",              GET,  "",                       200, 200, 200, 200, 200, 200, 200),
    row("bookings:space_feed",            GET,  "space",                  200, 200, 200, 200, 200, 200, 200),
    row("bookings:book_space",            POST, "space",                  L,   400, 400, 400, 400, 400, 400),
    row("bookings:book_space",            GET,  "space",                  L,   405, 405, 405, 405, 405, 405),
    row("bookings:check_in",              GET,  "space",                  L,   200, 200, 200, 200, 200, 200),
    row("bookings:check_in",              POST, "space",                  L,   302, 200, 200, 200, 200, 200),
    row("bookings:my_bookings",           GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("bookings:booking_detail",        GET,  "pending",                L,   200, 404, 404, 200, 404, 200),
    row("bookings:booking_detail",        GET,  "missing",                L,   404, 404, 404, 404, 404, 404),
    row("bookings:cancel_booking",        POST, "pending",                L,   302, 404, 404, 400, 404, 400),
    row("bookings:cancel_booking",        GET,  "pending",                L,   200, 404, 404, 200, 404, 200),
    row("bookings:answer_offer",          POST, "offered",                L,   302, 404, 404, 403, 404, 403),
    row("bookings:answer_offer",          GET,  "offered",                L,   200, 404, 404, 403, 404, 403),
    row("bookings:leave_waitlist",        POST, "waiting",                L,   302, 404, 404, 404, 404, 404),
    row("bookings:leave_waitlist",        GET,  "waiting",                L,   200, 404, 404, 404, 404, 404),
    row("bookings:rotate_feed",           POST, "",                       L,   302, 302, 302, 302, 302, 302),
    row("bookings:rotate_feed",           GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("bookings:personal_feed",         GET,  "feed_token",             200, 200, 200, 200, 200, 200, 200),
    row("bookings:personal_feed",         GET,  "unknown_token",          404, 404, 404, 404, 404, 404, 404),
    # Manager pages for bookings: other facilities' objects are refused (403), unknown ones are 404.
    row("bookings:approval_queue",        GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("bookings:bulk_approve",          POST, "",                       L,   403, 403, 403, 302, 302, 302),
    row("bookings:bulk_approve",          GET,  "",                       L,   403, 403, 403, 405, 405, 405),
    row("bookings:approve",               POST, "pending",                L,   403, 403, 403, 302, 403, 302),
    row("bookings:approve",               POST, "missing",                L,   403, 403, 403, 404, 404, 404),
    row("bookings:approve",               GET,  "pending",                L,   403, 403, 403, 405, 405, 405),
    row("bookings:reject",                POST, "pending",                L,   403, 403, 403, 400, 403, 400),
    row("bookings:reject",                GET,  "pending",                L,   403, 403, 403, 200, 403, 200),
    row("bookings:decide_series",         POST, "in_series",              L,   403, 403, 403, 400, 403, 400),
    row("bookings:decide_series",         GET,  "in_series",              L,   403, 403, 403, 200, 403, 200),
    row("bookings:payments",              GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("bookings:record_payment",        POST, "unpaid",                 L,   403, 403, 403, 302, 403, 302),
    row("bookings:record_payment",        GET,  "unpaid",                 L,   403, 403, 403, 405, 405, 405),
    row("bookings:record_refund",         POST, "refund_due",             L,   403, 403, 403, 302, 403, 302),
    row("bookings:record_refund",         GET,  "refund_due",             L,   403, 403, 403, 405, 405, 405),
    row("bookings:facility_calendar",     GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("bookings:facility_calendar",     GET,  "",                       L,   403, 403, 403, 200, 403, 200,
        query=TOWN),
    row("bookings:closure_list",          GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("bookings:closure_list",          GET,  "",                       L,   403, 403, 403, 200, 403, 200,
        query=TOWN),
    row("bookings:closure_list",          POST, "",                       L,   403, 403, 403, 400, 403, 400,
        body={"facility": "innovation-town"}),
    row("bookings:closure_detail",        GET,  "closure",                L,   403, 403, 403, 200, 403, 200),
    row("bookings:closure_detail",        GET,  "missing",                L,   403, 403, 403, 404, 404, 404),
    row("bookings:closure_cancel_bookings", POST, "closure",              L,   403, 403, 403, 302, 403, 302),
    row("bookings:closure_cancel_bookings", GET, "closure",               L,   403, 403, 403, 200, 403, 200),
    row("bookings:closure_delete",        POST, "closure",                L,   403, 403, 403, 302, 403, 302),
    row("bookings:closure_delete",        GET,  "closure",                L,   403, 403, 403, 200, 403, 200),
    row("bookings:space_policy",          GET,  "space",                  L,   403, 403, 403, 200, 403, 200),
    row("bookings:space_policy",          POST, "space",                  L,   403, 403, 403, 400, 403, 400,
        body={"min_duration_minutes": "-1"}),
    row("bookings:space_policy",          GET,  "art_space",              L,   403, 403, 403, 403, 200, 200),
    row("bookings:space_qr",              GET,  "space",                  L,   403, 403, 403, 200, 403, 200),
    # Organizations: only members know of them; owners manage members (a refused action is a message).
    row("tenants:organization_list",      GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("tenants:organization_detail",    GET,  "startup",                L,   200, 404, 404, 404, 404, 404),
    row("tenants:organization_detail",    POST, "startup",                L,   403, 404, 404, 404, 404, 404,
        body={"save_details": "1", "name": "Renamed"}),
    row("tenants:organization_detail",    POST, "tenant",                 L,   404, 404, 302, 404, 404, 404,
        body={"save_details": "1", "name": "Renamed"}),
    row("tenants:invite",                 POST, "startup",                L,   302, 404, 404, 404, 404, 404),
    row("tenants:invite",                 GET,  "startup",                L,   405, 405, 405, 405, 405, 405),
    row("tenants:revoke_invitation",      POST, "startup invitation",     L,   403, 404, 404, 404, 404, 404),
    row("tenants:revoke_invitation",      GET,  "startup invitation",     L,   405, 405, 405, 405, 405, 405),
    row("tenants:member_role",            POST, "startup startup_member", L,   400, 404, 404, 404, 404, 404),
    row("tenants:member_role",            GET,  "startup startup_member", L,   405, 405, 405, 405, 405, 405),
    row("tenants:member_remove",          POST, "startup startup_member", L,   302, 404, 404, 404, 404, 404),
    row("tenants:member_remove",          GET,  "startup startup_member", L,   200, 404, 404, 404, 404, 404),
    row("tenants:accept_invitation",      GET,  "invitation_token",       200, 200, 200, 200, 200, 200, 200),
    row("tenants:accept_invitation",      POST, "invitation_token",       200, 400, 400, 400, 400, 400, 400),
    row("tenants:accept_invitation",      GET,  "unknown_token",          400, 400, 400, 400, 400, 400, 400),
    # Contracts and renewals: the tenant's members and the facility's managers.
    row("tenants:contract_list",          GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("tenants:contract_detail",        GET,  "contract",               L,   404, 404, 200, 200, 404, 200),
    row("tenants:request_renewal",        POST, "renewable",              L,   404, 404, 302, 302, 404, 302),
    row("tenants:request_renewal",        GET,  "contract",               L,   405, 405, 405, 405, 405, 405),
    row("tenants:give_notice",            POST, "contract",               L,   404, 404, 302, 403, 404, 403),
    row("tenants:give_notice",            GET,  "contract",               L,   404, 404, 200, 403, 404, 403),
    row("tenants:renewal_detail",         GET,  "renewal",                L,   404, 404, 200, 200, 404, 200),
    row("tenants:resubmit_renewal",       POST, "renewal",                L,   404, 404, 302, 302, 404, 302),
    row("tenants:resubmit_renewal",       GET,  "renewal",                L,   405, 405, 405, 405, 405, 405),
    row("tenants:accept_renewal",         POST, "approved_renewal",       L,   404, 404, 302, 403, 404, 403),
    row("tenants:accept_renewal",         GET,  "approved_renewal",       L,   405, 405, 405, 405, 405, 405),
    row("tenants:renewal_document",       GET,  "renewal document",       L,   404, 404, 200, 200, 404, 200),
    row("tenants:renewal_document",       GET,  "approved_renewal document", L, 404, 404, 404, 404, 404, 404),
    # Manager pages for leases.
    row("tenants:manage_contracts",       GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("tenants:manage_contracts",       GET,  "",                       L,   403, 403, 403, 200, 403, 200,
        query=TOWN),
    row("tenants:manage_contracts",       GET,  "",                       L,   403, 403, 403, 200, 200, 200,
        query="format=csv"),
    row("tenants:renewal_queue",          GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("tenants:approve_renewal",        POST, "renewal",                L,   403, 403, 403, 302, 403, 302),
    row("tenants:approve_renewal",        GET,  "renewal",                L,   403, 403, 403, 405, 405, 405),
    row("tenants:reject_renewal",         POST, "renewal",                L,   403, 403, 403, 400, 403, 400),
    row("tenants:reject_renewal",         GET,  "renewal",                L,   403, 403, 403, 405, 405, 405),
    row("tenants:request_changes",        POST, "renewal",                L,   403, 403, 403, 400, 403, 400),
    row("tenants:request_changes",        GET,  "renewal",                L,   403, 403, 403, 405, 405, 405),
    row("tenants:unit_list",              GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    # Tenants' outcome reports: filed by the tenant's owners, read by the managers of its facility.
    row("tenants:organization_outcomes",  GET,  "tenant",                 L,   404, 404, 200, 404, 404, 404),
    row("tenants:organization_outcomes",  GET,  "startup",                L,   200, 404, 404, 404, 404, 404),
    row("tenants:organization_outcomes",  POST, "tenant",                 L,   404, 404, 400, 404, 404, 404),
    row("tenants:organization_outcomes",  POST, "startup",                L,   403, 404, 404, 404, 404, 404),
    row("tenants:manage_outcomes",        GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("tenants:manage_outcomes",        GET,  "",                       L,   403, 403, 403, 200, 403, 200,
        query=TOWN),
    row("tenants:manage_outcomes",        GET,  "",                       L,   403, 403, 403, 200, 200, 200,
        query="format=xlsx"),
    row("tenants:manage_outcomes",        GET,  "",                       L,   403, 403, 403, 200, 403, 200,
        query=TOWN + "&format=csv"),
    row("tenants:ask_outcome_report",     POST, "tenant",                 L,   403, 403, 403, 400, 403, 400),
    row("tenants:ask_outcome_report",     GET,  "tenant",                 L,   403, 403, 403, 405, 405, 405),
    # Managers' reports: their own facilities (an empty build form builds the current month).
    row("reports:overview",               GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("reports:overview",               GET,  "",                       L,   403, 403, 403, 200, 400, 200,
        query=TOWN),
    row("reports:export_csv",             GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("reports:export_xlsx",            GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("reports:build",                  POST, "",                       L,   403, 403, 403, 302, 302, 302),
    row("reports:build",                  GET,  "",                       L,   403, 403, 403, 405, 405, 405),
    # Reductions on evidence: an organization's owners apply, the facility's managers decide.
    row("bookings:reductions",            GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("bookings:reduction_document",    GET,  "missing",                L,   404, 404, 404, 404, 404, 404),
    row("bookings:withdraw_reduction",    POST, "missing",                L,   404, 404, 404, 404, 404, 404),
    row("bookings:reduction_queue",       GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("bookings:approve_reduction",     POST, "missing",                L,   403, 403, 403, 404, 404, 404),
    row("bookings:refuse_reduction",      POST, "missing",                L,   403, 403, 403, 404, 404, 404),
    # The permit and receipts: the booker, the organization's members and the facility's managers.
    row("papers:permit",                  GET,  "starting_now",           L,   200, 404, 404, 200, 404, 200),
    row("papers:payment_receipt",         GET,  "starting_now",           L,   409, 404, 404, 409, 404, 409),
    row("papers:refund_receipt",          GET,  "refund_due",             L,   409, 404, 404, 409, 404, 409),
    row("papers:verify",                  GET,  "unknown_token",          404, 404, 404, 404, 404, 404, 404),
    # Anyone signed in may register an organization (an empty form is a 400).
    row("tenants:register_organization",  GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("tenants:register_organization",  POST, "",                       L,   400, 400, 400, 400, 400, 400),
    # Notifications: everyone has their own; marking another's as read changes nothing.
    row("notifications:list",             GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("notifications:mark_all_read",    POST, "",                       L,   302, 302, 302, 302, 302, 302),
    row("notifications:mark_all_read",    GET,  "",                       L,   405, 405, 405, 405, 405, 405),
    row("notifications:mark_read",        POST, "notification",           L,   302, 302, 302, 302, 302, 302),
    row("notifications:mark_read",        GET,  "notification",           L,   405, 405, 405, 405, 405, 405),
    row("notifications:open",             GET,  "notification",           L,   302, 404, 404, 404, 404, 404),
    row("notifications:preferences",      POST, "",                       L,   302, 302, 302, 302, 302, 302),
    row("notifications:preferences",      GET,  "",                       L,   405, 405, 405, 405, 405, 405),
    # Online payment: only the booker pays (409 here: no Toss keys, online payment is off); Toss's redirects
    # and webhook; the managers' list of online payments and refunds.
    row("payments:pay",                   GET,  "unpaid",                 L,   409, 404, 404, 404, 404, 404),
    row("payments:pay",                   POST, "unpaid",                 L,   405, 405, 405, 405, 405, 405),
    row("payments:toss_success",          GET,  "",                       L,   400, 400, 400, 400, 400, 400),
    row("payments:toss_fail",             GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("payments:toss_webhook",          POST, "",                       400, 400, 400, 400, 400, 400, 400),
    row("payments:toss_webhook",          GET,  "",                       405, 405, 405, 405, 405, 405, 405),
    row("payments:online_payments",       GET,  "",                       L,   403, 403, 403, 200, 200, 200),
    row("payments:online_payments",       GET,  "",                       L,   403, 403, 403, 200, 403, 200,
        query=TOWN),
    row("payments:online_payments",       GET,  "",                       L,   403, 403, 403, 200, 200, 200,
        query="format=csv"),
    row("payments:retry_refund",          POST, "missing",                L,   403, 403, 403, 404, 404, 404),
    row("payments:retry_refund",          GET,  "missing",                L,   403, 403, 403, 405, 405, 405),
]

API = [
    # URL name                           method args                     anon start other tenant mgr o.mgr admin
    row("api-root",                       GET,  "",                       200, 200, 200, 200, 200, 200, 200),
    row("api_schema",                     GET,  "",                       200, 200, 200, 200, 200, 200, 200),
    row("api_docs",                       GET,  "",                       200, 200, 200, 200, 200, 200, 200),
    row("building-list",                  GET,  "",                       200, 200, 200, 200, 200, 200, 200),
    row("building-list",                  POST, "",                       401, 405, 405, 405, 405, 405, 405),
    row("building-detail",                GET,  "building",               200, 200, 200, 200, 200, 200, 200),
    row("building-detail",                DELETE, "building",             401, 405, 405, 405, 405, 405, 405),
    row("facility-list",                  GET,  "",                       200, 200, 200, 200, 200, 200, 200),
    row("facility-list",                  POST, "",                       401, 405, 405, 405, 405, 405, 405),
    row("facility-detail",                GET,  "town",                   200, 200, 200, 200, 200, 200, 200),
    row("facility-detail",                PUT,  "town",                   401, 405, 405, 405, 405, 405, 405),
    row("space-list",                     GET,  "",                       200, 200, 200, 200, 200, 200, 200),
    row("space-list",                     POST, "",                       401, 405, 405, 405, 405, 405, 405),
    row("space-detail",                   GET,  "space",                  200, 200, 200, 200, 200, 200, 200),
    row("space-detail",                   DELETE, "space",                401, 405, 405, 405, 405, 405, 405),
    row("space-busy",                     GET,  "space",                  200, 200, 200, 200, 200, 200, 200,
        query=BUSY),
    row("space-busy",                     GET,  "space",                  400, 400, 400, 400, 400, 400, 400),
    row("booking-list",                   GET,  "",                       401, 200, 200, 200, 200, 200, 200),
    row("booking-list",                   POST, "",                       401, 400, 400, 400, 400, 400, 400),
    row("booking-detail",                 GET,  "pending",                401, 200, 404, 404, 200, 404, 200),
    row("booking-detail",                 GET,  "missing",                401, 404, 404, 404, 404, 404, 404),
    row("booking-detail",                 DELETE, "pending",              401, 405, 405, 405, 405, 405, 405),
    row("booking-detail",                 PUT,  "pending",                401, 405, 405, 405, 405, 405, 405),
    row("booking-waitlist",               POST, "",                       401, 400, 400, 400, 400, 400, 400),
    row("booking-waitlist",               GET,  "",                       401, 405, 405, 405, 405, 405, 405),
    row("booking-cancel",                 POST, "pending",                401, 200, 404, 404, 400, 403, 400),
    row("booking-cancel",                 GET,  "pending",                401, 405, 405, 405, 405, 405, 405),
    row("booking-approve",                POST, "pending",                401, 403, 404, 404, 200, 403, 200),
    row("booking-approve",                POST, "missing",                401, 404, 404, 404, 404, 404, 404),
    row("booking-approve",                POST, "in_series",              401, 403, 404, 404, 200, 403, 200,
        body={"series": True}),
    row("booking-approve",                GET,  "pending",                401, 405, 405, 405, 405, 405, 405),
    row("booking-reject",                 POST, "pending",                401, 403, 404, 404, 400, 403, 400),
    row("booking-reject",                 POST, "in_series",              401, 403, 404, 404, 200, 403, 200,
        body={"series": True, "reason": "Not this time"}),
    row("booking-reject",                 GET,  "pending",                401, 405, 405, 405, 405, 405, 405),
    row("booking-payment",                POST, "unpaid",                 401, 403, 404, 404, 200, 403, 200),
    row("booking-payment",                GET,  "unpaid",                 401, 405, 405, 405, 405, 405, 405),
    row("booking-refund",                 POST, "refund_due",             401, 403, 404, 404, 200, 403, 200),
    row("booking-refund",                 GET,  "refund_due",             401, 405, 405, 405, 405, 405, 405),
    row("booking-accept-offer",           POST, "offered",                401, 200, 404, 404, 403, 404, 403),
    row("booking-accept-offer",           GET,  "offered",                401, 405, 405, 405, 405, 405, 405),
    row("booking-decline-offer",          POST, "offered",                401, 200, 404, 404, 403, 404, 403),
    row("booking-decline-offer",          GET,  "offered",                401, 405, 405, 405, 405, 405, 405),
    row("booking-check-in",               POST, "starting_now",           401, 200, 404, 404, 403, 404, 403),
    row("booking-check-in",               GET,  "starting_now",           401, 405, 405, 405, 405, 405, 405),
    row("organization-list",              GET,  "",                       401, 200, 200, 200, 200, 200, 200),
    row("organization-list",              POST, "",                       401, 405, 405, 405, 405, 405, 405),
    row("organization-detail",            GET,  "startup",                401, 200, 404, 404, 404, 404, 404),
    row("organization-detail",            PUT,  "startup",                401, 405, 405, 405, 405, 405, 405),
    row("contract-list",                  GET,  "",                       401, 200, 200, 200, 200, 200, 200),
    row("contract-detail",                GET,  "contract",               401, 404, 404, 200, 200, 404, 200),
    row("contract-detail",                DELETE, "contract",             401, 405, 405, 405, 405, 405, 405),
    row("contract-renewal",               POST, "renewable",              401, 404, 404, 201, 403, 404, 403,
        body={"term_months": 12}),
    row("contract-renewal",               GET,  "contract",               401, 405, 405, 405, 405, 405, 405),
    row("report-utilization",             GET,  "",                       401, 403, 403, 403, 200, 200, 200),
    row("report-utilization",             GET,  "",                       401, 403, 403, 403, 200, 400, 200,
        query=TOWN),
    row("report-heatmap",                 GET,  "",                       401, 403, 403, 403, 200, 200, 200),
    row("renewal-list",                   GET,  "",                       401, 200, 200, 200, 200, 200, 200),
    row("renewal-detail",                 GET,  "renewal",                401, 404, 404, 200, 200, 404, 200),
    row("renewal-detail",                 DELETE, "renewal",              401, 405, 405, 405, 405, 405, 405),
    row("renewal-approve",                POST, "renewal",                401, 404, 404, 403, 400, 403, 400),
    row("renewal-approve",                POST, "missing",                401, 404, 404, 404, 404, 404, 404),
    row("renewal-approve",                GET,  "renewal",                401, 405, 405, 405, 405, 405, 405),
    row("renewal-reject",                 POST, "renewal",                401, 404, 404, 403, 400, 403, 400),
    row("renewal-reject",                 GET,  "renewal",                401, 405, 405, 405, 405, 405, 405),
    row("renewal-request-changes",        POST, "renewal",                401, 404, 404, 403, 400, 403, 400),
    row("renewal-request-changes",        GET,  "renewal",                401, 405, 405, 405, 405, 405, 405),
    row("renewal-accept",                 POST, "approved_renewal",       401, 404, 404, 201, 403, 404, 403),
    row("renewal-accept",                 GET,  "approved_renewal",       401, 405, 405, 405, 405, 405, 405),
    row("notification-list",              GET,  "",                       401, 200, 200, 200, 200, 200, 200),
    row("notification-read",              POST, "notification",           401, 200, 404, 404, 404, 404, 404),
    row("notification-read",              GET,  "notification",           401, 405, 405, 405, 405, 405, 405),
]

# The Django admin and allauth, whose URLs are theirs: covered by route prefix, each prefix checked below.
THIRD_PARTY = {
    "admin/": "admin:index",
    "accounts/login/": "account_login",
    "accounts/logout/": "account_logout",
    "accounts/inactive/": "account_inactive",
    "accounts/signup/": "account_signup",
    "accounts/reauthenticate/": "account_reauthenticate",
    "accounts/email/": "account_email",
    "accounts/confirm-email/": "account_email_verification_sent",
    "accounts/^confirm-email/": "account_confirm_email",
    "accounts/password/": "account_change_password",
    "accounts/^password/": "account_reset_password_from_key",
    "accounts/2fa/": "mfa_index",
    "accounts/3rdparty/": "socialaccount_connections",
    "accounts/social/": "socialaccount_connections",  # old addresses, redirected (OLD_ADDRESSES)
    "accounts/kakao/": "kakao_login",
    "accounts/naver/": "naver_login",
}

OLD_ADDRESSES = {"accounts/social/"}

THIRD_PARTY_ROWS = [
    # URL name                           method args                     anon start other tenant mgr o.mgr admin
    row("admin:index",                    GET,  "",                       302, 302, 302, 302, 302, 302, 200),
    row("admin:hall_space_changelist",    GET,  "",                       302, 302, 302, 302, 302, 302, 200),
    row("admin:accounts_user_change",     GET,  "startup_member",         302, 302, 302, 302, 302, 302, 200),
    row("account_login",                  GET,  "",                       200, 302, 302, 302, 302, 302, 302),
    row("account_logout",                 GET,  "",                       302, 200, 200, 200, 200, 200, 200),
    row("account_inactive",               GET,  "",                       200, 200, 200, 200, 200, 200, 200),
    row("account_signup",                 GET,  "",                       200, 302, 302, 302, 302, 302, 302),
    row("account_reauthenticate",         GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("account_email",                  GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("account_email_verification_sent", GET, "",                       200, 200, 200, 200, 200, 200, 200),
    row("account_confirm_email",          GET,  "unknown_token",          200, 200, 200, 200, 200, 200, 200),
    row("account_change_password",        GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("account_reset_password",         GET,  "",                       200, 200, 200, 200, 200, 200, 200),
    row("account_reset_password_from_key", GET, "unknown_uid unknown_token", 200, 200, 200, 200, 200, 200, 200),
    row("mfa_index",                      GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    # Kakao and Naver: without keys (as in the tests) no provider is configured.
    row("socialaccount_connections",      GET,  "",                       L,   200, 200, 200, 200, 200, 200),
    row("kakao_login",                    GET,  "",                       404, 404, 404, 404, 404, 404, 404),
    row("naver_login",                    GET,  "",                       404, 404, 404, 404, 404, 404, 404),
]
# fmt: on

ROWS = PAGES + API + THIRD_PARTY_ROWS
ROWS_BY_NAME = defaultdict(list)
for _row in ROWS:
    ROWS_BY_NAME[_row.name].append(_row)

# Arguments that name nothing in the world.
UNKNOWN = {"missing": 999_999, "unknown_token": "no-such-token", "unknown_uid": "zz"}


def url_patterns(patterns=None, prefix="", namespace=""):
    """Every URL pattern as (route, name, view module), the included ones (router, allauth, admin) flattened."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield prefix + str(pattern.pattern), name, pattern.lookup_str


def third_party_prefix(route: str) -> str | None:
    return next((prefix for prefix in THIRD_PARTY if route.startswith(prefix)), None)


def test_every_url_has_an_entry():
    missing = sorted(
        f"{route} (name: {name})"
        for route, name, _view in url_patterns()
        if third_party_prefix(route) is None and name not in ROWS_BY_NAME
    )
    assert not missing, "URLs without an entry in the permission table:\n" + "\n".join(missing)


def test_every_entry_names_a_url():
    names = {name for _route, name, _view in url_patterns()}
    assert sorted(set(ROWS_BY_NAME) - names) == []


def test_the_allow_list_covers_only_the_admin_and_allauth():
    project = ("accounts.", "bookings.", "dongnam.", "hall.", "notifications.", "tenants.", "audit.")
    covered = [(route, view) for route, _name, view in url_patterns() if third_party_prefix(route)]
    assert [(route, view) for route, view in covered if view.startswith(project)] == []
    used = {third_party_prefix(route) for route, _view in covered}
    assert used == set(THIRD_PARTY), "prefixes in the allow-list that no URL uses"


def test_every_third_party_prefix_has_a_representative_row():
    patterns = list(url_patterns())
    routes = {name: route for route, name, _view in patterns}
    for prefix, name in THIRD_PARTY.items():
        assert name in ROWS_BY_NAME, f"{prefix}: no row checks {name}"
        if prefix in OLD_ADDRESSES:
            # allauth's old addresses only redirect, permanently, to the ones checked under their new prefix.
            views = {view for route, _name, view in patterns if route.startswith(prefix)}
            assert views == {"django.views.generic.base.RedirectView"}, f"{prefix} serves more than redirects"
        else:
            assert routes[name].startswith(prefix), f"{name} is not under {prefix}"


@pytest.mark.parametrize(
    "area",
    [
        "/",
        "/spaces/",
        "/bookings/",
        "/calendar/",
        "/waitlist/",
        "/manage/",
        "/contracts/",
        "/renewals/",
        "/organizations/",
        "/invitations/",
        "/notifications/",
        "/accounts/profile/",
        "/i18n/",
        "/api/v1/",
        "/api/schema/",
        "/api/docs/",
    ],
)
def test_every_project_area_has_explicit_rows(area):
    """The project's own URLs are never left to the allow-list: each has its rows."""

    def in_area(route):
        return route == "" if area == "/" else f"/{route}".startswith(area)

    under = [(route, name) for route, name, _view in url_patterns() if in_area(route)]
    assert under
    for route, name in under:
        assert third_party_prefix(route) is None and name in ROWS_BY_NAME, route


def _path(world, check: Row) -> str:
    args = [UNKNOWN[name] if name in UNKNOWN else world.ids[name] for name in check.args]
    path = reverse(check.name, args=args)
    return f"{path}?{check.query}" if check.query else path


def _send(client: Client, check: Row, path: str):
    if check.method == GET:
        return client.get(path)
    if path.startswith("/api/"):
        return client.generic(check.method, path, json.dumps(check.body), content_type="application/json")
    return client.generic(check.method, path, urlencode(check.body), content_type="application/x-www-form-urlencoded")


def request_as(world, role: str, check: Row, client: Client | None = None):
    """The response to ``check`` sent by ``role``; whatever it changed is rolled back."""
    client = client or Client()
    client.cookies.clear()
    path = _path(world, check)
    with transaction.atomic():
        user = world.user(role)
        if user is not None:
            client.force_login(user)
        response = _send(client, check, path)
        if response.streaming:
            # Read to the end, so the test client closes the file it serves.
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return path, response


def outcome(response) -> str | int:
    if response.status_code == 302 and response["Location"].startswith(reverse("account_login")):
        return L
    return response.status_code


def problems(path: str, response, expected) -> str | None:
    got = outcome(response)
    if got != expected:
        where = f" → {response['Location']}" if response.status_code in (301, 302) else ""
        return f"expected {expected}, got {response.status_code}{where}"
    if path.startswith("/api/v1/") and response.status_code >= 400:
        body = response.json()
        if not isinstance(body.get("code"), str):
            return f"{response.status_code} without an error code: {body}"
    return None


@pytest.mark.parametrize("name", sorted(ROWS_BY_NAME))
def test_permission_matrix(name, world):
    client, failures = Client(), []
    for check in ROWS_BY_NAME[name]:
        for role in ROLES:
            path, response = request_as(world, role, check, client)
            problem = problems(path, response, check.expect[role])
            if problem:
                failures.append(f"{check.label} as {role}: {problem}")
    assert not failures, "\n".join(failures)


MANAGER_PAGES = sorted(
    {check.name for check in PAGES if check.method == GET and check.expect["manager"] == 200}
    & {name for route, name, _view in url_patterns() if route.startswith("manage/")}
)


@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_manager_pages_need_two_factor(name, world):
    Authenticator.objects.filter(user=world.user("manager")).delete()
    for check in ROWS_BY_NAME[name]:
        if check.method != GET:
            continue
        response = request_as(world, "manager", check)[1]
        assert response.status_code == 302, check.label
        assert response["Location"] == reverse("mfa_activate_totp"), check.label


@pytest.mark.parametrize(
    ("name", "target", "body"),
    [
        ("booking-approve", "pending", {}),
        ("booking-reject", "pending", {"reason": "No"}),
        ("booking-payment", "unpaid", {}),
        ("booking-refund", "refund_due", {}),
        ("renewal-approve", "renewal", {"monthly_rent": 360_000}),
        ("renewal-reject", "renewal", {"reason": "No"}),
        ("renewal-request-changes", "renewal", {"reason": "More"}),
    ],
)
def test_manager_api_actions_need_two_factor(name, target, body, world):
    Authenticator.objects.filter(user=world.user("manager")).delete()
    check = Row(name, POST, (target,), {}, body=body)

    response = request_as(world, "manager", check)[1]

    assert response.status_code == 403


def test_the_admin_needs_two_factor(world):
    Authenticator.objects.filter(user=world.user("admin")).delete()

    response = request_as(world, "admin", Row("admin:index", GET, (), {}))[1]

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
