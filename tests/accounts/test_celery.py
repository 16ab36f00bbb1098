import time
from datetime import timedelta

import pytest
from celery.schedules import crontab
from celery.signals import task_postrun
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connections
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
from dongnam.celery import app as celery_app


def _session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["marker"] = "x"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def test_the_beat_schedule_clears_expired_sessions_daily():
    entry = celery_app.conf.beat_schedule["clear-expired-sessions"]

    assert entry["task"] == "accounts.tasks.clear_expired_sessions"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == crontab(hour=4, minute=10)


def test_the_celery_app_reads_the_django_settings():
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL
    assert celery_app.conf.timezone == "Asia/Seoul"
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_always_eager is settings.CELERY_TASK_ALWAYS_EAGER


@pytest.mark.django_db
def test_clear_expired_sessions_deletes_only_expired_sessions():
    expired = [_session(timedelta(minutes=-1)), _session(timedelta(days=-30))]
    live = _session(timedelta(days=14))

    deleted = clear_expired_sessions()

    assert deleted == 2
    assert set(Session.objects.values_list("session_key", flat=True)) == {live}
    assert not Session.objects.filter(session_key__in=expired).exists()


@pytest.mark.django_db
def test_clear_expired_sessions_twice_is_harmless():
    live = _session(timedelta(days=14))
    _session(timedelta(hours=-1))

    assert clear_expired_sessions() == 1
    assert clear_expired_sessions() == 0
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]


@pytest.mark.django_db
def test_a_signed_in_users_session_survives_the_cleanup(client, startup_member):
    client.force_login(startup_member)

    clear_expired_sessions()

    assert client.get("/accounts/profile/").status_code == 200


@pytest.fixture
def through_the_broker():
    """Tasks go to the broker, not run in-process (the suite runs them eagerly elsewhere)."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_task_runs_through_the_redis_broker_on_a_real_worker(through_the_broker):
    from celery.contrib.testing.worker import start_worker

    assert celery_app.conf.broker_url.startswith("redis://")
    expired = _session(timedelta(minutes=-5))
    live = _session(timedelta(days=1))

    def close_worker_connections(**kwargs):
        # The worker thread has its own database connections; close them so the test database can be dropped.
        connections.close_all()

    task_postrun.connect(close_worker_connections, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            clear_expired_sessions.delay()
            deadline = time.monotonic() + 10
            while Session.objects.filter(session_key=expired).exists() and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        task_postrun.disconnect(close_worker_connections)

    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()
