"""Many clients booking the same slot over HTTP, against gunicorn with several workers (loopback only)."""

import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection

from accounts.services import create_personal_token
from bookings.models import Booking
from bookings.rules import HALL_TZ, holiday_name
from tests.factories import MembershipFactory, SpaceFactory

pytestmark = [pytest.mark.load, pytest.mark.django_db(transaction=True)]

CLIENTS = 50
SLOTS = 20
CLIENTS_PER_SLOT = 5
REQUEST_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.postgresql":
        user, host, port = db.get("USER") or "root", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        return f"postgres://{user}@{host}:{port}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@pytest.fixture
def server():
    """gunicorn with three workers on the test database, stopped at the end whatever happens."""
    port = _free_port()
    env = {
        **os.environ,
        "DONGNAM_ENV": "test",
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "dongnam.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode()) from None
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start within 30 s")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _bookable_day() -> date:
    day = date.today() + timedelta(days=3)
    while day.weekday() >= 5 or holiday_name(day):
        day += timedelta(days=1)
    return day


def _post(port: int, token: str, body: dict) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(
            "POST",
            "/api/v1/bookings/",
            body=json.dumps(body),
            headers={"Content-Type": "application/json", "Authorization": f"Token {token}", "Host": "127.0.0.1"},
        )
        response = conn.getresponse()
        raw = response.read()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = {"raw": raw[:200].decode(errors="replace")}
        return response.status, payload
    finally:
        conn.close()


def _race(port: int, jobs: list[tuple[str, dict]]) -> list[tuple[int, dict]]:
    """Send every request at the same moment (a barrier), one thread each; bounded by timeouts."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    results: list = [None] * len(jobs)

    def run(index, token, body):
        barrier.wait()
        try:
            results[index] = _post(port, token, body)
        except Exception as error:  # a client error is a failure of the test, reported below
            results[index] = (0, {"error": repr(error)})

    threads = [threading.Thread(target=run, args=(i, token, body)) for i, (token, body) in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT + 30)
    assert all(not thread.is_alive() for thread in threads), "a client did not finish in time"
    return results


def _members(town, count):
    """Members of different organizations, each with an API token."""
    tokens = []
    for _ in range(count):
        user = MembershipFactory().user
        _token, plain = create_personal_token(user=user, name="load")
        tokens.append(plain)
    return tokens


def _slot(day: date, hour: int) -> tuple[str, str]:
    start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=HALL_TZ)
    return start.isoformat(), (start + timedelta(hours=1)).isoformat()


def test_fifty_clients_racing_for_one_slot_leave_exactly_one_booking(server, town):
    space = SpaceFactory(facility=town, slug="race-room", capacity=20)
    tokens = _members(town, CLIENTS)
    start, end = _slot(_bookable_day(), 14)
    body = {"space": space.slug, "start": start, "end": end, "title": "Race", "attendees": 5}

    results = _race(server, [(token, body) for token in tokens])

    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1, results
    assert statuses.count(409) == CLIENTS - 1, results
    assert all(payload.get("code") == "slot_taken" for status, payload in results if status == 409)
    assert not [status for status in statuses if status >= 500 or status == 0]
    assert Booking.objects.filter(space=space, status__in=Booking.ACTIVE_STATUSES).count() == 1


def test_twenty_slots_raced_in_parallel_each_get_exactly_one_booking(server, town):
    space = SpaceFactory(facility=town, slug="busy-room", capacity=20)
    day = _bookable_day()
    tokens = _members(town, CLIENTS_PER_SLOT)
    jobs = []
    for index in range(SLOTS):
        # Twenty half-hour slots from 09:00, back to back: touching slots must not conflict.
        start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=HALL_TZ) + timedelta(minutes=30 * index)
        body = {
            "space": space.slug,
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=30)).isoformat(),
            "title": f"Slot {index}",
            "attendees": 2,
        }
        jobs.extend((token, body) for token in tokens)

    results = _race(server, jobs)

    statuses = [status for status, _ in results]
    assert statuses.count(201) == SLOTS, results
    assert statuses.count(409) == SLOTS * (CLIENTS_PER_SLOT - 1)
    assert not [status for status in statuses if status >= 500 or status == 0]
    booked = Booking.objects.filter(space=space, status__in=Booking.ACTIVE_STATUSES).order_by("start")
    assert booked.count() == SLOTS
    assert all(a.end <= b.start for a, b in itertools.pairwise(booked))
