"""Benchmark of the reports at 10,000 and 1,000,000 bookings on PostgreSQL.

Run with ``make bench`` or::

    DJANGO_SETTINGS_MODULE=dongnam.settings DONGNAM_ENV=development python -m bench.reports

The hall, its 200 bookable spaces and the bookings are generated as for the free-space search
(``bench.free_space_search``), in a database of their own, ``dongnam_bench_reports`` (dropped and created
again on every run). The reports read money, no-shows and days that a booking spans, so this benchmark's
variant of the data adds them, in its own database only: most generated rooms charge by the hour, each
booking carries its fee and the reduction its organization earns (``bookings.fees``), past approved bookings
are paid and some were no-shows, paid cancellations are refunded by the facility's tiers, and some evening
bookings run past midnight.

Measured at each size:
- ``reports.services.build_usage`` for the year up to today (366 days, every space): into an empty table,
  then run again over its own rows; then two builds of the same window at once, each in its own thread and
  connection, whose rows are compared with a single build's (a checksum of every row);
- over random facility-years within the booked dates (the same ones at both sizes), after a warm-up and in
  rounds (a year's time is its fastest over the rounds, as in the other benchmarks): the utilization report
  (``selectors.utilization``), the whole report page's figures (``selectors.report``) and
  ``GET /api/v1/reports/utilization/`` in process (Django's test client, a manager's API token).
"""

import os
import threading
import time
from datetime import date, timedelta
from urllib.parse import urlsplit

from bench import free_space_search as data
from bench import report

BENCH_NAME = "reports"
BENCH_DB = "dongnam_bench_reports"
SIZES = data.SIZES
YEARS = 120
WARMUP = 12
ROUNDS = 5
RERUNS = 3
BUILD_DAYS = 366
SEED = 20261208

UTILIZATION_P95_TARGET_MS = 200.0
RATIO_TARGET = 3.0

# This benchmark's variant of the data (see the module's docstring).
CHARGED_ROOM_SHARE = 0.75
NO_SHOW_SHARE = 0.05
PAID_AHEAD_SHARE = 0.6
CANCELLED_PAID_SHARE = 0.5
OVERNIGHT_SHARE = 0.05
REFUNDED_AFTER_DAYS = 14

MANAGER_EMAIL = "manager.reports@bench.dongnam.example"
EXPLAIN_PATH = report.RESULTS_PATH.parent / f"{BENCH_NAME}_explain.txt"

log = data.log


def bench_url() -> str:
    parts = urlsplit(data.bench_database_url())
    return parts._replace(path=f"/{BENCH_DB}").geturl()


def today() -> date:
    from django.utils import timezone

    return timezone.now().astimezone(data.HALL_TZ).date()


# --- This benchmark's variant of the data ---------------------------------------------------------------


def charge_rooms(rng) -> int:
    """Give most generated rooms an hourly fee by their size (the demo rooms keep theirs)."""
    from hall.models import Space

    charged = []
    for space in Space.objects.filter(slug__startswith="bench-", fee=0).order_by("pk"):
        if rng.random() < CHARGED_ROOM_SHARE:
            space.fee = 5_000 * (1 + space.capacity // 20)
            charged.append(space)
    Space.objects.bulk_update(charged, ["fee"])
    return len(charged)


def add_manager():
    """A manager of every facility, with TOTP (as MANAGER_MFA_REQUIRED asks) and an API token."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.models import User
    from accounts.services import create_personal_token
    from hall.models import Facility

    manager = User.objects.create_user(email=MANAGER_EMAIL, password=None, name="벤치 관리자")
    for facility in Facility.objects.all():
        facility.managers.add(manager)
    TOTP.activate(manager, generate_totp_secret())
    _, token = create_personal_token(user=manager, name="bench")
    return manager, token


def build_price_table() -> None:
    """Each space's price for each organization (or none): its fee and unit, and the reduction the organization
    earns there by ``bookings.fees.reduction_for``; a small table the money of the bookings is computed from."""
    from django.db import connection

    from bookings import fees
    from hall.models import Space
    from tenants.models import Organization
    from tenants.selectors import is_hall_tenant

    organizations = [None, *Organization.objects.order_by("pk")]
    tenant = {org.pk: is_hall_tenant(org, today=today()) for org in organizations if org is not None}
    rows = []
    for space in Space.objects.filter(is_bookable=True).select_related("facility"):
        for org in organizations:
            percent, category = (0, "")
            if org is not None and space.fee:
                percent, category = fees.reduction_for(org, space.facility, is_tenant=tenant[org.pk])
            by_day = space.booking_unit == Space.BookingUnit.DAY
            rows.append((space.pk, org.pk if org else 0, space.facility_id, space.fee, by_day, percent, category))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_price")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_price (space_id bigint, organization_id bigint, facility_id bigint, "
            "unit_fee int, by_day boolean, percent int, category text, PRIMARY KEY (space_id, organization_id))"
        )
        cursor.executemany("INSERT INTO bench_price VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)


def add_overnight_bookings() -> int:
    """Let some evening bookings of the plan run past midnight (to 00:30–02:00), where the room's next
    planned booking starts later: the plan's bookings still never overlap."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH planned AS (
                SELECT rank, end_at,
                       lead(start_at) OVER (PARTITION BY space_id ORDER BY start_at) AS next_start,
                       (((start_at AT TIME ZONE 'Asia/Seoul')::date + 1)::timestamp
                        + make_interval(mins => 30 * (1 + mod(abs(hashtextextended(rank::text, 1)), 4)::int)))
                       AT TIME ZONE 'Asia/Seoul' AS overnight_end
                FROM bench_slot
            )
            UPDATE bench_slot AS s SET end_at = p.overnight_end
            FROM planned AS p
            WHERE s.rank = p.rank
              AND (p.end_at AT TIME ZONE 'Asia/Seoul')::time >= '20:00'
              AND mod(abs(hashtextextended(p.rank::text, 2)), 10000) < %(share)s
              AND (p.next_start IS NULL OR p.next_start >= p.overnight_end)
            """,
            {"share": int(OVERNIGHT_SHARE * 10000)},
        )
        return cursor.rowcount


def _refund_percent_sql(days_before: str) -> str:
    """Each facility's refund tiers (``bookings.fees.refund_percent``) as one CASE over ``days_before``."""
    from hall.models import Facility

    cases = []
    for facility in Facility.objects.order_by("pk"):
        tiers = sorted(facility.refund_tiers, key=lambda tier: tier[0], reverse=True)
        steps = " ".join(f"WHEN {days_before} >= {int(days)} THEN {int(percent)}" for days, percent in tiers)
        cases.append(f"WHEN {int(facility.pk)} THEN CASE {steps} ELSE 0 END")
    return f"CASE facility_id {' '.join(cases)} ELSE 0 END"


def _uniform(salt: int) -> str:
    """A number in [0, 1) fixed for each booking (its space and start), independent for each salt."""
    return (
        "mod(abs(hashtextextended(b.space_id::text || ':' || extract(epoch FROM b.start)::bigint::text, "
        f"{int(salt)})), 10000) / 10000.0"
    )


def add_money(*, after_id: int) -> int:
    """The fees, reductions, payments, refunds and no-shows of the bookings filled after ``after_id``, as the
    booking services would have written them (one UPDATE; the table is compacted afterwards)."""
    from django.db import connection
    from django.utils import timezone

    days_before = "((start AT TIME ZONE 'Asia/Seoul')::date - (cancelled_at AT TIME ZONE 'Asia/Seoul')::date)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH priced AS (
                SELECT b.id, b.start, b."end", b.created, b.cancelled_at, p.facility_id,
                       CASE WHEN b.status = 'approved' AND b."end" <= %(now)s AND {_uniform(3)} < %(no_show)s
                            THEN 'no_show' ELSE b.status END AS status,
                       CASE WHEN p.by_day
                            THEN p.unit_fee * ceil(extract(epoch FROM b."end" - b.start) / 86400)
                            ELSE round(p.unit_fee * extract(epoch FROM b."end" - b.start) / 3600)
                       END::int AS fee,
                       p.percent, p.category, {_uniform(4)} AS paid_draw,
                       (b."end" AT TIME ZONE 'Asia/Seoul')::date > (b.start AT TIME ZONE 'Asia/Seoul')::date
                           AS overnight
                FROM bookings_booking AS b
                JOIN bench_price AS p ON p.space_id = b.space_id AND p.organization_id = coalesce(b.organization_id, 0)
                WHERE b.id > %(after)s
            ), due AS (
                SELECT *,
                       CASE WHEN fee > 0 THEN percent ELSE 0 END AS reduction_percent,
                       CASE WHEN fee > 0 THEN category ELSE '' END AS reduction_category,
                       CASE WHEN fee > 0 THEN floor(fee * (100 - percent) / 100.0)::int ELSE 0 END AS amount_due
                FROM priced
            ), paid AS (
                SELECT *,
                       amount_due > 0 AND CASE
                           WHEN status IN ('approved', 'no_show') AND start <= %(now)s THEN true
                           WHEN status = 'approved' THEN paid_draw < %(paid_ahead)s
                           WHEN status = 'cancelled' THEN paid_draw < %(cancelled_paid)s
                           ELSE false
                       END AS was_paid,
                       CASE WHEN status = 'cancelled'
                            THEN floor(amount_due * ({_refund_percent_sql(days_before)}) / 100.0)::int
                       END AS refund
                FROM due
            )
            UPDATE bookings_booking AS b SET
                status = m.status,
                fee = m.fee,
                reduction_percent = m.reduction_percent,
                reduction_category = m.reduction_category,
                amount_due = m.amount_due,
                payment_status = CASE
                    WHEN m.was_paid AND m.status = 'cancelled' AND m.refund > 0 THEN
                        CASE WHEN m.cancelled_at < %(now)s - make_interval(days => %(refunded_after)s)
                             THEN 'refunded' ELSE 'refund_due' END
                    WHEN m.was_paid THEN 'paid'
                    WHEN m.amount_due > 0 AND m.status IN ('pending', 'approved', 'no_show') THEN 'unpaid'
                    ELSE 'not_required'
                END,
                payment_deadline = CASE WHEN NOT m.was_paid AND m.amount_due > 0
                                        AND m.status IN ('pending', 'approved', 'no_show')
                                        THEN least(m.start, m.created + interval '7 days') END,
                paid_at = CASE WHEN m.was_paid THEN least(m.created + interval '1 day', m.start) END,
                refund_amount = CASE WHEN m.was_paid AND m.status = 'cancelled' AND m.refund > 0 THEN m.refund END,
                refunded_at = CASE WHEN m.was_paid AND m.status = 'cancelled' AND m.refund > 0
                                   AND m.cancelled_at < %(now)s - make_interval(days => %(refunded_after)s)
                                   THEN m.cancelled_at + interval '3 days' END,
                override_reason = CASE WHEN m.overnight THEN '야간 행사 (관리자 허용)' ELSE b.override_reason END
            FROM paid AS m
            WHERE b.id = m.id
            """,
            {
                "after": after_id,
                "now": timezone.now(),
                "no_show": NO_SHOW_SHARE,
                "paid_ahead": PAID_AHEAD_SHARE,
                "cancelled_paid": CANCELLED_PAID_SHARE,
                "refunded_after": REFUNDED_AFTER_DAYS,
            },
        )
        return cursor.rowcount


def compact_bookings() -> None:
    """Rewrite the bookings table and its indexes after the UPDATE, as a fresh load would have left them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM FULL bookings_booking")
    data.vacuum_analyze()


def last_booking_id() -> int:
    from django.db.models import Max

    from bookings.models import Booking

    return Booking.objects.aggregate(last=Max("pk"))["last"] or 0


def booked_span(largest: int) -> tuple[date, date]:
    """The first and last local days of the plan's bookings at the largest size."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min((start_at AT TIME ZONE 'Asia/Seoul')::date), max((end_at AT TIME ZONE 'Asia/Seoul')::date) "
            "FROM bench_slot WHERE rank <= %s",
            [largest],
        )
        return cursor.fetchone()


def data_mix() -> dict:
    """What the bookings hold: statuses, payments, reductions, refunds and the bookings across midnight."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE status = 'approved'),
                   count(*) FILTER (WHERE status = 'no_show'),
                   count(*) FILTER (WHERE status = 'cancelled'),
                   count(*) FILTER (WHERE status = 'pending'),
                   count(*) FILTER (WHERE status = 'rejected'),
                   count(*) FILTER (WHERE payment_status IN ('paid', 'refund_due', 'refunded')),
                   coalesce(sum(amount_due) FILTER (WHERE payment_status IN ('paid', 'refund_due', 'refunded')), 0),
                   count(*) FILTER (WHERE payment_status = 'unpaid'),
                   count(*) FILTER (WHERE refund_amount > 0),
                   coalesce(sum(refund_amount), 0),
                   count(*) FILTER (WHERE reduction_percent > 0),
                   count(*) FILTER (WHERE ("end" AT TIME ZONE 'Asia/Seoul')::date
                                          > (start AT TIME ZONE 'Asia/Seoul')::date)
            FROM bookings_booking
            """
        )
        values = cursor.fetchone()
    keys = (
        "bookings",
        "approved",
        "no_show",
        "cancelled",
        "pending",
        "rejected",
        "paid",
        "paid_won",
        "unpaid",
        "refunded",
        "refunded_won",
        "reduced",
        "across_midnight",
    )
    return dict(zip(keys, (int(value) for value in values), strict=True))


# --- Building the figures ----------------------------------------------------------------------------------

CHECKSUM_EXCLUDED = ("id", "built_at")


def checksum(first: date, last: date) -> tuple[int, str]:
    """The number of rows of the window and an md5 over every figure of every row, in (space, day) order."""
    from django.db import connection

    from reports.models import SpaceDay

    columns = [field.column for field in SpaceDay._meta.concrete_fields if field.column not in CHECKSUM_EXCLUDED]
    quote = connection.ops.quote_name
    row = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), md5(string_agg(concat_ws(',', {row}), ';' ORDER BY space_id, day)) "
            "FROM reports_spaceday WHERE day BETWEEN %s AND %s",
            [first, last],
        )
        count, digest = cursor.fetchone()
    return count, digest


def timed_build(first: date, last: date) -> tuple[float, int]:
    from reports import services

    began = time.perf_counter()
    rows = services.build_usage(first=first, last=last)
    return time.perf_counter() - began, rows


def build_phases(first: date, last: date) -> dict:
    """The time of each statement of a build on its own (what the rest of the build adds is Python and the
    upsert): the closures, the counts and money per day, the minutes per hour."""
    from reports import services
    from reports.services import _midnight

    start, end = _midnight(first), _midnight(last + timedelta(days=1))
    from hall.models import Space

    spaces = list(Space.objects.select_related("facility").order_by("pk"))
    phases = {}
    for name, call in (
        ("closures", lambda: services._closed_minutes(spaces, start, end)),
        ("day_counts", lambda: services._day_counts(None, start, end)),
        ("booked_minutes", lambda: services._booked_minutes(None, start, end)),
    ):
        began = time.perf_counter()
        call()
        phases[name] = round(time.perf_counter() - began, 2)
    return phases


def concurrent_builds(first: date, last: date) -> dict:
    """Two builds of the same window at once, each in its own thread and database connection, into a window
    emptied first (so both insert the same keys); their rows are then compared by checksum."""
    from django.db import connection, connections

    from reports import services

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_spaceday WHERE day BETWEEN %s AND %s", [first, last])
    barrier = threading.Barrier(2)
    results, errors = [], []

    def build() -> None:
        try:
            barrier.wait()
            began = time.perf_counter()
            rows = services.build_usage(first=first, last=last)
            results.append((time.perf_counter() - began, rows))
        except Exception as error:  # reported below: a failed build is the result
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=build) for _ in range(2)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "seconds": round(time.perf_counter() - began, 2),
        "each_seconds": [round(seconds, 2) for seconds, _ in results],
        "rows_written": [rows for _, rows in results],
        "errors": errors,
    }


def build_span(first: date, last: date) -> float:
    """Every day of the span, a year at a time (the nightly task's size), outside the year just measured."""
    from reports import services

    began = time.perf_counter()
    day = first
    while day <= last:
        chunk_last = min(last, day + timedelta(days=BUILD_DAYS - 1))
        services.build_usage(first=day, last=chunk_last)
        day = chunk_last + timedelta(days=1)
    return time.perf_counter() - began


def measure_builds(size: int, year: tuple[date, date], span: tuple[date, date]) -> dict:
    from django.db import connection

    from hall.models import Space

    first, last = year
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reports_spaceday")
    seconds, rows = timed_build(first, last)
    log(f"{size:,} bookings: first build of {first}–{last}: {rows:,} rows in {seconds:.2f} s")
    reruns = []
    for number in range(1, RERUNS + 1):
        rerun_seconds, rerun_rows = timed_build(first, last)
        reruns.append(rerun_seconds)
        log(f"re-run {number}/{RERUNS}: {rerun_rows:,} rows in {rerun_seconds:.2f} s (load {os.getloadavg()[0]:.2f})")
    single = checksum(first, last)
    phases = build_phases(first, last)
    log(f"statements alone: {phases}")
    together = concurrent_builds(first, last)
    both = checksum(first, last)
    expected = Space.objects.count() * ((last - first).days + 1)
    same = not together["errors"] and both == single and single[0] == expected
    log(
        f"two builds at once: {together['seconds']:.2f} s (each {together['each_seconds']}); rows {both[0]:,}, "
        f"checksum {both[1]} vs one build's {single[1]}: {'same' if same else 'DIFFERENT'} {together['errors'] or ''}"
    )
    span_seconds = build_span(span[0], first - timedelta(days=1)) + build_span(last + timedelta(days=1), span[1])
    log(f"the rest of {span[0]}–{span[1]} built in {span_seconds:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_spaceday")
        cursor.execute("SELECT count(*) FROM reports_spaceday")
        (table_rows,) = cursor.fetchone()
    return {
        "first_build_s": round(seconds, 3),
        "rows": rows,
        "rerun_s": [round(value, 3) for value in reruns],
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "phases": phases,
        "concurrent": {**together, "checksum": both[1], "rows": both[0]},
        "single_checksum": single[1],
        "same_rows": same,
        "span_s": round(span_seconds, 1),
        "table_rows": table_rows,
    }


# --- Reading the reports -----------------------------------------------------------------------------------


def pick_years(rng, span: tuple[date, date], count: int) -> list[tuple[int, date]]:
    """(facility id, first day) of distinct facility-years inside the span."""
    from hall.models import Facility

    facility_ids = list(Facility.objects.order_by("position").values_list("pk", flat=True))
    latest_first = span[1] - timedelta(days=365)
    starts = [span[0] + timedelta(days=offset) for offset in range((latest_first - span[0]).days + 1)]
    return rng.sample([(facility, first) for facility in facility_ids for first in starts], count)


def year_end(first: date) -> date:
    try:
        return first.replace(year=first.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return first + timedelta(days=365)


class Calls:
    """The three ways of reading a facility-year that are timed."""

    def __init__(self, token: str):
        from django.test import Client

        from hall.models import Facility

        self.slugs = dict(Facility.objects.values_list("pk", "slug"))
        self.client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")

    @staticmethod
    def utilization(facility_id: int, first: date):
        from reports import selectors

        return selectors.utilization(facility_ids=[facility_id], first=first, last=year_end(first))

    @staticmethod
    def report(facility_id: int, first: date):
        from reports import selectors

        return selectors.report(facility_ids=[facility_id], first=first, last=year_end(first))

    def api_path(self, facility_id: int, first: date) -> str:
        return (
            f"/api/v1/reports/utilization/?facility={self.slugs[facility_id]}"
            f"&from={first.isoformat()}&to={year_end(first).isoformat()}"
        )

    def api(self, facility_id: int, first: date):
        response = self.client.get(self.api_path(facility_id, first))
        if response.status_code != 200:
            raise RuntimeError(f"The API answered {response.status_code}: {response.content[:300]!r}")
        return response


def count_queries(calls: Calls, facility_id: int, first: date) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counted = {}
    for key in ("utilization", "report", "api"):
        with CaptureQueriesContext(connection) as captured:
            getattr(calls, key)(facility_id, first)
        counted[key] = [query["sql"] for query in captured.captured_queries]
    return counted


def check_api(calls: Calls, facility_id: int, first: date) -> None:
    """The API's rows are the selector's."""
    usage = calls.utilization(facility_id, first)
    answered = calls.api(facility_id, first).json()
    expected = [(row.key, row.booked_hours, row.bookings, row.revenue) for row in usage.spaces]
    got = [(row["space"], row["booked_hours"], row["bookings"], row["revenue"]) for row in answered["results"]]
    if got != expected or not answered["complete"]:
        raise RuntimeError("The API and selectors.utilization disagree about a facility-year.")


def measure_reads(size: int, years: list[tuple[int, date]], token: str) -> dict:
    from django.test.utils import override_settings

    warmup, timed = years[:WARMUP], years[WARMUP:]
    with override_settings(ALLOWED_HOSTS=["127.0.0.1", "testserver"]):
        calls = Calls(token)
        check_api(calls, *timed[0])
        keys = ("utilization", "report", "api")
        for pick in warmup:
            for key in keys:
                getattr(calls, key)(*pick)
        rounds = {key: [] for key in keys}
        loads = []
        for number in range(1, ROUNDS + 1):
            for key in keys:
                rounds[key].append(data.time_round(getattr(calls, key), timed))
            loads.append(os.getloadavg()[0])
            log(
                f"round {number}/{ROUNDS} (load {loads[-1]:.2f}): "
                + ", ".join(
                    f"{key} p50 {report.summarize(rounds[key][-1][0])['p50_ms']:.2f} / "
                    f"p95 {report.summarize(rounds[key][-1][0])['p95_ms']:.2f} ms"
                    for key in keys
                )
            )
        queries = count_queries(calls, *timed[0])
        totals = [calls.utilization(*pick).total for pick in timed]
    results = {key: data.combine_rounds(samples) for key, samples in rounds.items()}
    results["queries"] = queries
    results["load_avg_1m"] = round(sum(loads) / len(loads), 2)
    results["booked_hours"] = (min(total.booked_hours for total in totals), max(total.booked_hours for total in totals))
    results["bookings"] = (min(total.bookings for total in totals), max(total.bookings for total in totals))
    return results


def explain(statement: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
        return "\n".join(row[0] for row in cursor.fetchall())


def explain_build(first: date, last: date) -> dict[str, str]:
    """The plans of the two statements of a build that read the bookings."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports import services
    from reports.services import _midnight

    start, end = _midnight(first), _midnight(last + timedelta(days=1))
    plans = {}
    for name, call in (("day_counts", services._day_counts), ("booked_minutes", services._booked_minutes)):
        with CaptureQueriesContext(connection) as captured:
            call(None, start, end)
        plans[name] = explain(captured.captured_queries[-1]["sql"])
    return plans


def execution_ms(plan: str) -> float | None:
    for line in plan.splitlines():
        if line.strip().startswith("Execution Time:"):
            return float(line.split(":")[1].split()[0])
    return None


def plan_summary(plan: str) -> str:
    uses_index = "space_day_unique" in plan
    return (
        f"uses the unique (space_id, day) index space_day_unique: {'yes' if uses_index else 'NO'}; "
        f"Execution Time: {execution_ms(plan)} ms; Buffers: {data.plan_buffers(plan)}"
    )


# --- Report ------------------------------------------------------------------------------------------------

WHAT = {
    "utilization": "utilization report, one facility × one year: selectors.utilization (in process)",
    "report": "the report page's figures, one facility × one year: selectors.report, 5 parts (in process)",
    "api": "GET /api/v1/reports/utilization/?facility&from&to, one year, a manager's token (in process)",
    "build_year": "build_usage, 366 days × every space, into an empty table (one run; p50 = its time)",
    "build_rerun": f"build_usage again over its own rows, 366 days × every space ({RERUNS} runs)",
    "build_concurrent": "two build_usage of the same 366 days at once, own connections: rows = one build's",
}


def result_rows(measured: dict[int, dict], machine: dict) -> list[dict]:
    small, large = SIZES
    rows = []
    same_queries = {
        key: len({len(measured[size]["reads"]["queries"][key]) for size in SIZES}) == 1
        for key in ("utilization", "report", "api")
    }
    for size in SIZES:
        reads = measured[size]["reads"]
        builds = measured[size]["builds"]
        for key in ("utilization", "report", "api"):
            stats = reads[key]
            ratio = round(stats["p95_ms"] / measured[small]["reads"][key]["p95_ms"], 2) if size == large else None
            target, met = None, None
            if size == large and key == "utilization":
                target = f"p95 ≤ {UTILIZATION_P95_TARGET_MS:g} ms, ratio ≤ {RATIO_TARGET:g}, same queries"
                met = bool(stats["p95_ms"] <= UTILIZATION_P95_TARGET_MS and ratio <= RATIO_TARGET and same_queries[key])
            rows.append(
                {
                    "name": f"{BENCH_NAME}.{key}",
                    "what": WHAT[key],
                    "size": size,
                    "p50_ms": stats["p50_ms"],
                    "p95_ms": stats["p95_ms"],
                    "mean_ms": stats["mean_ms"],
                    "samples": stats["samples"],
                    "all_calls_p95_ms": stats["all_calls_p95_ms"],
                    "throughput_rps": None,
                    "ratio": ratio,
                    "target": target,
                    "met": met,
                    "queries": len(reads["queries"][key]),
                    "load_avg_1m": reads["load_avg_1m"],
                    "machine": report.machine_line(machine),
                }
            )
        first_ms = builds["first_build_s"] * 1000
        rerun = report.summarize([seconds * 1000 for seconds in builds["rerun_s"]])
        concurrent = builds["concurrent"]
        for key, p50, p95, samples in (
            ("build_year", first_ms, None, 1),
            ("build_rerun", rerun["p50_ms"], rerun["p95_ms"], rerun["samples"]),
            ("build_concurrent", concurrent["seconds"] * 1000, None, 1),
        ):
            rows.append(
                {
                    "name": f"{BENCH_NAME}.{key}",
                    "what": WHAT[key],
                    "size": size,
                    "p50_ms": round(p50, 1),
                    "p95_ms": round(p95, 1) if p95 is not None else None,
                    "samples": samples,
                    # Rows of figures written per second (by one build).
                    "throughput_rps": None if key == "build_concurrent" else round(builds["rows"] / (p50 / 1000), 1),
                    "ratio": None,
                    "target": "same rows as one build" if key == "build_concurrent" else None,
                    "met": builds["same_rows"] if key == "build_concurrent" else None,
                    "rows": builds["rows"],
                    "phases_s": builds["phases"] if key == "build_rerun" else None,
                    "load_avg_1m": builds["load_avg_1m"],
                    "machine": report.machine_line(machine),
                }
            )
    return rows


def shorten(statement: str, width: int = 100) -> str:
    return data.shorten(statement, width)


def docs_section(measured: dict[int, dict], mix: dict, span, plan: str, machine: dict) -> str:
    small, large = SIZES
    reads = {size: measured[size]["reads"] for size in SIZES}
    builds = {size: measured[size]["builds"] for size in SIZES}

    def counts(key: str) -> str:
        numbers = [len(reads[size]["queries"][key]) for size in SIZES]
        if len(set(numbers)) == 1:
            return f"{numbers[0]} at both sizes"
        return " and ".join(f"{number} at {size:,} bookings" for number, size in zip(numbers, SIZES, strict=True))

    def build_line(size: int) -> str:
        build = builds[size]
        phases = build["phases"]
        reruns = ", ".join(f"{seconds:.1f}" for seconds in build["rerun_s"])
        return (
            f"  - {size:,} bookings: {build['first_build_s']:.1f} s into an empty table, again {reruns} s; "
            f"the statements alone: closures {phases['closures']:.2f} s, counts and money per day "
            f"{phases['day_counts']:.2f} s, minutes per hour {phases['booked_minutes']:.2f} s (the rest is "
            f"making the {build['rows']:,} rows in Python and the upsert); two at once "
            f"{build['concurrent']['seconds']:.1f} s, rows {'the same' if build['same_rows'] else '**different**'} "
            f"(md5 `{build['concurrent']['checksum']}`, {build['concurrent']['rows']:,} rows)"
        )

    api_sql = "\n".join(f"  - `{shorten(statement)}`" for statement in reads[large]["queries"]["api"])
    report_sql = "\n".join(f"  - `{shorten(statement)}`" for statement in reads[large]["queries"]["report"])
    mix_text = (
        f"approved {mix['approved']:,}, no-shows {mix['no_show']:,}, cancelled {mix['cancelled']:,}, "
        f"pending {mix['pending']:,}, rejected {mix['rejected']:,}; paid {mix['paid']:,} "
        f"(₩{mix['paid_won']:,}), unpaid {mix['unpaid']:,}, refunds {mix['refunded']:,} "
        f"(₩{mix['refunded_won']:,}), reductions {mix['reduced']:,}, across midnight {mix['across_midnight']:,}"
    )
    return f"""
## Reports (`bench/reports.py`)

The managers' reports read day-by-day figures (`reports.SpaceDay`, one row per space and day) that
`reports.services.build_usage` computes from the bookings in SQL and a Celery task rebuilds every night; a
report adds up a facility's rows for its period, whatever the number of bookings.

- Data: as the free-space search ({data.TOTAL_SPACES} bookable spaces, bookings back to back within the
  opening hours), in its own database, with money and no-shows: {CHARGED_ROOM_SHARE:.0%} of the generated rooms
  charge by the hour, each booking its fee less the reduction its organization earns (`bookings.fees`); past
  approved bookings are paid and {NO_SHOW_SHARE:.0%} of the ended ones were no-shows; {PAID_AHEAD_SHARE:.0%} of
  the coming approved ones are paid; {CANCELLED_PAID_SHARE:.0%} of the cancelled ones had paid and got the refund
  of their facility's tiers; some evening bookings run to 00:30–02:00. At {large:,} bookings: {mix_text}.
- Building: `build_usage` for the 366 days up to today, every space ({builds[large]["rows"]:,} rows), first
  into an empty table, then {RERUNS} times again over its own rows; then the window is emptied and two builds
  run at once (two threads, each with its own connection), and their rows are compared with a single build's
  by an md5 of every figure of every row (`built_at` left out). Then the rest of {span[0]}–{span[1]} is built a
  year at a time, so that the reports read the same {builds[large]["table_rows"]:,} rows at both sizes.
{build_line(small)}
{build_line(large)}
- Reading: {YEARS} random facility-years (a facility, a first day, 366 or
  365 days) within those dates, the same at both sizes, after {WARMUP} warm-up years; {ROUNDS} rounds, each
  timing the three one after the other; a year's time is its fastest over the rounds, and p50/p95 are over the
  years (the p95 of every call is kept as `all_calls_p95_ms`). A year holds
  {reads[small]["bookings"][0]:,}–{reads[small]["bookings"][1]:,} bookings at {small:,} and
  {reads[large]["bookings"][0]:,}–{reads[large]["bookings"][1]:,} at {large:,}. The API runs in process
  (Django's test client, all middleware) for a manager of every facility with TOTP, by API token.
- Queries (`CaptureQueriesContext`): `selectors.utilization` {counts("utilization")}; `selectors.report`
  {counts("report")}:
{report_sql}

  one API call {counts("api")}:
{api_sql}
- Target (the issue's): the utilization report's p95 ≤ {UTILIZATION_P95_TARGET_MS:g} ms at {large:,} bookings,
  p95 at {large:,} / p95 at {small:,} ≤ {RATIO_TARGET:g}, the same number of queries at both sizes; two builds
  at once write the rows of one.
- Machine load (1-minute load average, {machine["cores"]} cores): during the reads
  {", ".join(f"{reads[size]['load_avg_1m']:.2f} at {size:,} bookings" for size in SIZES)}; after the builds
  {", ".join(f"{builds[size]['load_avg_1m']:.2f} at {size:,}" for size in SIZES)}.

`EXPLAIN (ANALYZE, BUFFERS)` of the utilization query at {large:,} bookings, one facility-year
({plan_summary(plan)}):

```
{plan}
```
"""


def print_table(rows: list[dict]) -> None:
    header = f"{'what':<18} {'bookings':>10} {'p50 ms':>10} {'p95 ms':>10} {'ratio':>6} {'queries':>7}  target, met"
    print()
    print(header)
    print("-" * len(header))
    for row in rows:
        p95 = f"{row['p95_ms']:.2f}" if row["p95_ms"] is not None else "—"
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "—"
        met = "—" if row["met"] is None else ("yes" if row["met"] else "NO")
        print(
            f"{row['name'].removeprefix(BENCH_NAME + '.'):<18} {row['size']:>10,} {row['p50_ms']:>10.2f} {p95:>10} "
            f"{ratio:>6} {row.get('queries', '—')!s:>7}  {row['target'] or '—'}, {met}"
        )
    print()


def main() -> None:
    import random

    url = bench_url()
    log(f"recreating database {BENCH_DB!r}")
    data.recreate_database(url)
    data.setup_django(url)

    from django.db import connection

    rng = random.Random(SEED)
    people = data.build_hall(rng)
    log(f"charging rooms: {charge_rooms(rng)} generated rooms now charge by the hour")
    _, token = add_manager()
    build_price_table()
    available = data.build_slot_plan(SIZES[-1])
    log(f"slot plan: {available:,} candidate bookings; {add_overnight_bookings():,} run past midnight")
    span = booked_span(SIZES[-1])
    year = (today() - timedelta(days=BUILD_DAYS - 1), today())
    years = pick_years(rng, span, YEARS + WARMUP)
    log(f"booked days at {SIZES[-1]:,} bookings: {span[0]}–{span[1]}; the year built: {year[0]}–{year[1]}")

    measured = {}
    filled = 0
    plan, build_plans = "", {}
    for size in SIZES:
        log(f"filling bookings {filled + 1:,}–{size:,}")
        after = last_booking_id()
        data.fill_bookings(low=filled + 1, high=size, people=people)
        filled = size
        log(f"money, no-shows and refunds of {add_money(after_id=after):,} bookings; compacting")
        if size == SIZES[-1]:
            data.drop_plan()
        compact_bookings()
        log(f"{size:,} bookings: {data_mix()}")
        builds = measure_builds(size, year, span)
        reads = measure_reads(size, years, token)
        measured[size] = {"builds": builds, "reads": reads}
        if size == SIZES[-1]:
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                Calls.utilization(*years[WARMUP])
            plan = explain(captured.captured_queries[-1]["sql"])
            build_plans = explain_build(*year)
    mix = data_mix()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_price")

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    machine = report.machine_info(version.split()[0])
    rows = result_rows(measured, machine)
    EXPLAIN_PATH.parent.mkdir(parents=True, exist_ok=True)
    EXPLAIN_PATH.write_text(
        f"-- utilization, one facility-year, {SIZES[-1]:,} bookings\n{plan}\n\n"
        + "\n\n".join(f"-- build_usage {name}, {year[0]}–{year[1]}\n{text}" for name, text in build_plans.items())
        + "\n"
    )
    merged = report.merge_results(rows)
    report.write_docs(
        name=BENCH_NAME, section=docs_section(measured, mix, span, plan, machine), rows=merged, machine=machine
    )

    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the utilization query at {SIZES[-1]:,} bookings:\n{plan}\n")
    print(plan_summary(plan))
    for name, text in build_plans.items():
        print(f"build_usage {name} at {SIZES[-1]:,} bookings: Execution Time {execution_ms(text)} ms")
    for size in SIZES:
        builds = measured[size]["builds"]
        errors = "; ".join(builds["concurrent"]["errors"])
        print(
            f"{size:,} bookings: two builds at once give the rows of one: {'yes' if builds['same_rows'] else 'NO'} "
            f"({builds['concurrent']['rows']:,} rows, md5 {builds['concurrent']['checksum']} vs "
            f"{builds['single_checksum']}){' errors: ' + errors if errors else ''}"
        )
    print(f"data at {SIZES[-1]:,}: {mix}")
    print(f"machine: {report.machine_line(machine)}; load average now {os.getloadavg()}")
    print_table(rows)
    print(f"results: var/bench/results.json, docs/benchmarks.md; plans: {EXPLAIN_PATH.relative_to(data.BASE_DIR)}")
    if not all(row["met"] for row in rows if row["met"] is not None):
        print("Some targets are not met (see the table).")


if __name__ == "__main__":
    main()
