"""The outbox relay: a Celery worker listens for PostgreSQL's wake-up and queues the due notifications.

With the relay on, a request that writes notifications does not talk to the broker at all: the outbox table's
trigger (migration 0005) sends ``NOTIFY notifications_outbox`` when the writing transaction commits, and
nothing when it rolls back. The worker holding the relay's advisory lock (one per database, whatever the
number of workers) wakes up and queues a send task for each due row. Rows written while no relay listens
(workers down, a relay reconnecting) are sent by the every-minute sweep, as after a lost task.

Off with SQLite (no LISTEN) and when tasks run in-process (``CELERY_TASK_ALWAYS_EAGER``: there is no
worker); ``notify`` then hands the rows to the broker after the commit itself.
"""

import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from notifications.models import Notification

logger = logging.getLogger(__name__)

CHANNEL = "notifications_outbox"
# pg_advisory_lock key held by the relaying worker's connection: "dnnt".
LOCK_KEY = 0x646E6E74
BATCH = 500
# A row queued this recently is not queued again by the relay; the sweep re-queues lost ones.
RECENT_SECONDS = 60


def is_active() -> bool:
    """Whether notifications reach the workers through the relay rather than a publish after commit."""
    return settings.NOTIFICATIONS_RELAY and connection.vendor == "postgresql" and not current_app.conf.task_always_eager


def due_ids() -> list[int]:
    """Pending rows that are due, newest first: a wake-up is about rows just written."""
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING, due_at__lte=timezone.now())
        .order_by("-pk")
        .values_list("pk", flat=True)[:BATCH]
    )


class Relay:
    """The listening thread of one worker. ``enqueue`` queues the send tasks of a list of row ids."""

    def __init__(self, *, enqueue=None, poll_seconds: float = 1.0, retry_seconds: float = 5.0):
        if enqueue is None:
            from notifications.services import enqueue
        self._enqueue = enqueue
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.listening = threading.Event()
        self._stopped = threading.Event()
        self._recent: dict[int, float] = {}
        self._thread = threading.Thread(target=self._run, name="notification-relay", daemon=True)

    def start(self) -> "Relay":
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stopped.set()
        self._thread.join(timeout)

    def dispatch(self) -> list[int]:
        """Queue the due rows not queued in the last minute; returns their ids."""
        now = time.monotonic()
        self._recent = {pk: at for pk, at in self._recent.items() if now - at < RECENT_SECONDS}
        ids = [pk for pk in due_ids() if pk not in self._recent]
        if ids:
            self._enqueue(ids)
            self._recent.update(dict.fromkeys(ids, now))
        return ids

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self._listen()
            except Exception:
                logger.warning("The notification relay lost PostgreSQL; listening again shortly", exc_info=True)
                self._stopped.wait(self.retry_seconds)
            finally:
                self.listening.clear()
                connections.close_all()  # this thread's ORM connection

    def _listen(self) -> None:
        database = connections["default"]
        listener = database.get_new_connection(database.get_connection_params())
        try:
            listener.autocommit = True
            # Another worker may relay: stand by on this connection and take over when its lock is freed.
            while not listener.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
                if self._stopped.wait(self.retry_seconds):
                    return
            listener.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            self.dispatch()  # what was written before this relay listened
            while not self._stopped.is_set():
                # One wake-up per dispatch: the query finds every row committed by then.
                if list(listener.notifies(timeout=self.poll_seconds, stop_after=1)):
                    self.dispatch()
        finally:
            listener.close()
