"""What the browser journeys share: the cast, messages in each language, a journey's run (browser contexts
and screenshots), signing in with the TOTP step, the language switch, and axe-core."""

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import expect

from accounts.models import User
from bookings.rules import holiday_name
from tests.factories import totp_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "e2e"
AXE = Path(__file__).parent / "assets" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
LANGUAGES = ("ko", "en")
# Playwright waits this long (ms) for an element or a navigation before failing the step.
TIMEOUT_MS = 15_000

MEMBER = "startup@dongnam.example"
TENANT = "tenant@dongnam.example"
TOWN_MANAGER = "manager.town@dongnam.example"


def t(lang: str, message: str, **values) -> str:
    """A message as the site shows it in ``lang``."""
    with translation.override(lang):
        text = gettext(message)
    return text % values if values else text


def nt(lang: str, singular: str, plural: str, count: int, **values) -> str:
    with translation.override(lang):
        text = ngettext(singular, plural, count)
    return text % {"counter": count, **values} if "%(" in text else text


def label(lang: str, choice) -> str:
    """The label of a model choice (a status) as the site shows it in ``lang``."""
    with translation.override(lang):
        return str(choice.label)


def exact(text: str) -> re.Pattern:
    """Match the whole accessible name or text, ignoring surrounding white space."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def next_open_weekday() -> date:
    """The first weekday from tomorrow on that is not a Korean public holiday."""
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() >= 5 or holiday_name(day) is not None:
        day += timedelta(days=1)
    return day


# The page's width, the window's, and the first elements that reach past the window's right edge.
SIDEWAYS_JS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > width + 0.5)
    .slice(0, 8)
    .map((element) => {
      const text = element.textContent.trim().slice(0, 40);
      return `${element.tagName.toLowerCase()}.${element.className}: ${text}`;
    });
  return [document.documentElement.scrollWidth, width, wide];
}"""


@dataclass
class Journey:
    """One run of a journey: its language and viewport, its browser contexts and its screenshots."""

    browser: object
    base_url: str
    name: str
    lang: str
    viewport: str
    contexts: list = field(default_factory=list)
    # What the browser refused under the Content-Security-Policy ("Refused to …" on the console).
    csp_violations: list = field(default_factory=list)

    def t(self, message: str, **values) -> str:
        return t(self.lang, message, **values)

    def nt(self, singular: str, plural: str, count: int, **values) -> str:
        return nt(self.lang, singular, plural, count, **values)

    def label(self, choice) -> str:
        return label(self.lang, choice)

    def new_page(self):
        """A fresh browser (own cookies) as a person in Korea would open it: Korean locale, Seoul time."""
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=VIEWPORTS[self.viewport],
            locale="ko-KR",
            timezone_id="Asia/Seoul",
            accept_downloads=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: self._note_csp_violation(page, message))
        return page

    def _note_csp_violation(self, page, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{page.url}: {message.text}")

    def assert_no_csp_violations(self, where: str) -> None:
        assert not self.csp_violations, f"{where}: the Content-Security-Policy refused:\n" + "\n".join(
            self.csp_violations
        )

    def shot(self, page, step: str) -> Path:
        """Save a full-page screenshot; the page must fit the window's width (no sideways scrolling) and the
        browser must have refused nothing under the Content-Security-Policy so far."""
        self.assert_no_csp_violations(step)
        scroll_width, window_width, wide = page.evaluate(SIDEWAYS_JS)
        assert scroll_width <= window_width, (
            f"{step}: {page.url} scrolls sideways ({scroll_width}px of content in a {window_width}px window); "
            f"past the right edge: {wide}"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{self.lang}-{self.viewport}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        for context in self.contexts:
            context.close()


def speaks(email: str, lang: str) -> User:
    """The account reads the site in ``lang`` (the language kept on the account)."""
    user = User.objects.get(email=email)
    user.language = lang
    user.save(update_fields=["language"])
    return user


def switch_language(page, lang: str) -> None:
    """Press the language switch in the page header (it posts, and comes back to the same page)."""
    switcher = page.locator("header form.language-switcher")
    with page.expect_navigation():
        switcher.locator(f'button[name="language"][value="{lang}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def sign_in(run, page, email: str, *, secret: str | None = None, step: str | None = None) -> None:
    """Sign in on allauth's page in the run's language; with ``secret``, type the current TOTP code too.

    A browser in Korea opens the site in Korean; English readers press the header's language switch
    first. After signing in, the site keeps the account's language.
    """
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    if run.lang != "ko":
        switch_language(page, run.lang)
    expect(page.get_by_role("heading", level=1)).to_have_text(exact(run.t("Sign In")))
    page.get_by_label(run.t("Email")).fill(email)
    page.get_by_label(run.t("Password")).fill(settings.DEMO_PASSWORD)
    if step:
        run.shot(page, f"{step}-sign-in")
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name=exact(run.t("Sign In"))).click()
    if secret is not None:
        expect(page).to_have_url(f"{run.base_url}/accounts/2fa/authenticate/")
        expect(page.get_by_role("heading", level=1)).to_have_text(exact(run.t("Two-Factor Authentication")))
        page.get_by_label(run.t("Code")).fill(totp_code(secret))
        if step:
            run.shot(page, f"{step}-two-factor")
        with page.expect_navigation():
            page.locator("main form").get_by_role("button", name=exact(run.t("Sign In"))).click()
    expect(page.locator("header form[action='/accounts/logout/']")).to_be_attached()
    expect(page.locator("html")).to_have_attribute("lang", run.lang)


def header_link(run, page, text: str):
    return page.locator("header nav").get_by_role("link", name=exact(run.t(text)))


def bell(page):
    return page.locator("header a.bell")


SERIOUS = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page; its violations of impact serious or critical."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the test driver, not added as an inline <script> (which the site's CSP refuses).
        page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in result["violations"] if violation.get("impact") in SERIOUS]


def describe_violations(found: dict[str, list[dict]]) -> str:
    """A readable report: each page, each rule, and the elements that break it."""
    lines = []
    for where, violations in found.items():
        lines.append(f"== {where}")
        for violation in violations:
            lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
            for node in violation["nodes"][:10]:
                target = json.dumps(node.get("target"), ensure_ascii=False)
                summary = (node.get("failureSummary") or "").replace("\n", " / ")
                lines.append(f"      {target}: {summary}")
                lines.append(f"        {node.get('html', '')[:200]}")
            if len(violation["nodes"]) > 10:
                lines.append(f"      … and {len(violation['nodes']) - 10} more elements")
    return "\n".join(lines)
