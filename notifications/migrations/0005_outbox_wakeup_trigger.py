"""The outbox table wakes the notification relay (notifications.relay) when a transaction that wrote to it
commits. PostgreSQL only; nothing is listening unless the relay runs, and then NOTIFY costs next to nothing."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION notifications_outbox_wakeup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('notifications_outbox', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER notifications_outbox_wakeup AFTER INSERT ON notifications_notification
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_outbox_wakeup();
"""

DROP = """
DROP TRIGGER IF EXISTS notifications_outbox_wakeup ON notifications_notification;
DROP FUNCTION IF EXISTS notifications_outbox_wakeup();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_fewer_indexes_to_update_per_notification")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
