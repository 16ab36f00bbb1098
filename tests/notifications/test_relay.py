"""The outbox relay (notifications.relay): a committed notification wakes the listening worker, which queues
it; a rolled-back one wakes nobody; one relay per database; requests do not publish while it is on."""

import threading
import time

import pytest
from django.db import transaction

from notifications import relay as outbox_relay
from notifications import services
from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAKE_TIMEOUT = 5


@pytest.fixture
def relay_on(settings, through_the_broker, monkeypatch):
    settings.NOTIFICATIONS_RELAY = True

    def no_publish(keys):
        raise AssertionError(f"published after commit: {keys}")

    monkeypatch.setattr(services, "enqueue_keys", no_publish)


class Queued:
    """Stands in for the broker: the ids each relay queued."""

    def __init__(self):
        self.ids: list[int] = []
        self._lock = threading.Lock()

    def __call__(self, ids):
        with self._lock:
            self.ids.extend(ids)


@pytest.fixture
def relays():
    started = []

    def start(queued: Queued) -> outbox_relay.Relay:
        relay = outbox_relay.Relay(enqueue=queued, poll_seconds=0.1, retry_seconds=0.2).start()
        started.append(relay)
        return relay

    yield start
    for relay in started:
        relay.stop()


def wait_until(condition, what: str, timeout: float = WAKE_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def notify_user(user, key: str) -> list[int]:
    services.notify(kind=Notification.Kind.BOOKING_APPROVED, recipients=[user], subject=None, key=key)
    return sorted(Notification.objects.filter(dedupe_key__startswith=f"{key}:").values_list("pk", flat=True))


def test_a_committed_notification_wakes_the_relay_which_queues_it(relay_on, relays):
    queued = Queued()
    relay = relays(queued)
    assert relay.listening.wait(WAKE_TIMEOUT)
    user = UserFactory()

    with transaction.atomic():
        ids = notify_user(user, "relay:1")
    wait_until(lambda: sorted(queued.ids) == ids, "the relay to queue both channels")

    assert len(ids) == 2


def test_a_rolled_back_notification_wakes_nobody_and_is_not_queued(relay_on, relays, monkeypatch):
    queued = Queued()
    relay = relays(queued)
    assert relay.listening.wait(WAKE_TIMEOUT)
    wake_ups = []
    dispatch = relay.dispatch
    monkeypatch.setattr(relay, "dispatch", lambda: wake_ups.append(1) or dispatch())
    user = UserFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        notify_user(user, "relay:rolled-back")
        raise RuntimeError
    time.sleep(0.5)  # five polls of the relay
    assert wake_ups == []
    with transaction.atomic():
        ids = notify_user(user, "relay:after")
    wait_until(lambda: sorted(queued.ids) == ids, "the relay to queue the committed rows")

    assert not Notification.objects.filter(dedupe_key__startswith="relay:rolled-back").exists()


def test_rows_written_while_no_relay_listened_are_queued_when_one_starts(relay_on, relays):
    user = UserFactory()
    ids = notify_user(user, "relay:before")
    queued = Queued()

    relays(queued)

    wait_until(lambda: sorted(queued.ids) == ids, "the starting relay to queue the waiting rows")


def test_a_row_still_waiting_for_its_worker_is_not_queued_again_at_the_next_wake_up(relay_on, relays):
    queued = Queued()
    relay = relays(queued)
    assert relay.listening.wait(WAKE_TIMEOUT)
    user = UserFactory()

    first = notify_user(user, "relay:first")
    wait_until(lambda: sorted(queued.ids) == first, "the first rows")
    second = notify_user(user, "relay:second")
    wait_until(lambda: len(queued.ids) == 4, "the second rows")

    assert sorted(queued.ids) == sorted(first + second)


def test_one_relay_per_database_whatever_the_number_of_workers(relay_on, relays):
    first, second = Queued(), Queued()
    relay_one, relay_two = relays(first), relays(second)
    wait_until(lambda: relay_one.listening.is_set() or relay_two.listening.is_set(), "a relay to listen")
    time.sleep(0.5)  # the other tried the lock by now
    assert relay_one.listening.is_set() != relay_two.listening.is_set()
    user = UserFactory()

    ids = notify_user(user, "relay:one")
    wait_until(lambda: sorted(first.ids + second.ids) == ids, "one relay to queue the rows")

    assert not (first.ids and second.ids)


def test_a_standing_by_relay_takes_over_when_the_relaying_worker_stops(relay_on, relays):
    first, second = Queued(), Queued()
    relay_one = relays(first)
    assert relay_one.listening.wait(WAKE_TIMEOUT)
    relay_two = relays(second)
    time.sleep(0.5)
    assert not relay_two.listening.is_set()

    relay_one.stop()
    assert relay_two.listening.wait(WAKE_TIMEOUT)
    ids = notify_user(UserFactory(), "relay:takeover")
    wait_until(lambda: sorted(second.ids) == ids, "the second relay to queue the rows")
