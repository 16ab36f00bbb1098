"""The site's own error pages and icon, as `make run` and production show them (DEBUG off)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from dongnam import urls

BASE_DIR = Path(__file__).resolve().parents[2]
KOREAN = {"HTTP_ACCEPT_LANGUAGE": "ko"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.django_db
def test_an_unknown_address_shows_the_sites_own_not_found_page_in_korean(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/", **KOREAN)

    assert response.status_code == 404
    page = response.content.decode()
    assert "페이지를 찾을 수 없습니다" in page
    assert "첫 페이지로" in page
    assert 'class="site-header"' in page
    assert "URLconf" not in page


@pytest.mark.django_db
def test_the_not_found_page_speaks_english_to_an_english_reader(client, settings):
    settings.DEBUG = False

    page = client.get("/no-such-page/", **ENGLISH).content.decode()

    assert "Page not found" in page
    assert "Back to the start page" in page


@pytest.mark.django_db
def test_a_page_the_account_may_not_open_shows_the_sites_own_refusal(client, startup_member, settings):
    settings.DEBUG = False
    client.force_login(startup_member)

    response = client.get("/manage/", **KOREAN)

    assert response.status_code == 403
    page = response.content.decode()
    assert "접근할 수 없습니다" in page
    assert 'class="site-header"' in page


def test_the_server_error_page_needs_no_database_and_speaks_both_languages():
    # No django_db mark: any query would fail the test.
    response = urls.handler500(RequestFactory().get("/bookings/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "일시적인 오류가 발생했습니다" in page
    assert "Something went wrong" in page
    assert "/static/css/dongnam.css" in page


def test_the_apis_server_error_stays_json():
    response = urls.handler500(RequestFactory().get("/api/v1/bookings/"))

    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"


@pytest.mark.django_db
def test_the_favicon_is_found_at_the_address_browsers_ask_for(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[0][0] == "/static/favicon.png"
    assert response["Content-Type"] == "image/png"


@pytest.mark.django_db
def test_every_page_names_its_icon(client):
    page = client.get("/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert client.get("/static/favicon.svg").status_code == 200


def test_make_run_serves_static_files_and_its_own_error_pages_with_debug_off(tmp_path):
    """The environment `make run` gives the web process (Makefile DEV_ENV): development, DEBUG off."""
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "DEBUG=$${DEBUG:-false}" in next(line for line in makefile.splitlines() if line.startswith("DEV_ENV"))
    code = (
        "import django, json; django.setup(); "
        "from django.conf import settings; from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); "
        "from django.test import Client; client = Client(); "
        "css = client.get('/static/css/dongnam.css'); missing = client.get('/no-such-page/'); "
        "print(json.dumps([settings.DEBUG, css.status_code, missing.status_code, "
        "'URLconf' in missing.content.decode(), '페이지를 찾을 수 없습니다' in missing.content.decode()]))"
    )
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="dongnam.settings",
        DONGNAM_ENV="development",
        DEBUG="false",
        MANAGER_MFA_REQUIRED="false",
        DONGNAM_VAR_DIR=str(tmp_path / "var"),
        CELERY_BROKER_URL="memory://",
        PYTHONPATH=str(BASE_DIR),
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [False, 200, 404, False, True]
