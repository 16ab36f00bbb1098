import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dongnam.env import env_bool, env_choice, env_int, env_list

BASE_DIR = Path(__file__).resolve().parents[2]

# Variables the settings read; a subprocess starts without any of them unless a test sets it.
_SETTINGS_VARIABLES = {
    "DONGNAM_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "NOTIFICATIONS_RELAY",
    "MANAGER_MFA_REQUIRED",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "EMAIL_BACKEND",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "DB_CONN_MAX_AGE",
}


def _env(tmp_path, **variables):
    env = {key: value for key, value in os.environ.items() if key not in _SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "dongnam.settings"
    env["DONGNAM_VAR_DIR"] = str(tmp_path / "var")
    env["PYTHONPATH"] = str(BASE_DIR)
    env.update(variables)
    return env


def _run(args, tmp_path, **variables):
    return subprocess.run(
        [sys.executable, *args],
        env=_env(tmp_path, **variables),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings_of(tmp_path, expression, **variables):
    """Import the settings in a fresh interpreter and return the JSON value of ``expression``."""
    code = f"import django, json; django.setup(); from django.conf import settings; print(json.dumps({expression}))"
    result = _run(["-c", code], tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _production_secret_key():
    return secrets.token_urlsafe(60)


# --- the strict readers -----------------------------------------------------------------------


@pytest.mark.fast
@pytest.mark.parametrize("raw", ["1", "true", "yes", "on", "TRUE", " Yes ", "On"])
def test_env_bool_reads_true_words(monkeypatch, raw):
    monkeypatch.setenv("DN_FLAG", raw)
    assert env_bool("DN_FLAG", False) is True


@pytest.mark.fast
@pytest.mark.parametrize("raw", ["0", "false", "no", "off", "FALSE", " No "])
def test_env_bool_reads_false_words(monkeypatch, raw):
    monkeypatch.setenv("DN_FLAG", raw)
    assert env_bool("DN_FLAG", True) is False


@pytest.mark.fast
@pytest.mark.parametrize("raw", ["flase", "ture", "2", "y", "enabled", "-1"])
def test_env_bool_refuses_a_word_it_does_not_know(monkeypatch, raw):
    monkeypatch.setenv("DN_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="DN_FLAG"):
        env_bool("DN_FLAG", False)


@pytest.mark.fast
def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("DN_FLAG", raising=False)
    assert env_bool("DN_FLAG", True) is True
    assert env_bool("DN_FLAG", False) is False


@pytest.mark.fast
def test_env_int_reads_integers_and_defaults_when_unset_or_blank(monkeypatch):
    monkeypatch.delenv("DN_NUMBER", raising=False)
    assert env_int("DN_NUMBER", 25) == 25
    monkeypatch.setenv("DN_NUMBER", "")
    assert env_int("DN_NUMBER", 25) == 25
    monkeypatch.setenv("DN_NUMBER", "587")
    assert env_int("DN_NUMBER", 25) == 587


@pytest.mark.fast
@pytest.mark.parametrize("raw", ["abc", "1.5", "25s"])
def test_env_int_refuses_a_non_integer(monkeypatch, raw):
    monkeypatch.setenv("DN_NUMBER", raw)
    with pytest.raises(ImproperlyConfigured, match="DN_NUMBER must be an integer"):
        env_int("DN_NUMBER", 25)


@pytest.mark.fast
def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("DN_HOSTS", " dongnam.example, www.dongnam.example ,, ")
    assert env_list("DN_HOSTS", ["fallback"]) == ["dongnam.example", "www.dongnam.example"]


@pytest.mark.fast
def test_env_list_uses_the_default_only_when_unset(monkeypatch):
    monkeypatch.delenv("DN_HOSTS", raising=False)
    assert env_list("DN_HOSTS", ["fallback"]) == ["fallback"]
    monkeypatch.setenv("DN_HOSTS", "")
    assert env_list("DN_HOSTS", ["fallback"]) == []


@pytest.mark.fast
def test_env_choice_accepts_a_listed_value_in_any_case(monkeypatch):
    monkeypatch.setenv("DN_MODE", " Development ")
    assert env_choice("DN_MODE", "production", ("production", "development", "test")) == "development"
    monkeypatch.delenv("DN_MODE")
    assert env_choice("DN_MODE", "production", ("production", "development", "test")) == "production"


@pytest.mark.fast
def test_env_choice_refuses_an_unlisted_value(monkeypatch):
    monkeypatch.setenv("DN_MODE", "prod")
    with pytest.raises(ImproperlyConfigured, match="DN_MODE must be one of production, development, test"):
        env_choice("DN_MODE", "production", ("production", "development", "test"))


# --- the settings module in a fresh interpreter -----------------------------------------------


def test_production_without_secret_key_fails_with_a_clear_message(tmp_path):
    result = _run(
        ["-c", "import django; django.setup(); from django.conf import settings; settings.DEBUG"],
        tmp_path,
        DONGNAM_ENV="production",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_no_dongnam_env_means_production(tmp_path):
    result = _run(["-c", "import django; django.setup()"], tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_the_public_development_key(tmp_path):
    result = _run(
        ["-c", "import django; django.setup()"],
        tmp_path,
        DONGNAM_ENV="production",
        SECRET_KEY="dongnam-insecure-development-key-never-use-in-production-0123456789",
    )

    assert result.returncode != 0
    assert "SECRET_KEY is the public development key" in result.stderr


def test_a_misspelled_debug_stops_the_start(tmp_path):
    result = _run(["-c", "import django; django.setup()"], tmp_path, DONGNAM_ENV="test", DEBUG="flase")

    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_production_with_secret_key_is_not_debug_by_default(tmp_path):
    values = _settings_of(
        tmp_path,
        "[settings.DEBUG, settings.PRODUCTION, settings.SESSION_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT]",
        DONGNAM_ENV="production",
        SECRET_KEY=_production_secret_key(),
        DATABASE_URL="sqlite:///:memory:",
    )

    assert values == [False, True, True, True]


def test_the_notification_relay_is_on_in_production_and_off_elsewhere_unless_set(tmp_path):
    production = {"DONGNAM_ENV": "production", "SECRET_KEY": _production_secret_key(), "DATABASE_URL": "sqlite://"}
    relay = "settings.NOTIFICATIONS_RELAY"

    assert _settings_of(tmp_path, relay, **production) is True
    assert _settings_of(tmp_path, relay, **production, NOTIFICATIONS_RELAY="off") is False
    assert _settings_of(tmp_path, relay, DONGNAM_ENV="development") is False
    assert _settings_of(tmp_path, relay, DONGNAM_ENV="development", NOTIFICATIONS_RELAY="on") is True


def test_check_deploy_passes_with_production_variables(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DONGNAM_ENV="production",
        SECRET_KEY=_production_secret_key(),
        ALLOWED_HOSTS="dongnam.example",
        DATABASE_URL="sqlite:///:memory:",
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output
    assert "System check identified no issues" in output


def test_postgres_database_url_selects_the_postgresql_engine(tmp_path):
    database = _settings_of(
        tmp_path,
        "settings.DATABASES['default']",
        DONGNAM_ENV="test",
        DATABASE_URL="postgres://dongnam:secret@db.internal:5433/dongnam",
    )

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "dongnam"
    assert database["HOST"] == "db.internal"
    assert database["PORT"] == 5433


def test_without_database_url_the_embedded_sqlite_database_is_used(tmp_path):
    database = _settings_of(tmp_path, "settings.DATABASES['default']", DONGNAM_ENV="test")

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "var" / "dongnam.sqlite3")


def test_redis_url_selects_the_redis_cache_and_a_redis_broker(tmp_path):
    values = _settings_of(
        tmp_path,
        "[settings.CACHES['default'], settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS]",
        DONGNAM_ENV="test",
        REDIS_URL="redis://cache.internal:6379/2",
    )

    cache, broker_url, transport_options = values
    assert cache == {"BACKEND": "common.cache.FallbackRedisCache", "LOCATION": "redis://cache.internal:6379/2"}
    assert broker_url == "redis://cache.internal:6379/2"
    assert transport_options == {"visibility_timeout": 3600}


def test_without_redis_url_the_cache_is_local_and_the_broker_is_the_filesystem(tmp_path):
    values = _settings_of(
        tmp_path,
        "[settings.CACHES['default']['BACKEND'], settings.CELERY_BROKER_URL, "
        "settings.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in']]",
        DONGNAM_ENV="test",
    )

    backend, broker_url, queue_folder = values
    assert backend == "django.core.cache.backends.locmem.LocMemCache"
    assert broker_url == "filesystem://"
    assert queue_folder == str(tmp_path / "var" / "celery" / "queue")


def test_an_explicit_celery_broker_url_wins_over_redis_url(tmp_path):
    broker_url = _settings_of(
        tmp_path,
        "settings.CELERY_BROKER_URL",
        DONGNAM_ENV="test",
        REDIS_URL="redis://cache.internal:6379/2",
        CELERY_BROKER_URL="redis://broker.internal:6379/0",
    )

    assert broker_url == "redis://broker.internal:6379/0"
