"""The Redis cache, with a per-process memory cache to fall back on while Redis does not answer.

The cache holds the sign-in, sign-up and password-reset rate limits (allauth's ``ratelimit``, which uses
the ``default`` cache). With Django's plain ``RedisCache`` a down Redis raises ``ConnectionError`` inside
every one of those views, so nobody can sign in. Here a connection failure or timeout is logged as an
error and the operation is answered by a ``LocMemCache`` of this process instead: the limits keep
counting, per process rather than across all web workers, until Redis answers again.

After a failure Redis is left alone for ``RETRY_AFTER_SECONDS`` (then one operation tries it again), so
an outage costs one connection attempt, and one log line, per process and interval, not one per call.
Imports Django and the redis library Django's backend drives; no project app.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_AFTER_SECONDS = 10.0
# Redis answers a cache call in well under a millisecond; a host that is down or unreachable must cost a
# request half a second at most, not the operating system's connect timeout (minutes).
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
# During an outage the fallback holds one rate-limit history per address and action; the LocMemCache
# default (300 entries, a third dropped when full) would let an attacker with many addresses evict them.
FALLBACK_MAX_ENTRIES = 20_000

# Per process, shared by the threads (Django makes one cache object per thread): location -> the
# time.monotonic() after which Redis is tried again.
_outages: dict[str, float] = {}
_outages_lock = threading.Lock()


def _safe_location(location: str) -> str:
    """The Redis address without its password, for log lines."""
    parts = urlsplit(location)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}" if parts.hostname else location


def forget_outages() -> None:
    """Try Redis again on the next call (tests start each case from a cache that has not failed yet)."""
    with _outages_lock:
        _outages.clear()


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)
        # The same name in every thread: LocMemCache shares its storage by name within the process.
        self._fallback = LocMemCache(
            f"dongnam-redis-fallback:{self._location}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "KEY_FUNCTION": params.get("KEY_FUNCTION"),
                "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES},
            },
        )

    def _run(self, operation: str, *args, **kwargs):
        retry_at = _outages.get(self._location)  # read without the lock: a stale answer only delays one retry
        if retry_at is not None and time.monotonic() < retry_at:
            return getattr(self._fallback, operation)(*args, **kwargs)
        try:
            result = getattr(super(), operation)(*args, **kwargs)
        except UNREACHABLE as error:
            with _outages_lock:
                _outages[self._location] = time.monotonic() + RETRY_AFTER_SECONDS
            logger.error(
                "Redis cache at %s does not answer (%s); this process keeps rate limits in memory and tries "
                "Redis again in %g s",
                _safe_location(self._location),
                error,
                RETRY_AFTER_SECONDS,
            )
            return getattr(self._fallback, operation)(*args, **kwargs)
        if retry_at is not None:
            with _outages_lock:
                recovered = _outages.pop(self._location, None) is not None
            if recovered:
                logger.warning("Redis cache at %s answers again", _safe_location(self._location))
                # What the fallback counted is dropped: Redis' own counts (from before the outage) apply again.
                self._fallback.clear()
        return result

    # Every operation of RedisCache that talks to Redis; the others (get_or_set, decr, incr_version, the
    # async variants) are built on these.
    def add(self, *args, **kwargs):
        return self._run("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._run("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._run("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._run("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._run("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._run("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._run("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._run("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._run("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._run("delete_many", *args, **kwargs)

    def clear(self):
        return self._run("clear")
