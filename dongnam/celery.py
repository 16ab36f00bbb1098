"""The Celery application and the one place where periodic work is scheduled."""

import os

from celery import Celery, bootsteps
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dongnam.settings")

app = Celery("dongnam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_embedded_broker_folders(sender, **kwargs):
    # kombu's filesystem transport expects its folders to exist.
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = sender.conf.broker_transport_options.get(key)
        if folder and sender.conf.broker_url.startswith("filesystem://"):
            os.makedirs(folder, exist_ok=True)


class NotificationRelay(bootsteps.StartStopStep):
    """Each worker runs the notification relay when it is on (notifications.relay); one of them holds it."""

    # Started once the pool's processes are forked, so none of them inherits the relay's connection.
    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.relay = None

    def start(self, worker):
        from notifications import relay

        if relay.is_active():
            self.relay = relay.Relay().start()

    def stop(self, worker):
        if self.relay is not None:
            self.relay.stop()


app.steps["worker"].add(NotificationRelay)


app.conf.beat_schedule = {
    "expire-waitlist-offers": {
        "task": "bookings.tasks.expire_waitlist_offers",
        "schedule": 300.0,
    },
    "mark-no-shows": {
        "task": "bookings.tasks.mark_no_shows",
        "schedule": crontab(minute="*/5"),
    },
    "cancel-unpaid-bookings": {
        "task": "bookings.tasks.cancel_unpaid_bookings",
        "schedule": crontab(minute="*/10"),
    },
    "sweep-notifications": {
        "task": "notifications.tasks.sweep_notifications",
        "schedule": 60.0,
    },
    "manager-digests": {
        "task": "bookings.notifications.send_manager_digests",
        "schedule": crontab(hour=9, minute=0),
    },
    "lease-expiry-reminders": {
        "task": "tenants.notifications.send_lease_expiry_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "update-contract-statuses": {
        "task": "tenants.tasks.update_contract_statuses",
        "schedule": crontab(hour=0, minute=5),
    },
    # The reports' day-by-day figures: the weeks around today often, the past year once a night.
    "refresh-recent-usage": {
        "task": "reports.tasks.refresh_recent_usage",
        "schedule": crontab(minute="*/15"),
    },
    "rebuild-usage": {
        "task": "reports.tasks.rebuild_usage",
        "schedule": crontab(hour=3, minute=20),
    },
    "outcome-report-reminders": {
        "task": "tenants.tasks.send_outcome_report_reminders",
        "schedule": crontab(month_of_year=1, day_of_month=15, hour=9, minute=0),
    },
    # Online payment: confirmations Toss did not answer and virtual accounts; refunds to send again.
    "check-online-payments": {
        "task": "payments.tasks.check_open_orders",
        "schedule": crontab(minute="*/5"),
    },
    "send-online-refunds": {
        "task": "payments.tasks.send_due_refunds",
        "schedule": crontab(minute="*/5"),
    },
    "recheck-business-numbers": {
        "task": "tenants.tasks.recheck_business_numbers",
        "schedule": crontab(hour=5, minute=30),
    },
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=4, minute=10),
    },
}
