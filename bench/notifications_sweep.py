"""Benchmark of the notifications outbox on PostgreSQL: the every-minute sweep's queries at 10,000 and
1,000,000 bookings, and one worker delivering a backlog of 10,000 due reminders.

Run with ``make bench`` or::

    DJANGO_SETTINGS_MODULE=dongnam.settings DONGNAM_ENV=development python -m bench.notifications_sweep

The database is the free-space benchmark's (``BENCH_DATABASE_URL``, by default ``dongnam_bench``) with
``_notifications`` appended to its name, so the two benchmarks never drop each other's database; it is
dropped and created again on every run.

Data: the hall, people and bookings of ``bench.free_space_search`` (its 1,000,000-booking fill, nearest to
today first), plus the notification history those bookings would have: one sent approval e-mail per
approved booking and the two sent reminder e-mails of every approved booking in the past.

Measured:

- The sweep (``notifications.services.sweep`` without its sending): ``create_booking_reminders`` and
  ``due_ids``, once a minute over simulated minutes from now on, after a catch-up sweep that creates the
  reminders of the coming day; between sweeps the messages that became due are marked sent (the workers'
  part, not timed).
- Delivery: 10,000 approved bookings (beyond the fill's dates) with a due 24-hour reminder e-mail each,
  sent by one in-process worker (``services.deliver`` over ``services.due_ids``, as ``sweep(send_inline=True)``
  does) to the locmem mail backend. Duplicates are the e-mails sent beyond one per notification row.
"""

import os
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from urllib.parse import urlsplit, urlunsplit

import time_machine

from bench import report
from bench.free_space_search import (
    FUTURE_DAYS,
    HALL_TZ,
    SEED,
    bench_database_url,
    build_hall,
    build_slot_plan,
    drop_plan,
    fill_bookings,
    log,
    recreate_database,
    setup_django,
    shorten,
    vacuum_analyze,
)

BENCH_NAME = "notifications_sweep"
SIZES = (10_000, 1_000_000)
SWEEP_SAMPLES = 300
SWEEP_WARMUP = 30
BACKLOG = 10_000
BACKLOG_PER_SPACE_DAY = 10
SWEEP_P95_TARGET_MS = 50.0
RATIO_TARGET = 2.0

EXPLAIN_PATH = report.RESULTS_PATH.parent / f"{BENCH_NAME}_explain.txt"


def database_url() -> str:
    parts = urlsplit(bench_database_url())
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/')}_notifications"))


def configure_environment() -> None:
    # Mails stay in memory, tasks go to an in-memory broker nobody reads (the sweep's enqueue is timed, its
    # sending is not), and Django keeps no query log.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")


# --- Data ---------------------------------------------------------------------------------------------


def fill_history(*, after_booking_id: int) -> int:
    """The sent notifications of the bookings with an id above ``after_booking_id``, in one INSERT … SELECT each."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from bookings.models import Booking

    booking_type = ContentType.objects.get_for_model(Booking).pk
    columns = (
        "recipient_id, to_email, kind, channel, subject_type_id, subject_id, context, dedupe_key, due_at, "
        "status, attempts, last_error, claimed_at, sent_at, created"
    )
    iso = "to_char(b.start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')"
    inserted = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO notifications_notification ({columns})
            SELECT b.requested_by_id, '', 'booking_approved', 'email', %(type)s, b.id, '{{}}'::jsonb,
                   'booking:' || b.id || ':approved:u' || b.requested_by_id || ':email',
                   b.decided_at, 'sent', 1, '', b.decided_at, b.decided_at, b.decided_at
            FROM bookings_booking AS b
            WHERE b.id > %(after)s AND b.status = 'approved' AND b.decided_at IS NOT NULL
            """,
            {"type": booking_type, "after": after_booking_id},
        )
        inserted += cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO notifications_notification ({columns})
            SELECT b.requested_by_id, '', 'booking_reminder', 'email', %(type)s, b.id,
                   jsonb_build_object('hours', h.hours, 'start', {iso}),
                   'booking:' || b.id || ':reminder:' || h.hours || 'h:' || {iso}
                       || ':u' || b.requested_by_id || ':email',
                   b.start - make_interval(hours => h.hours), 'sent', 1, '',
                   b.start - make_interval(hours => h.hours), b.start - make_interval(hours => h.hours),
                   b.start - make_interval(hours => h.hours)
            FROM bookings_booking AS b
            CROSS JOIN (VALUES (24), (1)) AS h(hours)
            WHERE b.id > %(after)s AND b.status = 'approved' AND b.start < now()
            """,
            {"type": booking_type, "after": after_booking_id},
        )
        inserted += cursor.rowcount
    return inserted


def last_booking_id() -> int:
    from django.db.models import Max

    from bookings.models import Booking

    return Booking.objects.aggregate(last=Max("pk"))["last"] or 0


def create_backlog(count: int) -> list[int]:
    """``count`` approved bookings beyond the fill's dates, each with a due 24-hour reminder e-mail."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from accounts.models import User
    from bookings.models import Booking
    from hall.models import Space
    from notifications.models import Notification

    now = timezone.now()
    spaces = list(Space.objects.filter(is_bookable=True).order_by("pk").values_list("pk", flat=True))
    users = list(User.objects.filter(is_active=True, is_superuser=False).order_by("pk").values_list("pk", flat=True))
    first_day = timezone.localdate() + timedelta(days=FUTURE_DAYS + 10)
    bookings = []
    for number in range(count):
        space = spaces[number % len(spaces)]
        slot = number // len(spaces)
        day = first_day + timedelta(days=slot // BACKLOG_PER_SPACE_DAY)
        start = datetime.combine(day, dtime(9 + slot % BACKLOG_PER_SPACE_DAY), tzinfo=HALL_TZ)
        bookings.append(
            Booking(
                space_id=space,
                requested_by_id=users[number % len(users)],
                title=f"Backlog {number}",
                attendees=1,
                start=start,
                end=start + timedelta(hours=1),
                status=Booking.Status.APPROVED,
                decided_at=now - timedelta(days=7),
            )
        )
    Booking.objects.bulk_create(bookings, batch_size=2000)
    booking_type = ContentType.objects.get_for_model(Booking)
    rows = [due_reminder_email(booking, booking_type, now) for booking in bookings]
    Notification.objects.bulk_create(rows, batch_size=2000)
    return [row.pk for row in rows]


def due_reminder_email(booking, booking_type, now: datetime):
    """The booker's 24-hour reminder e-mail of a booking, due a minute ago (unsaved)."""
    from notifications.models import Notification

    start = booking.start.astimezone(UTC).isoformat()
    return Notification(
        recipient_id=booking.requested_by_id,
        kind=Notification.Kind.BOOKING_REMINDER,
        channel=Notification.Channel.EMAIL,
        subject_type=booking_type,
        subject_id=booking.pk,
        # As create_booking_reminders writes it: the start as the database returns it (UTC).
        context={"hours": 24, "start": start},
        dedupe_key=f"booking:{booking.pk}:reminder:24h:{start}:u{booking.requested_by_id}:email",
        due_at=now - timedelta(minutes=1),
    )


def notification_counts() -> dict:
    from django.db.models import Count

    from notifications.models import Notification

    return dict(Notification.objects.order_by().values_list("status").annotate(n=Count("pk")))


# --- Measurements -------------------------------------------------------------------------------------


def one_sweep(now: datetime) -> int:
    """The sweep's queries (without sending); returns the reminders created."""
    from bookings import notifications as reminders
    from notifications import services

    created = reminders.create_booking_reminders(now=now)
    services.due_ids(now=now)
    return created


def workers_deliver(now: datetime) -> None:
    """What the workers do between two sweeps, not timed: the due messages are sent."""
    from notifications.models import Notification

    Notification.objects.filter(status=Notification.Status.PENDING, due_at__lte=now).update(
        status=Notification.Status.SENT, sent_at=now, attempts=1
    )


def measure_sweep(size: int, began: datetime) -> dict:
    """Sweeps once a minute from ``began`` (a catch-up sweep first, then warm-up and timed minutes)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    catch_up_began = time.perf_counter()
    catch_up = one_sweep(began)
    catch_up_ms = (time.perf_counter() - catch_up_began) * 1000
    workers_deliver(began)
    samples, created = [], 0
    for minute in range(1, SWEEP_WARMUP + SWEEP_SAMPLES + 1):
        now = began + timedelta(minutes=minute)
        # The clock travels too, so notify() sees the reminders due and enqueues them as in production.
        with time_machine.travel(now, tick=True):
            started = time.perf_counter()
            made = one_sweep(now)
            elapsed = (time.perf_counter() - started) * 1000
            workers_deliver(now)
        if minute > SWEEP_WARMUP:
            samples.append(elapsed)
            created += made
    last = began + timedelta(minutes=SWEEP_WARMUP + SWEEP_SAMPLES + 1)
    with time_machine.travel(last, tick=True), CaptureQueriesContext(connection) as captured:
        one_sweep(last)
    stats = report.summarize(samples)
    window = window_bookings(began)
    log(
        f"{size:,} bookings: sweep p50 {stats['p50_ms']} ms, p95 {stats['p95_ms']} ms "
        f"({len(captured)} queries; {window} approved bookings in the next 24 h; catch-up sweep "
        f"{catch_up_ms:.0f} ms created {catch_up} reminders; {created} more during the samples)"
    )
    return {
        **stats,
        "ended": last,
        "queries": len(captured),
        "sql": [query["sql"] for query in captured.captured_queries],
        "catch_up_ms": round(catch_up_ms, 1),
        "catch_up_reminders": catch_up,
        "reminders_during_samples": created,
        "window_bookings": window,
    }


def window_bookings(now: datetime) -> int:
    from django.conf import settings

    from bookings.models import Booking

    hours = max(settings.BOOKING_REMINDER_HOURS)
    return Booking.objects.filter(
        status=Booking.Status.APPROVED, start__gt=now, start__lte=now + timedelta(hours=hours)
    ).count()


def explain_reminder_query() -> str:
    from django.conf import settings
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from bookings.models import Booking

    now = timezone.now()
    offset = timedelta(hours=max(settings.BOOKING_REMINDER_HOURS))
    # The candidates query of notifications.reminders.create_booking_reminders.
    queryset = Booking.objects.filter(
        status=Booking.Status.APPROVED,
        start__gt=now,
        start__lte=now + offset,
        decided_at__lte=F("start") - offset,
        requested_by__is_active=True,
        requested_by__reminders_enabled=True,
    ).values_list("pk", "start", "requested_by_id")
    query, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def measure_delivery(count: int) -> dict:
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications import services
    from notifications.models import Notification

    workers_deliver(datetime.now(HALL_TZ) + timedelta(days=365))  # nothing else is pending
    ids = create_backlog(count)
    vacuum_analyze()
    log(f"backlog: {len(ids):,} due reminder e-mails; one in-process worker sends them")
    mail.outbox = []
    samples = []
    with CaptureQueriesContext(connection) as captured:
        services.deliver(services.due_ids(limit=1)[0])
    began = time.perf_counter()
    while batch := services.due_ids():
        for pk in batch:
            started = time.perf_counter()
            services.deliver(pk)
            samples.append((time.perf_counter() - started) * 1000)
    seconds = time.perf_counter() - began
    mailed = [int(message.extra_headers["X-Dongnam-Notification"]) for message in mail.outbox]
    rate = len(samples) / seconds
    sent_rows = Notification.objects.filter(pk__in=ids, status=Notification.Status.SENT).count()
    other = Notification.objects.filter(pk__in=ids).exclude(status=Notification.Status.SENT).count()
    duplicates = len(mailed) - len(set(mailed))
    messages = len(mailed)
    log(
        f"delivery: {messages:,} e-mails in {seconds:.1f} s, {rate:.0f} messages/s, {duplicates} duplicates, "
        f"{sent_rows:,} rows sent, {other} not sent, {len(captured)} queries per message"
    )
    return {
        **report.summarize(samples),
        "seconds": round(seconds, 2),
        "messages": messages,
        "rate": round(rate, 1),
        "duplicates": duplicates,
        "sent_rows": sent_rows,
        "unsent_rows": other,
        "mails_match_rows": sorted(mailed) == sorted(ids),
        "queries_per_message": len(captured),
    }


# --- Report -------------------------------------------------------------------------------------------

WHAT = {
    "sweep": "every-minute sweep: create_booking_reminders + due_ids (steady state, one run per minute)",
    "delivery": "one worker delivering 10,000 due reminder e-mails (size: reminders; throughput: messages/s)",
}


def result_rows(sweeps: dict[int, dict], delivery: dict, machine: dict) -> list[dict]:
    small, large = SIZES
    rows = []
    for size in SIZES:
        stats = sweeps[size]
        ratio = round(stats["p95_ms"] / sweeps[small]["p95_ms"], 2) if size == large else None
        target = met = None
        if size == large:
            target = f"p95 ≤ {SWEEP_P95_TARGET_MS:g} ms, ratio ≤ {RATIO_TARGET:g}"
            met = stats["p95_ms"] <= SWEEP_P95_TARGET_MS and ratio <= RATIO_TARGET
        rows.append(
            {
                "name": f"{BENCH_NAME}.sweep",
                "what": WHAT["sweep"],
                "size": size,
                "p50_ms": stats["p50_ms"],
                "p95_ms": stats["p95_ms"],
                "mean_ms": stats["mean_ms"],
                "samples": stats["samples"],
                "throughput_rps": None,
                "ratio": ratio,
                "target": target,
                "met": met,
                "queries": stats["queries"],
                "window_bookings": stats["window_bookings"],
                "machine": report.machine_line(machine),
            }
        )
    rows.append(
        {
            "name": f"{BENCH_NAME}.delivery",
            "what": WHAT["delivery"],
            "size": delivery["messages"],
            "p50_ms": delivery["p50_ms"],
            "p95_ms": delivery["p95_ms"],
            "mean_ms": delivery["mean_ms"],
            "samples": delivery["samples"],
            "throughput_rps": delivery["rate"],
            "ratio": None,
            "target": "0 duplicates, every row sent",
            "met": delivery["duplicates"] == 0 and delivery["unsent_rows"] == 0 and delivery["mails_match_rows"],
            "seconds": delivery["seconds"],
            "duplicates": delivery["duplicates"],
            "bookings_in_database": SIZES[-1] + BACKLOG,
            "machine": report.machine_line(machine),
        }
    )
    return rows


def plan_summary(plan: str) -> str:
    lines = [line.strip() for line in plan.splitlines()]
    execution = next((line for line in lines if line.startswith("Execution Time")), "")
    scans = sorted(set(re.findall(r" using (\S+) on ", plan)))
    index = ", ".join(scans) or "none (sequential scan)"
    return f"indexes used: {index}; {execution}"


def docs_section(sweeps: dict, delivery: dict, plan: str, counts: dict) -> str:
    small, large = SIZES
    sql = "\n".join(f"  - `{shorten(statement)}`" for statement in sweeps[large]["sql"])
    status_text = ", ".join(f"{status} {count:,}" for status, count in sorted(counts.items()))
    return f"""
## Notifications outbox (`bench/notifications_sweep.py`)

What runs every minute (the sweep of `notifications.services`) and what one worker sends.

- Data: the hall and the bookings of the free-space benchmark (nearest to today first), with their
  notification history: a sent approval e-mail per approved booking and the two sent reminder e-mails of
  each past approved booking; {sweeps[large]["window_bookings"]:,} approved bookings start within 24 hours.
  Notifications at the end: {status_text}.
- Sweep: a first sweep creates the coming day's reminders ({sweeps[small]["catch_up_reminders"]:,} reminders
  in {sweeps[small]["catch_up_ms"]:,.0f} ms); then, at each size, {SWEEP_SAMPLES} sweeps one simulated minute
  apart (after {SWEEP_WARMUP} warm-up minutes, the clock travelling with them), later minutes at the larger
  size, so bookings keep entering the window: {sweeps[small]["reminders_during_samples"]:,} and
  {sweeps[large]["reminders_during_samples"]:,} reminders created during the timed sweeps. Between sweeps
  the due messages are marked sent (not timed). One sweep makes {sweeps[large]["queries"]} queries:
{sql}
- Delivery: {delivery["messages"]:,} due 24-hour reminder e-mails (one per booking) sent by one in-process
  worker to the locmem backend in {delivery["seconds"]:,.1f} s: {delivery["rate"]:,.0f} messages/s,
  {delivery["queries_per_message"]} queries per message; duplicates: {delivery["duplicates"]}
  (e-mails {delivery["messages"]:,}, rows sent {delivery["sent_rows"]:,}).
- Targets: sweep p95 ≤ {SWEEP_P95_TARGET_MS:g} ms at {large:,} bookings and p95 at {large:,} / p95 at
  {SIZES[0]:,} ≤ {RATIO_TARGET:g}; no duplicate e-mail.

`EXPLAIN (ANALYZE, BUFFERS)` of the reminder query (24 hours) at {large:,} bookings ({plan_summary(plan)}):

```
{plan}
```
"""


def print_table(rows: list[dict]) -> None:
    print()
    print(f"{'what':<10} {'size':>10} {'p50 ms':>9} {'p95 ms':>9} {'mean ms':>9} {'msg/s':>8} {'ratio':>6}  met")
    for row in rows:
        rate = f"{row['throughput_rps']:.0f}" if row["throughput_rps"] is not None else "—"
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "—"
        met = "—" if row["met"] is None else ("yes" if row["met"] else "NO")
        print(
            f"{row['name'].removeprefix(BENCH_NAME + '.'):<10} {row['size']:>10,} {row['p50_ms']:>9.2f} "
            f"{row['p95_ms']:>9.2f} {row['mean_ms']:>9.2f} {rate:>8} {ratio:>6}  {met}"
        )
    print()


def main() -> None:
    url = database_url()
    configure_environment()
    log(f"recreating database {urlsplit(url).path.lstrip('/')!r}")
    recreate_database(url)
    setup_django(url)

    from django.db import connection

    rng = random.Random(SEED)
    people = build_hall(rng)
    log("building the slot plan in PostgreSQL")
    build_slot_plan(SIZES[-1])

    from django.utils import timezone

    sweeps = {}
    filled = 0
    # Each size sweeps its own simulated minutes, later than the previous size's, so that bookings keep
    # entering the reminder window: the sweeps create reminders at every size.
    sweep_from = timezone.now().replace(second=0, microsecond=0)
    for size in SIZES:
        log(f"filling bookings {filled + 1:,}–{size:,} and their notifications")
        fill_began = time.perf_counter()
        after = last_booking_id()
        fill_bookings(low=filled + 1, high=size, people=people)
        history = fill_history(after_booking_id=after)
        log(f"filled in {time.perf_counter() - fill_began:.1f} s ({history:,} notifications); VACUUM ANALYZE")
        filled = size
        if size == SIZES[-1]:
            drop_plan()
        vacuum_analyze()
        sweeps[size] = measure_sweep(size, sweep_from)
        sweep_from = sweeps[size]["ended"] + timedelta(minutes=1)
    plan = explain_reminder_query()
    delivery = measure_delivery(BACKLOG)

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    machine = report.machine_info(version.split()[0])
    rows = result_rows(sweeps, delivery, machine)
    EXPLAIN_PATH.parent.mkdir(parents=True, exist_ok=True)
    EXPLAIN_PATH.write_text(plan + "\n")
    merged = report.merge_results(rows)
    report.write_docs(
        name=BENCH_NAME,
        section=docs_section(sweeps, delivery, plan, notification_counts()),
        rows=merged,
        machine=machine,
    )

    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the reminder query at {SIZES[-1]:,} bookings:\n{plan}\n")
    print(plan_summary(plan))
    print(f"one sweep at {SIZES[-1]:,} bookings makes {sweeps[SIZES[-1]]['queries']} queries")
    print(f"machine: {report.machine_line(machine)}")
    print_table(rows)
    results, docs = report.RESULTS_PATH.relative_to(report.BASE_DIR), report.DOCS_PATH.relative_to(report.BASE_DIR)
    print(f"results: {results}, {docs}")
    if delivery["duplicates"] or delivery["unsent_rows"]:
        sys.exit("Delivery sent duplicates or left messages unsent.")
    if not all(row["met"] for row in rows if row["met"] is not None):
        print("Some targets are not met (see the table).")


if __name__ == "__main__":
    main()
