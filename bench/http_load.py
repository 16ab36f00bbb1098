"""Benchmark of the HTTP layer on PostgreSQL: the bookings API list, the space list page, booking creation
by 8 concurrent API clients against the framework's floor, and the memory of the web and Celery workers.

Run with ``make bench`` or::

    DJANGO_SETTINGS_MODULE=dongnam.settings DONGNAM_ENV=development python -m bench.http_load

The database is the free-space benchmark's (``BENCH_DATABASE_URL``, by default ``dongnam_bench``) with
``_http`` appended to its name; it is dropped and created again on every run. Everything runs on loopback and
is set up as in production: gunicorn (sync workers) with Redis as cache and Celery broker
(``BENCH_REDIS_URL``, by default database 12 of the local Redis, emptied on every run), the notification
relay on (a request writes its notifications to the outbox table, whose trigger wakes a worker at commit:
``notifications.relay``), and e-mails kept in memory. No worker runs during the web measurements (in
production it runs on its own host); afterwards one Celery worker (``--pool solo``) delivers a backlog on the
same broker, for its throughput and memory.

Data: the hall, people, closures and generated bookings of ``bench.free_space_search`` (nearest to today
first), plus rooms, users and API tokens of this benchmark: a member of an organization that holds 50
bookings (what the member sees), 8 booking clients with 2 rooms each, and 8 users with an empty inbox.

Measured:

- ``GET /api/v1/bookings/`` as the member and anonymous ``GET /spaces/`` (HTML), one request at a time,
  at 100 and 10,000 bookings in the table; the queries of one request, counted in process.
- Booking creation: 8 client threads, each with its own connection, user, token and rooms, POST distinct
  free one-hour slots (every answer must be 201); the floor is ``GET /api/v1/notifications/`` with an empty
  inbox, measured the same way against the same server. Floor and booking runs alternate (floor, bookings,
  floor, ..., floor), so each booking run is compared with the floor just before and just after it, and the
  share reported is the median over the booking runs: other work on the machine moves both alike.
- After the load: the resident memory (VmRSS) of each gunicorn worker, and of a Celery worker after it
  delivered a backlog of due reminder e-mails.
"""

import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import report
from bench.free_space_search import (
    GUNICORN_WORKERS,
    HALL_TZ,
    SEED,
    Gunicorn,
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
from bench.notifications_sweep import due_reminder_email

BENCH_NAME = "http_load"
SIZES = (100, 10_000)
VISIBLE = 50
SEQUENTIAL_REQUESTS = 200
SEQUENTIAL_WARMUP = 20
CLIENTS = 8
SPACES_PER_CLIENT = 2
BOOKING_RUNS = 5
BOOKINGS_PER_RUN = 40  # per client
WARMUP_BOOKINGS_PER_CLIENT = 2
FLOOR_PER_RUN = 150  # per client
CELERY_TASKS = 300
CELERY_TIMEOUT_S = 180

FLOOR_SHARE_TARGET = 0.40
WEB_RSS_TARGET_MB = 150
CELERY_RSS_TARGET_MB = 200

BOOKINGS_PATH = "/api/v1/bookings/"
FLOOR_PATH = "/api/v1/notifications/"
SPACES_PAGE = "/spaces/"
MEMBER_EMAIL = "member@http.bench.dongnam.example"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"


def database_url() -> str:
    parts = urlsplit(bench_database_url())
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/')}_http"))


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)


def empty_redis() -> None:
    """Empty the benchmark's Redis database (its queued tasks and cache)."""
    import redis

    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).flushdb()
    except redis.RedisError as error:
        sys.exit(f"The benchmark needs Redis at {url}: {error}")


def configure_environment(var_dir: Path) -> None:
    # This process, gunicorn and the Celery worker share the benchmark's Redis (cache and broker), as in
    # production; e-mails stay in memory.
    os.environ["DONGNAM_VAR_DIR"] = str(var_dir)
    os.environ["REDIS_URL"] = redis_url()
    os.environ["CELERY_BROKER_URL"] = redis_url()
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["NOTIFICATIONS_RELAY"] = "true"  # the production default
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")


# --- Data ---------------------------------------------------------------------------------------------


def make_user(email: str, name: str):
    from accounts.models import User
    from accounts.services import create_personal_token

    user = User.objects.create_user(email=email, password=None, name=name)
    _, token = create_personal_token(user=user, name="bench")
    return user, token


def make_space(facility, slug: str, number: int, *, capacity: int = 10):
    from hall.models import Space

    return Space.objects.create(
        facility=facility,
        slug=slug,
        name=f"벤치 회의실 H{number:02d}",
        name_en=f"Bench room H{number:02d}",
        kind=Space.Kind.MEETING_ROOM,
        floor=2,
        capacity=capacity,
        area_m2=capacity * 3,
        requires_approval=False,
    )


def add_member_bookings(facility) -> tuple[str, int]:
    """A member of an organization with VISIBLE bookings in a room of their own; returns the member's token."""
    from bookings.models import Booking
    from tenants.models import Membership, Organization

    member, token = make_user(MEMBER_EMAIL, "벤치 회원")
    colleague, _ = make_user("colleague@http.bench.dongnam.example", "벤치 동료")
    organization = Organization.objects.create(
        name="벤치 HTTP 협동조합", name_en="Bench HTTP Cooperative", kind="cooperative"
    )
    Membership.objects.create(organization=organization, user=member, role=Membership.Role.OWNER)
    Membership.objects.create(organization=organization, user=colleague, role="member")
    space = make_space(facility, "bench-http-list", 0)
    today = datetime.now(HALL_TZ).date()
    bookings = []
    for number in range(VISIBLE):
        start = datetime.combine(today + timedelta(days=number - VISIBLE // 2), dtime(10), tzinfo=HALL_TZ)
        past = start < datetime.now(HALL_TZ)
        status = [Booking.Status.APPROVED, Booking.Status.APPROVED, Booking.Status.CANCELLED]
        status = status[number % 3] if past else [Booking.Status.APPROVED, Booking.Status.PENDING][number % 2]
        bookings.append(
            Booking(
                space=space,
                organization=organization,
                requested_by=member if number % 2 else colleague,
                title=f"조합 회의 {number + 1}",
                attendees=4,
                start=start,
                end=start + timedelta(hours=1),
                status=status,
                decided_at=start - timedelta(days=3) if status == Booking.Status.APPROVED else None,
            )
        )
    Booking.objects.bulk_create(bookings)
    return token, space.pk


def plan_slots(user, spaces, count: int) -> list[tuple[str, datetime, datetime]]:
    """``count`` one-hour slots in the given rooms that break no rule, from the day after tomorrow on."""
    from bookings import rules, services

    now = datetime.now(HALL_TZ)
    day = now.date() + timedelta(days=2)
    slots = []
    while len(slots) < count:
        for hour in range(9, 22):
            for space in spaces:
                start = datetime.combine(day, dtime(hour), tzinfo=HALL_TZ)
                end = start + timedelta(hours=1)
                if not rules.hours_allow(space, start, end):
                    continue
                request = services.BookingRequest(space=space, start=start, end=end, attendees=2, title="bench")
                if services.check_booking(user=user, request=request, organization=None):
                    continue
                slots.append((space.slug, start, end))
        day += timedelta(days=1)
        if day > now.date() + timedelta(days=spaces[0].policy.max_days_ahead):
            raise RuntimeError("Not enough free slots for the booking clients.")
    return slots[:count]


def add_clients(facility) -> tuple[list[dict], list[str]]:
    """The booking clients (user, token, planned slots) and the floor clients' tokens."""
    clients = []
    for number in range(1, CLIENTS + 1):
        user, token = make_user(f"client{number}@http.bench.dongnam.example", f"벤치 예약자 {number}")
        spaces = [
            make_space(facility, f"bench-http-c{number}-{k}", number * 10 + k) for k in range(1, SPACES_PER_CLIENT + 1)
        ]
        # Warm-up bookings, timed bookings, and one booked in process to count its queries.
        slots = plan_slots(user, spaces, WARMUP_BOOKINGS_PER_CLIENT + BOOKING_RUNS * BOOKINGS_PER_RUN + 1)
        clients.append({"user": user, "token": token, "slots": slots})
    floor_tokens = [make_user(f"reader{n}@http.bench.dongnam.example", f"벤치 독자 {n}")[1] for n in range(CLIENTS)]
    return clients, floor_tokens


def count_bookings() -> int:
    from bookings.models import Booking

    return Booking.objects.count()


# --- HTTP ---------------------------------------------------------------------------------------------


def headers(token: str | None = None, *, accept: str = "application/json") -> dict:
    values = {"Accept": accept}
    if token:
        values["Authorization"] = f"Token {token}"
    return values


def booking_body(slot: tuple[str, datetime, datetime], number: int) -> str:
    slug, start, end = slot
    return json.dumps(
        {
            "space": slug,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "title": f"HTTP 부하 {number}",
            "attendees": 2,
        }
    )


def send(connection: http.client.HTTPConnection, request: tuple) -> tuple[float, int, bytes]:
    method, path, body, request_headers = request
    began = time.perf_counter()
    connection.request(method, path, body=body, headers=request_headers)
    response = connection.getresponse()
    payload = response.read()
    return (time.perf_counter() - began) * 1000, response.status, payload


def sequential(port: int, request: tuple, count: int, warmup: int, expect: int = 200) -> dict:
    """``count`` requests one at a time over one connection (reopened when the server closes it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    samples = []
    try:
        for number in range(warmup + count):
            elapsed, status, payload = send(connection, request)
            if status != expect:
                raise RuntimeError(f"{request[0]} {request[1]} answered {status}: {payload[:300]!r}")
            if number >= warmup:
                samples.append(elapsed)
    finally:
        connection.close()
    return {**report.summarize(samples), "throughput_rps": round(len(samples) / (sum(samples) / 1000), 1)}


def concurrent(port: int, jobs: list[list[tuple]], expect: int) -> dict:
    """One thread and one connection per job list, started together; every answer must be ``expect``."""
    barrier = threading.Barrier(len(jobs) + 1)
    samples: list[list[float]] = [[] for _ in jobs]
    finished = [0.0] * len(jobs)
    failures: list[str] = []

    def client(index: int, requests: list[tuple]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            barrier.wait()
            for request in requests:
                elapsed, status, payload = send(connection, request)
                samples[index].append(elapsed)
                if status != expect:
                    failures.append(f"{request[0]} {request[1]} answered {status}: {payload[:300]!r}")
        except Exception as error:
            failures.append(f"client {index}: {type(error).__name__}: {error}")
        finally:
            connection.close()
            finished[index] = time.perf_counter()

    threads = [threading.Thread(target=client, args=(index, job), daemon=True) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, first: {failures[0]}")
    every = [sample for client_samples in samples for sample in client_samples]
    seconds = max(finished) - began
    return {
        **report.summarize(every),
        "throughput_rps": round(len(every) / seconds, 1),
        "seconds": round(seconds, 2),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "timings_ms": every,
    }


def in_process(method: str, path: str, token: str | None = None, body: str | None = None) -> list[str]:
    """The SQL of one request served in this process (Django's test client), as gunicorn serves it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    extra = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    with (
        override_settings(ALLOWED_HOSTS=["127.0.0.1", "testserver"]),
        CaptureQueriesContext(connection) as captured,
    ):
        client = Client()
        if method == "POST":
            response = client.post(path, data=body, content_type="application/json", **extra)
        else:
            response = client.get(path, HTTP_ACCEPT="application/json" if token else "text/html", **extra)
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{method} {path} answered {response.status_code} in process: {response.content[:300]!r}")
    return [query["sql"] for query in captured.captured_queries]


def count_booking_creation(client: dict) -> list[str]:
    """The queries of one POST /api/v1/bookings/ (its notifications wait for the relay, as in gunicorn)."""
    from django.contrib.contenttypes.models import ContentType

    from bookings.models import Booking

    # As in a server process that has served a booking before: the content type is cached.
    ContentType.objects.get_for_model(Booking)
    return in_process("POST", BOOKINGS_PATH, client["token"], booking_body(client["slots"][-1], 0))


def explain_list() -> str:
    """How PostgreSQL runs the bookings list's page query for the member."""
    from django.db import connection

    from accounts.models import User
    from bookings import selectors

    member = User.objects.get(email=MEMBER_EMAIL)
    query, params = selectors.visible_bookings(member).order_by("-start", "-pk")[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def plan_summary(plan: str) -> str:
    lines = [line.strip() for line in plan.splitlines()]
    execution = next((line for line in lines if line.startswith("Execution Time")), "")
    scan = "a sequential scan of bookings_booking" if "Seq Scan on bookings_booking" in plan else "no sequential scan"
    return f"{scan}; {execution}"


# --- Memory -------------------------------------------------------------------------------------------


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"No {field} for process {pid}")


def child_pids(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            children.append(int(entry.name))
    return sorted(children)


def enqueue_reminders(count: int) -> list[int]:
    """A due 24-hour reminder e-mail for ``count`` of the approved future bookings, handed to the broker."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from bookings.models import Booking
    from notifications import services
    from notifications.models import Notification

    bookings = list(
        Booking.objects.filter(status=Booking.Status.APPROVED, start__gt=timezone.now()).order_by("start")[:count]
    )
    booking_type = ContentType.objects.get_for_model(Booking)
    now = timezone.now()
    rows = Notification.objects.bulk_create(due_reminder_email(booking, booking_type, now) for booking in bookings)
    ids = [row.pk for row in rows]
    services.enqueue(ids)
    return ids


def measure_celery(var_dir: Path) -> dict:
    from django.db.models import Count

    from notifications.models import Notification

    # The booking runs left their notification tasks queued; this worker gets only the backlog below.
    empty_redis()
    ids = enqueue_reminders(CELERY_TASKS)
    log(f"celery: {len(ids)} send_notification tasks in Redis; starting a worker (--pool solo)")
    # Without the relay: this worker's work is the backlog above, not the booking runs' notifications.
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "NOTIFICATIONS_RELAY": "false",
        "DONGNAM_VAR_DIR": str(var_dir),
    }
    command = [sys.executable, "-m", "celery", "-A", "dongnam", "worker", "--pool", "solo", "--loglevel", "WARNING"]
    log_path = var_dir / "celery-worker.log"
    with log_path.open("w") as worker_log:
        process = subprocess.Popen(
            command, cwd=report.BASE_DIR, env=env, stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        began = time.perf_counter()
        pending = (Notification.Status.PENDING, Notification.Status.SENDING)
        while Notification.objects.filter(pk__in=ids, status__in=pending).exists():
            if process.poll() is not None:
                raise RuntimeError(
                    f"the Celery worker exited with {process.returncode}: {log_path.read_text()[-2000:]}"
                )
            if time.perf_counter() - began > CELERY_TIMEOUT_S:
                raise RuntimeError(f"the Celery worker did not deliver the backlog in {CELERY_TIMEOUT_S} s")
            time.sleep(0.25)
        seconds = time.perf_counter() - began
        rss, peak = rss_mb(process.pid), rss_mb(process.pid, "VmHWM")
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    statuses = dict(Notification.objects.filter(pk__in=ids).order_by().values_list("status").annotate(n=Count("pk")))
    log(f"celery: delivered in {seconds:.1f} s (from start), {statuses}; RSS {rss} MB, peak {peak} MB")
    return {"tasks": len(ids), "seconds": round(seconds, 1), "statuses": statuses, "rss_mb": rss, "hwm_mb": peak}


# --- Measurements -------------------------------------------------------------------------------------


def measure_sequential(size: int, port: int, member_token: str) -> dict:
    list_request = ("GET", BOOKINGS_PATH, None, headers(member_token))
    page_request = ("GET", SPACES_PAGE, None, headers(accept="text/html"))
    visible = json.loads(send_once(port, list_request))["count"]
    results = {}
    for key, request in (("bookings_api_list", list_request), ("space_list_page", page_request)):
        results[key] = sequential(port, request, SEQUENTIAL_REQUESTS, SEQUENTIAL_WARMUP)
        results[key]["load_avg_1m"] = round(os.getloadavg()[0], 2)
    results["bookings_api_list"]["sql"] = in_process("GET", BOOKINGS_PATH, member_token)
    results["space_list_page"]["sql"] = in_process("GET", SPACES_PAGE)
    for key in ("bookings_api_list", "space_list_page"):
        stats = results[key]
        log(
            f"{size:,} bookings: {key} p50 {stats['p50_ms']:.2f} / p95 {stats['p95_ms']:.2f} ms, "
            f"{len(stats['sql'])} queries (load {stats['load_avg_1m']:.2f})"
        )
    results["visible"] = visible
    return results


def send_once(port: int, request: tuple) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        _, status, payload = send(connection, request)
    finally:
        connection.close()
    if status != 200:
        raise RuntimeError(f"{request[0]} {request[1]} answered {status}: {payload[:300]!r}")
    return payload


def measure_load(port: int, clients: list[dict], floor_tokens: list[str]) -> dict:
    def post(client: dict, slot, number: int) -> tuple:
        request_headers = {**headers(client["token"]), "Content-Type": "application/json"}
        return ("POST", BOOKINGS_PATH, booking_body(slot, number), request_headers)

    def floor_run(label: str) -> dict:
        jobs = [[("GET", FLOOR_PATH, None, headers(token))] * FLOOR_PER_RUN for token in floor_tokens]
        result = concurrent(port, jobs, 200)
        log(f"load: {label} {result['throughput_rps']}/s, p95 {result['p95_ms']} ms")
        return result

    warm = WARMUP_BOOKINGS_PER_CLIENT
    warmup_jobs = [
        [("GET", FLOOR_PATH, None, headers(token))] * 10
        + [post(client, slot, n) for n, slot in enumerate(client["slots"][:warm])]
        for client, token in zip(clients, floor_tokens, strict=True)
    ]
    log(f"load: warming up ({CLIENTS} clients)")
    concurrent_mixed(port, warmup_jobs)
    log(
        f"load: {BOOKING_RUNS} runs of {CLIENTS} clients × {BOOKINGS_PER_RUN} POST {BOOKINGS_PATH}, each between "
        f"two floor runs of {CLIENTS} clients × {FLOOR_PER_RUN} GET {FLOOR_PATH}"
    )
    floors = [floor_run("floor")]
    booking_runs = []
    for run in range(BOOKING_RUNS):
        first = warm + run * BOOKINGS_PER_RUN
        jobs = [
            [post(client, slot, n) for n, slot in enumerate(client["slots"][first : first + BOOKINGS_PER_RUN], first)]
            for client in clients
        ]
        result = concurrent(port, jobs, 201)
        booking_runs.append(result)
        log(f"load: bookings {result['throughput_rps']}/s, p95 {result['p95_ms']} ms")
        floors.append(floor_run("floor"))
    return {"floors": floors, "booking_runs": booking_runs}


def concurrent_mixed(port: int, jobs: list[list[tuple]]) -> None:
    """Warm-up: GETs answer 200 and POSTs 201."""
    gets = [[request for request in job if request[0] == "GET"] for job in jobs]
    posts = [[request for request in job if request[0] == "POST"] for job in jobs]
    concurrent(port, gets, 200)
    concurrent(port, posts, 201)


def run_shares(load: dict) -> list[float]:
    """Each booking run's throughput as a share of the mean of the floor runs just before and after it."""
    floors = load["floors"]
    return [
        round(run["throughput_rps"] / ((floors[n]["throughput_rps"] + floors[n + 1]["throughput_rps"]) / 2), 3)
        for n, run in enumerate(load["booking_runs"])
    ]


def pooled(runs: list[dict]) -> dict:
    """Timings of several runs together; throughput is their requests over their time."""
    timings = [timing for run in runs for timing in run["timings_ms"]]
    return {
        **report.summarize(timings),
        "throughput_rps": round(len(timings) / sum(run["seconds"] for run in runs), 1),
        "seconds": round(sum(run["seconds"] for run in runs), 2),
        "load_avg_1m": round(statistics.fmean(run["load_avg_1m"] for run in runs), 2),
    }


# --- Report -------------------------------------------------------------------------------------------

WHAT = {
    "bookings_api_list": f"GET /api/v1/bookings/ as a member seeing {VISIBLE} bookings (gunicorn, sequential)",
    "space_list_page": "GET /spaces/ HTML, anonymous (gunicorn, sequential)",
    "floor": f"floor: GET /api/v1/notifications/ with an empty inbox, {CLIENTS} concurrent clients",
    "booking_create": f"POST /api/v1/bookings/, {CLIENTS} concurrent clients (ratio: share of the floor's req/s, "
    "median of the runs)",
}


def result_rows(sequential_results: dict, load: dict, web_rss: list[float], celery: dict, machine: dict) -> list[dict]:
    small, large = SIZES
    line = report.machine_line(machine)
    rows = []
    for size in SIZES:
        for key in ("bookings_api_list", "space_list_page"):
            stats = sequential_results[size][key]
            ratio = round(stats["p95_ms"] / sequential_results[small][key]["p95_ms"], 2) if size == large else None
            rows.append(
                {
                    "name": f"{BENCH_NAME}.{key}",
                    "what": WHAT[key],
                    "size": size,
                    "p50_ms": stats["p50_ms"],
                    "p95_ms": stats["p95_ms"],
                    "mean_ms": stats["mean_ms"],
                    "samples": stats["samples"],
                    "throughput_rps": stats["throughput_rps"],
                    "ratio": ratio,
                    "target": None,
                    "met": None,
                    "queries": len(stats["sql"]),
                    "visible_bookings": sequential_results[size]["visible"] if key == "bookings_api_list" else None,
                    "load_avg_1m": stats["load_avg_1m"],
                    "machine": line,
                }
            )
    floor = load["floor"]
    bookings = load["bookings"]
    share = load["share"]
    common = {"size": large, "machine": line, "clients": CLIENTS, "gunicorn_workers": GUNICORN_WORKERS}
    rows.append(
        {
            "name": f"{BENCH_NAME}.floor",
            "what": WHAT["floor"],
            **common,
            **{key: floor[key] for key in ("p50_ms", "p95_ms", "mean_ms", "samples", "throughput_rps")},
            "ratio": None,
            "target": None,
            "met": None,
            "runs_rps": [run["throughput_rps"] for run in load["floors"]],
            "queries": len(load["floor_sql"]),
            "load_avg_1m": floor["load_avg_1m"],
        }
    )
    rows.append(
        {
            "name": f"{BENCH_NAME}.booking_create",
            "what": WHAT["booking_create"],
            **common,
            **{key: bookings[key] for key in ("p50_ms", "p95_ms", "mean_ms", "samples", "throughput_rps")},
            "ratio": share,
            "target": f"≥ {FLOOR_SHARE_TARGET:.0%} of the framework floor",
            "met": share >= FLOOR_SHARE_TARGET,
            "runs_rps": [run["throughput_rps"] for run in load["booking_runs"]],
            "run_shares": load["run_shares"],
            "queries": len(load["booking_sql"]),
            "load_avg_1m": bookings["load_avg_1m"],
        }
    )
    rows.append(
        {
            "name": f"{BENCH_NAME}.gunicorn_worker_rss",
            "what": "gunicorn worker RSS after the load: " + ", ".join(f"{mb:g} MB" for mb in web_rss),
            **common,
            "p50_ms": None,
            "p95_ms": None,
            "throughput_rps": None,
            "ratio": None,
            "target": f"≤ {WEB_RSS_TARGET_MB} MB each",
            "met": max(web_rss) <= WEB_RSS_TARGET_MB,
            "rss_mb": max(web_rss),
            "rss_mb_each": web_rss,
        }
    )
    rows.append(
        {
            "name": f"{BENCH_NAME}.celery_worker_rss",
            "what": f"Celery worker (--pool solo) RSS after {celery['tasks']} notification tasks: "
            f"{celery['rss_mb']:g} MB",
            **common,
            "p50_ms": None,
            "p95_ms": None,
            "throughput_rps": round(celery["tasks"] / celery["seconds"], 1),
            "ratio": None,
            "target": f"≤ {CELERY_RSS_TARGET_MB} MB",
            "met": celery["rss_mb"] <= CELERY_RSS_TARGET_MB,
            "rss_mb": celery["rss_mb"],
            "peak_rss_mb": celery["hwm_mb"],
            "tasks": celery["tasks"],
            "statuses": celery["statuses"],
        }
    )
    return rows


def print_table(rows: list[dict]) -> None:
    header = f"{'what':<20} {'bookings':>9} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'queries':>7} {'ratio':>6}"
    header += f" {'RSS MB':>7}  {'target':<34} met"
    print()
    print(header)
    print("-" * len(header))
    for row in rows:

        def cell(key: str, fmt: str = ".2f", row: dict = row) -> str:
            return "—" if row.get(key) is None else format(row[key], fmt)

        met = "—" if row["met"] is None else ("yes" if row["met"] else "NO")
        print(
            f"{row['name'].removeprefix(BENCH_NAME + '.'):<20} {row['size']:>9,} {cell('p50_ms'):>8} "
            f"{cell('p95_ms'):>8} {cell('throughput_rps', '.1f'):>8} {cell('queries', 'd'):>7} {cell('ratio'):>6} "
            f"{cell('rss_mb', '.1f'):>7}  {row['target'] or '—':<34} {met}"
        )
    print()


def sql_list(statements: list[str]) -> str:
    return "\n".join(f"  - `{shorten(statement)}`" for statement in statements)


def docs_section(sequential_results: dict, load: dict, web_rss: list[float], celery: dict, machine: dict) -> str:
    small, large = SIZES
    floor, bookings = load["floor"], load["bookings"]
    list_sql = sequential_results[large]["bookings_api_list"]["sql"]
    page_sql = sequential_results[large]["space_list_page"]["sql"]
    loads = [
        sequential_results[size][key]["load_avg_1m"]
        for size in SIZES
        for key in ("bookings_api_list", "space_list_page")
    ]
    loads += [run["load_avg_1m"] for run in load["floors"] + load["booking_runs"]]
    statuses = ", ".join(f"{status} {count}" for status, count in sorted(celery["statuses"].items()))
    list_p50 = {size: sequential_results[size]["bookings_api_list"]["p50_ms"] for size in SIZES}
    floor_runs = ", ".join(f"{run['throughput_rps']:.1f}/s" for run in load["floors"])
    booking_runs = ", ".join(
        f"{run['throughput_rps']:.1f}/s ({share:.0%})"
        for run, share in zip(load["booking_runs"], load["run_shares"], strict=True)
    )
    return f"""
## HTTP load (`bench/http_load.py`)

The web layer end to end, set up as in production and served on loopback: gunicorn ({GUNICORN_WORKERS} sync
workers, `DEBUG=false`), PostgreSQL, and Redis as cache and Celery broker. A request that changes something
writes its notifications to the outbox table, whose trigger wakes the notification relay (a Celery worker
listening to PostgreSQL) at commit, so the request does not meet the broker; no Celery worker runs during the
web measurements (in production it has its own host), and e-mails are kept in memory.

- Data: the hall, people and generated bookings of the free-space benchmark (nearest to today first) at
  {small:,} and {large:,} bookings in the table, of which {VISIBLE} belong to one organization's room: the
  member measured sees {sequential_results[large]["visible"]} bookings (one page).
- Sequential: {SEQUENTIAL_REQUESTS} requests one at a time after {SEQUENTIAL_WARMUP} warm-up requests, for
  `GET /api/v1/bookings/` (token of the member) and the anonymous `GET /spaces/` HTML page. Queries of one
  request (`CaptureQueriesContext`, in process): bookings list {len(list_sql)} at {large:,} bookings
  ({len(sequential_results[small]["bookings_api_list"]["sql"])} at {small:,}); space list page {len(page_sql)}.
- Booking creation: {CLIENTS} client threads, each with its own connection, user, token and
  {SPACES_PER_CLIENT} rooms, POST one-hour slots (checked free and within the rules beforehand; every answer
  201), after {WARMUP_BOOKINGS_PER_CLIENT} warm-up bookings each. The floor is `GET /api/v1/notifications/`
  with an empty inbox by {CLIENTS} other users against the same server. Floor and booking runs alternate:
  {len(load["floors"])} floor runs of {CLIENTS} × {FLOOR_PER_RUN} requests ({floor_runs}) around
  {BOOKING_RUNS} booking runs of {CLIENTS} × {BOOKINGS_PER_RUN} bookings ({booking_runs}; in brackets each
  run's share of the mean of the floor runs just before and after it). Reported: the bookings of all runs
  together, {bookings["samples"]} in {bookings["seconds"]} s, {bookings["throughput_rps"]:.1f}/s, p95
  {bookings["p95_ms"]:.1f} ms; the floor's runs together, {floor["throughput_rps"]:.1f}/s; and as the *ratio*
  of the booking row the median of the runs' shares, {load["share"]:.0%} (target ≥ {FLOOR_SHARE_TARGET:.0%}).
  One booking request makes {len(load["booking_sql"])} queries (authentication, then in one transaction: the
  space read by its slug under its lock, with whether a closure overlaps and the booker's organizations in the
  same statement, the insert, the audit entry and the outbox rows; PostgreSQL's exclusion constraint refuses
  an overlap at the insert); one floor request makes
  {len(load["floor_sql"])}.
- Memory after the load: gunicorn workers {", ".join(f"{mb:g} MB" for mb in web_rss)} (VmRSS, target ≤
  {WEB_RSS_TARGET_MB} MB). A Celery worker (`celery -A dongnam worker --pool solo`, on the same Redis,
  without the relay: its work is the queued backlog, not the booking runs' notifications) started
  with {celery["tasks"]} due reminder e-mails queued delivered them in {celery["seconds"]} s from its start
  ({statuses}): VmRSS {celery["rss_mb"]:g} MB, peak {celery["hwm_mb"]:g} MB (target ≤ {CELERY_RSS_TARGET_MB} MB).
- Machine load: 1-minute load average {min(loads):.2f}–{max(loads):.2f} on {machine["cores"]} cores during
  the measurements (other work shares the machine; the benchmark's own clients run on it too).

Queries of one `POST /api/v1/bookings/`:
{sql_list(load["booking_sql"])}

Queries of one `GET /api/v1/bookings/` at {large:,} bookings:
{sql_list(list_sql)}

`selectors.visible_bookings` selects the bookings the member made, those of their organizations and those of
the facilities they manage, the last two as subqueries. `EXPLAIN ANALYZE` of its page query at {large:,}
bookings (the count query has the same shape): {plan_summary(load["list_plan"])}. The list's p50:
{list_p50[small]:.1f} ms at {small:,} and {list_p50[large]:.1f} ms at {large:,} bookings in the table, the
member seeing the same {VISIBLE}.

Rerun with `make bench`, or this benchmark alone with
`DJANGO_SETTINGS_MODULE=dongnam.settings DONGNAM_ENV=development python -m bench.http_load`.
"""


def main() -> None:
    url = database_url()
    var_dir = Path(tempfile.mkdtemp(prefix="dongnam-bench-http-"))
    try:
        run(url, var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run(url: str, var_dir: Path) -> None:
    configure_environment(var_dir)
    log(f"recreating database {urlsplit(url).path.lstrip('/')!r}")
    recreate_database(url)
    empty_redis()
    setup_django(url)

    from django.db import connection

    from hall.models import Facility

    rng = random.Random(SEED)
    people = build_hall(rng)
    log("building the slot plan in PostgreSQL")
    build_slot_plan(SIZES[-1])
    facility = Facility.objects.get(slug="innovation-town")
    member_token, _ = add_member_bookings(facility)
    clients, floor_tokens = add_clients(facility)
    log(
        f"{CLIENTS} booking clients with {SPACES_PER_CLIENT} rooms each, {CLIENTS} floor users, "
        f"a member seeing {VISIBLE} bookings"
    )

    sequential_results = {}
    filled = 0
    with Gunicorn(url) as server:
        log(f"gunicorn on 127.0.0.1:{server.port} ({GUNICORN_WORKERS} workers)")
        for size in SIZES:
            target = size - VISIBLE
            fill_bookings(low=filled + 1, high=target, people=people)
            filled = target
            if size == SIZES[-1]:
                drop_plan()
            vacuum_analyze()
            log(f"{count_bookings():,} bookings in the table")
            sequential_results[size] = measure_sequential(size, server.port, member_token)
        load = measure_load(server.port, clients, floor_tokens)
        web_rss = [rss_mb(pid) for pid in child_pids(server.process.pid)]
        log(f"gunicorn workers after the load: {web_rss} MB")
    load["floor"] = pooled(load["floors"])
    load["bookings"] = pooled(load["booking_runs"])
    load["run_shares"] = run_shares(load)
    load["share"] = statistics.median(load["run_shares"])
    log(f"load: booking throughput as a share of the floor, per run: {load['run_shares']}; median {load['share']}")
    load["floor_sql"] = in_process("GET", FLOOR_PATH, floor_tokens[0])
    load["booking_sql"] = count_booking_creation(clients[0])
    load["list_plan"] = explain_list()
    log(f"bookings list page query at {SIZES[-1]:,} bookings: {plan_summary(load['list_plan'])}")
    log(f"one booking request makes {len(load['booking_sql'])} queries, one floor request {len(load['floor_sql'])}")
    celery = measure_celery(var_dir)

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    machine = report.machine_info(version.split()[0])
    rows = result_rows(sequential_results, load, web_rss, celery, machine)
    merged = report.merge_results(rows)
    report.write_docs(
        name=BENCH_NAME,
        section=docs_section(sequential_results, load, web_rss, celery, machine),
        rows=merged,
        machine=machine,
    )
    print("\nqueries of one POST /api/v1/bookings/:")
    for statement in load["booking_sql"]:
        print(f"  {shorten(statement)}")
    print(f"machine: {report.machine_line(machine)}; load average now {os.getloadavg()[0]:.2f}")
    print_table(rows)
    print(
        f"results: {report.RESULTS_PATH.relative_to(report.BASE_DIR)}, {report.DOCS_PATH.relative_to(report.BASE_DIR)}"
    )
    if not all(row["met"] for row in rows if row["met"] is not None):
        print("Some targets are not met (see the table).")


if __name__ == "__main__":
    main()
