"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

Each journey runs in Korean and in English, at a phone and a desktop size, and keeps full-page
screenshots under var/e2e/<journey>-<lang>-<viewport>-<step>.png.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from demo.layout import load_demo
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, Journey


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests; each test opens its own contexts (fresh cookies)."""
    # Playwright's sync API keeps an event loop running in this thread, which Django would otherwise
    # take for async code and refuse ORM calls from the test and its fixtures.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server, settings, tmp_path):
    """The live server with the demo loaded; links in e-mails point at it and uploads stay in tmp_path."""
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(password=settings.DEMO_PASSWORD)
    return live_server


@pytest.fixture
def demo_pdf(tmp_path) -> Path:
    """A small, valid one-page PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 18 Tf 72 760 Td (Business report 2025) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    body = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path = tmp_path / "business-report.pdf"
    path.write_bytes(body)
    return path


@pytest.fixture
def journey(request, browser, site):
    """Build with ``journey("booking")``; the test is parametrized by ``lang`` and ``viewport``."""
    lang = request.getfixturevalue("lang")
    viewport = request.getfixturevalue("viewport")
    runs = []

    def start(name: str) -> Journey:
        run = Journey(browser=browser, base_url=site.url, name=name, lang=lang, viewport=viewport)
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.close()
    for run in runs:
        run.assert_no_csp_violations(f"{run.name}, after its last screenshot")
