"""When the relay carries notifications to the workers, and when requests publish them after commit."""

from django.db import connection

from dongnam.celery import app as celery_app
from notifications import relay as outbox_relay


def test_the_relay_needs_postgresql_the_setting_and_a_worker(settings, through_the_broker):
    settings.NOTIFICATIONS_RELAY = True
    # SQLite cannot LISTEN: requests publish after commit there, whatever the setting.
    assert outbox_relay.is_active() is (connection.vendor == "postgresql")

    settings.NOTIFICATIONS_RELAY = False
    assert outbox_relay.is_active() is False

    settings.NOTIFICATIONS_RELAY = True
    celery_app.conf.task_always_eager = True  # tasks run inside the request: no worker to relay to
    assert outbox_relay.is_active() is False
