"""The Redis broker transport publishes through one client per channel, and the messages arrive."""

import json
import uuid

import pytest
import redis
from django.conf import settings

pytestmark = pytest.mark.redis


@pytest.fixture
def channel():
    from dongnam.celery import app as celery_app

    with celery_app.connection_for_write() as connection:
        yield connection.default_channel


def test_the_redis_broker_uses_the_project_transport(channel):
    from dongnam.broker import Channel

    assert isinstance(channel, Channel)


def test_messages_published_one_after_the_other_all_arrive_through_one_client(channel):
    queue = f"dongnam-test-{uuid.uuid4().hex}"
    server = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        clients = []
        for number in range(3):
            channel._put(queue, {"body": json.dumps({"number": number})})
            with channel.conn_or_acquire() as client:
                clients.append(client)
        assert all(client is clients[0] for client in clients)
        bodies = [json.loads(json.loads(raw)["body"])["number"] for raw in server.lrange(queue, 0, -1)]
        assert sorted(bodies) == [0, 1, 2]
    finally:
        server.delete(queue)


def test_a_channel_whose_pool_was_replaced_publishes_with_a_client_of_the_new_pool(channel):
    with channel.conn_or_acquire() as before:
        pass
    channel._disconnect_pools()  # what closing or reconnecting the channel does

    with channel.conn_or_acquire() as after:
        assert after is not before
        assert after.connection_pool is channel.pool
        assert after.ping()


def test_a_client_given_by_the_caller_is_used_as_is(channel):
    given = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    with channel.conn_or_acquire(given) as client:
        assert client is given
