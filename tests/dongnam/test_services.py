"""The second pass of `make test` must really run on PostgreSQL and Redis; a half-configured pass fails here."""

import os
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_pass_runs_on_postgresql_with_the_redis_cache():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")

    assert settings.CACHES["default"]["BACKEND"] == "common.cache.FallbackRedisCache"
    key, value = f"dongnam-test-{uuid.uuid4().hex}", {"room": "town-meeting-a", "people": 8}
    cache.set(key, value, timeout=60)
    assert cache.get(key) == value
    # The value lives in the Redis server, where every web worker sees it.
    server = redis.Redis.from_url(settings.REDIS_URL)
    assert server.exists(cache.make_key(key)) == 1
    assert 0 < server.ttl(cache.make_key(key)) <= 60
    cache.delete(key)
    assert server.exists(cache.make_key(key)) == 0


@pytest.mark.redis
@pytest.mark.django_db
def test_redis_pass_runs_on_postgresql():
    assert connection.vendor == "postgresql"


@pytest.mark.redis
def test_redis_pass_uses_the_redis_broker():
    from dongnam.celery import app as celery_app

    assert celery_app.conf.broker_url.startswith("redis://")
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.transport.driver_type == "redis"


def test_service_variables_are_in_effect():
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    elif not database_url:
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"] == "common.cache.FallbackRedisCache"
    else:
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
        broker_url = settings.CELERY_BROKER_URL
        assert broker_url == (os.environ.get("CELERY_BROKER_URL") or "filesystem://")
