"""The Content-Security-Policy: every page carries it, and no template brings back inline code it would refuse."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from csp.constants import NONCE
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import PASSWORD, BookingFactory, enable_totp, totp_code

# The policy as a browser reads it: directive -> its sources, in order.
EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# E-mail bodies are read in mail programs, which need inline styles and never see the policy.
NOT_PAGES = [TEMPLATES / "notifications" / "email"]


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    policy = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        policy[name] = sources
    return policy


def assert_strict_policy(response) -> None:
    assert response.status_code == 200, response.request["PATH_INFO"]
    header = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert policy_of(response) == EXPECTED_POLICY


@pytest.mark.parametrize(
    "path",
    ["/", "/spaces/", "/spaces/town-test-room/", "/accounts/login/", "/accounts/signup/", "/api/docs/"],
)
def test_public_pages_have_the_strict_policy(client, space, path):
    assert_strict_policy(client.get(path))


def test_a_members_booking_pages_have_the_strict_policy(client, startup_member, space):
    booking = BookingFactory(space=space, requested_by=startup_member)
    client.force_login(startup_member)

    for path in ["/bookings/", booking.get_absolute_url(), "/notifications/", "/accounts/profile/"]:
        assert_strict_policy(client.get(path))


def test_a_manager_signed_in_with_totp_gets_the_manager_pages_with_the_strict_policy(client, manager, space):
    secret = enable_totp(manager)
    client.post("/accounts/login/", {"login": manager.email, "password": PASSWORD})
    two_factor = client.get(reverse("mfa_authenticate"))
    assert_strict_policy(two_factor)

    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    for path in ["/manage/", "/manage/calendar/", f"/manage/spaces/{space.slug}/qr/"]:
        assert_strict_policy(client.get(path))


def test_the_django_admin_has_the_strict_policy(client, admin_user, space):
    enable_totp(admin_user)
    client.force_login(admin_user)

    for path in ["/admin/", "/admin/hall/space/", "/admin/hall/space/add/", "/admin/accounts/user/add/"]:
        assert_strict_policy(client.get(path))


def test_the_api_docs_load_their_start_up_script_from_a_url_not_inline(client, db):
    page = client.get("/api/docs/").content.decode()

    script_urls = re.findall(r'<script src="([^"]+)"', page)
    assert "<script>" not in page
    assert "<style>" not in page
    start_up = client.get(script_urls[-1])
    assert start_up.status_code == 200
    assert start_up["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in start_up.content.decode()


def test_one_view_can_extend_script_src_without_widening_the_others():
    # The way a payment page will add its provider's checkout script, and a nonce for an inline one.
    @csp_update({"script-src": ["https://js.tosspayments.com", NONCE]})
    def payment_page(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">start()</script>')

    def other_page(request):
        return HttpResponse("<p>hello</p>")

    middleware = CSPMiddleware(lambda request: None)

    def serve(view):
        request = RequestFactory().get("/")
        middleware.process_request(request)
        return middleware.process_response(request, view(request)), request

    payment, payment_request = serve(payment_page)
    other, _ = serve(other_page)

    assert policy_of(payment)["script-src"] == [
        "'self'",
        "https://js.tosspayments.com",
        f"'nonce-{payment_request._csp_nonce}'",
    ]
    assert policy_of(payment)["style-src"] == ["'self'"]
    assert policy_of(other) == EXPECTED_POLICY


# --- no inline code in the templates --------------------------------------------------------------

# Scripts of these types are data the page's own scripts read (json_script), not code the browser runs.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
DJANGO_COMMENTS = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)


class InlineCodeFinder(HTMLParser):
    """Collects what the policy would refuse: inline <script> and <style>, style="", on...="" handlers,
    htmx's hx-on (evaluated code) and javascript: links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        names = {name.lower(): value for name, value in attrs}
        if tag == "script" and "src" not in names and (names.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
            self.found.append(f"line {line}: inline <script>")
        if tag == "style":
            self.found.append(f"line {line}: <style> element")
        for name, value in names.items():
            if name == "style":
                self.found.append(f'line {line}: style="" on <{tag}>')
            elif re.fullmatch(r"on[a-z]+", name) or name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"line {line}: {name}= handler on <{tag}>")
            elif value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"line {line}: javascript: URL in {name}= on <{tag}>")

    handle_startendtag = handle_starttag


def inline_code_in(path: Path) -> list[str]:
    # Comments are blanked, not removed, so that line numbers still match the file.
    text = DJANGO_COMMENTS.sub(lambda match: "\n" * match.group().count("\n"), path.read_text())
    finder = InlineCodeFinder()
    finder.feed(text)
    finder.close()
    return finder.found


def page_templates() -> list[Path]:
    return sorted(
        path for path in TEMPLATES.rglob("*.html") if not any(path.is_relative_to(excluded) for excluded in NOT_PAGES)
    )


def test_the_finder_sees_each_kind_of_inline_code(tmp_path):
    template = tmp_path / "bad.html"
    template.write_text(
        "{# <style> in a comment is fine #}\n"
        '<script src="/static/js/dongnam.js"></script><script type="application/json">{}</script>\n'
        "<script>alert(1)</script>\n"
        "<style>p { color: red }</style>\n"
        '<p style="color: red">x</p>\n'
        '<button onclick="go()">x</button>\n'
        '<div hx-on:click="go()"></div>\n'
        '<a href="javascript:go()">x</a>\n'
    )

    assert inline_code_in(template) == [
        "line 3: inline <script>",
        "line 4: <style> element",
        'line 5: style="" on <p>',
        "line 6: onclick= handler on <button>",
        "line 7: hx-on:click= handler on <div>",
        "line 8: javascript: URL in href= on <a>",
    ]


def test_no_template_has_inline_code_the_policy_would_refuse():
    templates = page_templates()
    assert len(templates) > 30, "the templates folder was not found"

    found = {str(path.relative_to(TEMPLATES)): inline_code_in(path) for path in templates}

    assert {name: problems for name, problems in found.items() if problems} == {}
