"""With the cache (Redis) down, sign-in, sign-up and password reset answer, log an error and stay rate limited."""

import logging
import os
import re
import socket
import threading
import time

import pytest
import redis
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches

from accounts.models import User
from common import cache as fallback_cache
from tests.factories import PASSWORD, UserFactory

# Nothing listens on port 1: every connection is refused at once, as when Redis has stopped.
DOWN = "redis://127.0.0.1:1/0"
NEW_PASSWORD = "Changwon-harbour-2024!"


@pytest.fixture
def cache_down(settings):
    fallback_cache.forget_outages()
    settings.CACHES = {"default": {"BACKEND": "common.cache.FallbackRedisCache", "LOCATION": DOWN}}
    yield
    fallback_cache.forget_outages()


def _outage_errors(caplog):
    return [
        record
        for record in caplog.records
        if record.name == "common.cache" and record.levelno == logging.ERROR and "does not answer" in record.message
    ]


def _sign_in(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db
def test_sign_in_works_with_the_right_password_and_logs_the_outage(client, cache_down, caplog):
    user = UserFactory(email="member@example.com")

    page = client.get("/accounts/login/")
    response = _sign_in(client, "member@example.com", PASSWORD)

    assert page.status_code == 200
    assert response.status_code == 302
    assert response.url == "/spaces/"  # a member with nothing booked lands on the finder
    assert client.session.get(SESSION_KEY) == str(user.pk)
    [error] = _outage_errors(caplog)
    assert "127.0.0.1:1" in error.message


@pytest.mark.django_db
def test_a_wrong_password_is_an_error_on_the_form_not_a_server_error(client, cache_down):
    UserFactory(email="member@example.com")

    response = _sign_in(client, "member@example.com", "wrong-password")

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()


@pytest.mark.django_db
def test_repeated_failed_signins_are_still_refused_while_the_cache_is_down(client, cache_down, settings):
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    UserFactory(email="member@example.com")
    for _ in range(5):
        assert "Too many failed login attempts" not in _sign_in(client, "member@example.com", "wrong").content.decode()

    refused = _sign_in(client, "member@example.com", PASSWORD)

    assert refused.status_code in (200, 429)
    assert "Too many failed login attempts. Try again later." in refused.content.decode()
    assert client.session.get(SESSION_KEY) is None


@pytest.mark.django_db
def test_sign_up_works_and_sends_the_verification_mail(client, cache_down, mailoutbox, caplog):
    page = client.get("/accounts/signup/")
    response = client.post(
        "/accounts/signup/", {"email": "new.member@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert User.objects.filter(email="new.member@example.com").exists()
    assert [mail.to for mail in mailoutbox] == [["new.member@example.com"]]
    assert _outage_errors(caplog)


@pytest.mark.django_db
def test_password_reset_sends_a_working_link(client, cache_down, mailoutbox, caplog):
    UserFactory(email="member@example.com")

    page = client.get("/accounts/password/reset/")
    response = client.post("/accounts/password/reset/", {"email": "member@example.com"})

    assert page.status_code == 200
    assert response.status_code == 302
    [mail] = mailoutbox
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.body).group(1)
    form_page = client.get(link, follow=True)
    changed = client.post(form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert changed.status_code == 302
    client.logout()
    assert _sign_in(client, "member@example.com", NEW_PASSWORD).status_code == 302
    assert _outage_errors(caplog)


@pytest.mark.django_db
def test_the_outage_is_logged_once_per_retry_interval_not_once_per_request(client, cache_down, caplog):
    UserFactory(email="member@example.com")

    for _ in range(4):
        _sign_in(client, "member@example.com", "wrong")

    assert len(_outage_errors(caplog)) == 1


def test_a_redis_that_accepts_but_never_answers_costs_a_call_half_a_second():
    # A listening socket nobody accepts from: the kernel completes the connection, no reply ever comes.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        backend = fallback_cache.FallbackRedisCache(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", {})
        answers = []
        started = time.monotonic()
        call = threading.Thread(target=lambda: answers.append(backend.get("anything", "fallback")), daemon=True)
        call.start()
        call.join(timeout=10)
        elapsed = time.monotonic() - started
        fallback_cache.forget_outages()

    assert answers == ["fallback"]
    assert elapsed < 3


@pytest.mark.redis
def test_after_an_outage_values_are_shared_through_redis_again(monkeypatch, caplog):
    monkeypatch.setattr(fallback_cache, "RETRY_AFTER_SECONDS", 0)
    fallback_cache.forget_outages()
    backend = caches["default"]
    server = redis.Redis.from_url(os.environ["REDIS_URL"])

    def unreachable(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Redis has stopped")

    with monkeypatch.context() as outage:
        outage.setattr(backend._cache, "get_client", unreachable)
        backend.set("dongnam-outage-test", "in memory", 60)
        assert backend.get("dongnam-outage-test") == "in memory"
    assert server.exists(backend.make_key("dongnam-outage-test")) == 0

    backend.set("dongnam-outage-test", "in redis", 60)

    assert server.exists(backend.make_key("dongnam-outage-test")) == 1
    assert backend.get("dongnam-outage-test") == "in redis"
    assert any("answers again" in record.message for record in caplog.records if record.name == "common.cache")
    backend.delete("dongnam-outage-test")
