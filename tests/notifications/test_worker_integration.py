"""A real Celery worker process behind a real Redis broker, and the faults production meets: a worker
killed in the middle of a batch, and Redis gone while a manager approves a booking.

The worker is a separate process (``celery -A dongnam worker``) on the test database of this run; it
writes its e-mails as files, which the tests count.
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from bookings import services as bookings
from bookings.models import Booking
from bookings.rules import holiday_name
from dongnam.celery import app as celery_app
from notifications import services
from notifications.models import Notification
from notifications.tasks import send_notification
from tests.notifications.backends import STALL_AT, STALL_MARKER
from tests.notifications.factories import SEOUL, BookingFactory, NotificationFactory, mail_files_ids

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("through_the_broker"),
]

BASE_DIR = Path(settings.BASE_DIR)
CELERY = Path(sys.executable).with_name("celery")
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
STALLING_BACKEND = "tests.notifications.backends.StallingFileBackend"
START_TIMEOUT = 30
DELIVERY_TIMEOUT = 30
STOP_TIMEOUT = 20


def wait_until(condition, *, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log and log.exists() else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}\n{tail}")
        time.sleep(0.1)


def run_database_url() -> str:
    """The database this test run uses (pytest-django's test database), for another process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = db["HOST"] or "127.0.0.1"
        return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


class Worker:
    """``celery -A dongnam worker`` (solo pool, one process) on this run's database and the given broker."""

    def __init__(self, *, broker_url: str, mail_dir: Path, log: Path, backend: str = FILE_BACKEND, env=None):
        self.log = log
        self.env = {
            **{key: value for key, value in os.environ.items() if key not in (STALL_AT, STALL_MARKER)},
            "DJANGO_SETTINGS_MODULE": "dongnam.settings",
            "DONGNAM_ENV": "test",
            "DATABASE_URL": run_database_url(),
            "DB_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": backend,
            "EMAIL_FILE_PATH": str(mail_dir),
            "LOG_LEVEL": "INFO",
            **(env or {}),
        }
        self.process = None

    def start(self) -> "Worker":
        command = [
            str(CELERY),
            "-A",
            "dongnam",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "-Q",
            "celery",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
            "--hostname",
            f"notifications-test-{uuid.uuid4().hex[:8]}@%h",
        ]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited ({self.process.returncode}):\n{self.log.read_text()}")
            return " ready." in self.log.read_text(errors="replace")

        wait_until(ready, timeout=START_TIMEOUT, what="the worker to start", log=self.log)
        return self

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        stop_process(self.process)


@contextmanager
def running(worker: Worker):
    try:
        yield worker.start()
    finally:
        worker.stop()


class RedisServer:
    """A throwaway redis-server on a free loopback port, without persistence, that can be stopped and restarted."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        try:
            return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            return False

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_until(self.answers, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        stop_process(self.process)
        wait_until(lambda: not self.answers(), timeout=10, what="redis-server to stop")


@contextmanager
def broker(url: str):
    """Publish this process's tasks to ``url`` for the duration.

    Celery reads ``$CELERY_BROKER_URL`` before its configuration, and the second pass of ``make test``
    sets it, so both change; the connection pools made for the previous broker are set aside.
    """
    saved = celery_app.conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool
    saved_environ = os.environ.get("CELERY_BROKER_URL")
    celery_app.conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        assert celery_app.conf.broker_write_url == url
        yield
    finally:
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app.conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool = saved
        if saved_environ is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environ


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def worker_for(mail_dir, tmp_path):
    counter = iter(range(1, 100))

    def make(*, broker_url: str | None = None, **kwargs) -> Worker:
        return Worker(
            broker_url=broker_url or settings.CELERY_BROKER_URL,
            mail_dir=mail_dir,
            log=tmp_path / f"worker-{next(counter)}.log",
            **kwargs,
        )

    return make


def next_bookable_start() -> datetime:
    """10:00 on the next working day at least two days ahead."""
    day = timezone.localdate() + timedelta(days=2)
    while day.weekday() >= 5 or holiday_name(day):
        day += timedelta(days=1)
    return datetime.combine(day, dtime(10), tzinfo=SEOUL)


def book(booker, space, start) -> Booking:
    booking = bookings.create_booking(
        requested_by=booker, space=space, start=start, end=start + timedelta(hours=1), title="Robot demo", attendees=2
    )
    assert booking.status == Booking.Status.PENDING
    return booking


def sent_about(booking) -> int:
    return Notification.objects.filter(subject_id=booking.pk, kind="booking_approved", status="sent").count()


def test_the_broker_is_redis():
    assert celery_app.conf.broker_url.startswith("redis://")
    assert celery_app.conf.task_always_eager is False


def test_an_approval_is_mailed_once_by_a_real_worker_process(worker_for, mail_dir, booker, space, manager):
    booking = book(booker, space, next_bookable_start())
    later = book(booker, space, next_bookable_start() + timedelta(hours=3))

    worker = worker_for()
    with running(worker):
        bookings.approve_booking(booking=booking, manager=manager)
        wait_until(lambda: sent_about(booking) == 2, timeout=DELIVERY_TIMEOUT, what="the approval", log=worker.log)
        email = Notification.objects.get(subject_id=booking.pk, kind="booking_approved", channel="email")
        # A duplicated task and a sweep ask for it again ...
        send_notification.delay(email.pk)
        assert services.sweep()["due"] == 0
        # ... and a later approval, queued behind them on the one worker, shows they have been handled.
        bookings.approve_booking(booking=later, manager=manager)
        wait_until(lambda: sent_about(later) == 2, timeout=DELIVERY_TIMEOUT, what="the 2nd approval", log=worker.log)

    later_email = Notification.objects.get(subject_id=later.pk, kind="booking_approved", channel="email")
    assert sorted(mail_files_ids(mail_dir)) == sorted([email.pk, later_email.pk])
    text = "".join(path.read_text() for path in mail_dir.glob("*.log"))
    assert text.count("Subject: [Dongnam] Your booking is approved") == 2
    assert f"To: {booker.email}" in text
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Notification.Status.SENT, 1)


def due_batch(size: int) -> list[int]:
    """``size`` approval e-mails written and due, about as many bookings."""
    now = timezone.now()
    first = BookingFactory(status=Booking.Status.APPROVED, start=now + timedelta(days=3))
    ids = []
    for number in range(size):
        booking = (
            first
            if number == 0
            else BookingFactory(
                space=first.space,
                requested_by=first.requested_by,
                status=Booking.Status.APPROVED,
                start=now + timedelta(days=3, hours=2 * number),
            )
        )
        ids.append(
            NotificationFactory(
                recipient=booking.requested_by,
                subject=booking,
                dedupe_key=f"booking:{booking.pk}:approved:e",
                due_at=now - timedelta(minutes=1),
            ).pk
        )
    return ids


def statuses() -> dict[str, int]:
    counts = {}
    for status in Notification.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_duplicates_nothing(worker_for, mail_dir, tmp_path):
    ids = due_batch(50)
    marker = tmp_path / "stalled"

    first = worker_for(backend=STALLING_BACKEND, env={STALL_AT: "20", STALL_MARKER: str(marker)})
    with running(first):
        services.enqueue(ids)
        wait_until(marker.exists, timeout=DELIVERY_TIMEOUT, what="the 20th message", log=first.log)
        first.kill()

    assert len(mail_files_ids(mail_dir)) == 19
    assert statuses() == {"sent": 19, "sending": 1, "pending": 30}

    second = worker_for(backend=STALLING_BACKEND)
    with running(second):
        # The restarted worker takes the rest of the queue ...
        wait_until(
            lambda: statuses().get("sent") == 49, timeout=DELIVERY_TIMEOUT, what="the queued messages", log=second.log
        )
        # ... but the message the killed worker had claimed waits for its claim to time out. Age the claim
        # instead of waiting ten minutes; the sweep gives it back and enqueues it.
        Notification.objects.filter(status="sending").update(
            claimed_at=F("claimed_at") - services.CLAIM_TIMEOUT - timedelta(seconds=1)
        )
        result = services.sweep()
        assert (result["released"], result["due"]) == (1, 1)
        wait_until(
            lambda: statuses() == {"sent": 50}, timeout=DELIVERY_TIMEOUT, what="the released message", log=second.log
        )

    assert sorted(mail_files_ids(mail_dir)) == sorted(ids)


def test_an_approval_while_redis_is_down_succeeds_and_the_mail_follows_once_redis_is_back(
    worker_for, mail_dir, tmp_path, booker, space, manager, caplog
):
    booking = book(booker, space, next_bookable_start())
    server = RedisServer(tmp_path)
    server.start()
    try:
        worker = worker_for(broker_url=server.url)
        with broker(server.url), running(worker):
            server.stop()

            with caplog.at_level(logging.WARNING, logger="notifications.services"):
                bookings.approve_booking(booking=booking, manager=manager)

            booking.refresh_from_db()
            assert booking.status == Booking.Status.APPROVED
            assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}
            assert "Could not enqueue notification" in caplog.text

            server.start()
            result = services.sweep()
            assert result["due"] == 2
            wait_until(lambda: sent_about(booking) == 2, timeout=DELIVERY_TIMEOUT, what="the approval", log=worker.log)
    finally:
        server.stop()

    email = Notification.objects.get(subject_id=booking.pk, channel="email")
    assert mail_files_ids(mail_dir) == [email.pk]


def test_with_the_relay_an_approval_is_mailed_by_a_real_worker_though_the_request_publishes_nothing(
    worker_for, mail_dir, booker, space, manager, settings, monkeypatch
):
    settings.NOTIFICATIONS_RELAY = True

    def no_publish(keys):
        raise AssertionError(f"the request published {keys}")

    monkeypatch.setattr(services, "enqueue_keys", no_publish)
    booking = book(booker, space, next_bookable_start())

    worker = worker_for(env={"NOTIFICATIONS_RELAY": "true"})
    with running(worker):
        bookings.approve_booking(booking=booking, manager=manager)
        wait_until(lambda: sent_about(booking) == 2, timeout=DELIVERY_TIMEOUT, what="the approval", log=worker.log)

    email = Notification.objects.get(subject_id=booking.pk, kind="booking_approved", channel="email")
    assert mail_files_ids(mail_dir) == [email.pk]
