"""Benchmark of the rooms × time grid at 10,000 and 1,000,000 bookings on PostgreSQL.

Run with ``make bench`` or::

    DJANGO_SETTINGS_MODULE=dongnam.settings DONGNAM_ENV=development python -m bench.schedule

The data is built as for the free-space search (``bench.free_space_search``: the demo hall plus generated rooms,
200 bookable spaces in the 4 facilities, bookings back to back within opening hours), in its own database
``dongnam_bench_schedule`` (dropped and created again on every run).

Measured at each size, after a warm-up, over random weeks within the booked dates:
- the service: the managers' week of the Social Economy Innovation Town, all its rooms (``build_schedule`` over
  7 days, titles shown as to a manager), the rooms' query included;
- over HTTP, one request at a time from gunicorn: the finder's grid of the same facility for one day
  (``/spaces/schedule/``, as a visitor sees it).
Each week counts with its fastest time over the rounds, as in the search benchmark.
"""

import os
import random
import time
from datetime import date, timedelta
from urllib.parse import urlsplit

from bench import free_space_search as data
from bench import report

BENCH_NAME = "schedule"
BENCH_DB = "dongnam_bench_schedule"
SIZES = data.SIZES
FACILITY = "innovation-town"
WEEKS = 60
WARMUP = 10
ROUNDS = 5
SEED = 20261207

SERVICE_P95_TARGET_MS = 25.0
RATIO_TARGET = 1.5

log = data.log


def bench_url() -> str:
    parts = urlsplit(data.bench_database_url())
    return parts._replace(path=f"/{BENCH_DB}").geturl()


def pick_weeks(rng: random.Random, count: int) -> list[date]:
    """Mondays of the weeks that hold booked dates."""
    from django.db.models import Max, Min

    from bookings.models import Booking

    bounds = Booking.objects.aggregate(first=Min("start"), last=Max("end"))
    first = bounds["first"].astimezone(data.HALL_TZ).date() + timedelta(days=1)
    last = bounds["last"].astimezone(data.HALL_TZ).date() - timedelta(days=1)
    monday = first - timedelta(days=first.weekday())
    mondays = []
    while monday <= last:
        mondays.append(monday)
        monday += timedelta(days=7)
    # At 10,000 bookings the booked dates are a few days around today: their one or two weeks are repeated.
    return rng.choices(mondays, k=count)


class Week:
    def __init__(self):
        from accounts.models import User
        from hall.models import Facility

        self.facility = Facility.objects.get(slug=FACILITY)
        # A superuser manages every facility: the grid shows titles and organizations, as to a manager.
        self.manager = User.objects.filter(is_superuser=True).first()

    def service(self, monday: date):
        from bookings.schedule import build_schedule

        spaces = list(self.facility.spaces.select_related("facility__building").order_by("floor", "slug"))
        return build_schedule(spaces=spaces, first_day=monday, days=7, user=self.manager)


def grid_path(day: date) -> str:
    return f"/spaces/schedule/?facility={FACILITY}&date={day.isoformat()}"


def time_calls(call, days) -> list[float]:
    samples = []
    for day in days:
        began = time.perf_counter()
        call(day)
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def fastest(rounds: list[list[float]]) -> dict:
    best = [min(times) for times in zip(*rounds, strict=True)]
    every = [sample for samples in rounds for sample in samples]
    return {**report.summarize(best), "all_calls_p95_ms": report.summarize(every)["p95_ms"]}


def measure(size: int, rng: random.Random, server) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    week = Week()
    mondays = pick_weeks(rng, WEEKS + WARMUP)
    warmup, timed = mondays[:WARMUP], mondays[WARMUP:]
    days = [monday + timedelta(days=rng.randint(0, 5)) for monday in timed]
    blocks = [sum(len(lane.blocks) for row in week.service(monday).rows for lane in row.lanes) for monday in timed]
    log(
        f"{size:,} bookings: {len(timed)} weeks from {min(timed)} to {max(timed)}, "
        f"{len(week.service(timed[0]).rows)} rooms, {min(blocks)}–{max(blocks)} blocks a week"
    )
    for monday in warmup:
        week.service(monday)
        data.http_get(server.port, grid_path(monday))
    rounds = {"service": [], "http_day": []}
    loads = []
    for number in range(1, ROUNDS + 1):
        rounds["service"].append(time_calls(week.service, timed))
        rounds["http_day"].append(time_calls(lambda day: data.http_get(server.port, grid_path(day)), days))
        loads.append(os.getloadavg()[0])
        log(
            f"round {number}/{ROUNDS} (load {loads[-1]:.2f}): "
            + ", ".join(
                f"{key} p50 {report.summarize(samples[-1])['p50_ms']:.2f} / "
                f"p95 {report.summarize(samples[-1])['p95_ms']:.2f} ms"
                for key, samples in rounds.items()
            )
        )
    with CaptureQueriesContext(connection) as queries:
        week.service(timed[0])
    results = {key: fastest(samples) for key, samples in rounds.items()}
    results["queries"] = len(queries)
    results["blocks"] = (min(blocks), max(blocks))
    results["load_avg_1m"] = round(sum(loads) / len(loads), 2)
    return results


WHAT = {
    "service": "managers' week: build_schedule, all rooms of a facility × 7 days (rooms' query included)",
    "http_day": "GET /spaces/schedule/?facility&date, a facility's day for a visitor (gunicorn, sequential)",
}


def result_rows(measured: dict[int, dict], machine: dict) -> list[dict]:
    small, large = SIZES
    rows = []
    for size in SIZES:
        for key in ("service", "http_day"):
            stats = measured[size][key]
            ratio = round(stats["p95_ms"] / measured[small][key]["p95_ms"], 2) if size == large else None
            target, met = None, None
            if size == large and key == "service":
                target = f"p95 ≤ {SERVICE_P95_TARGET_MS:g} ms, ratio ≤ {RATIO_TARGET:g}"
                met = stats["p95_ms"] <= SERVICE_P95_TARGET_MS and ratio <= RATIO_TARGET
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
                    "queries": measured[size]["queries"],
                    "load_avg_1m": measured[size]["load_avg_1m"],
                    "machine": report.machine_line(machine),
                }
            )
    return rows


def docs_section(measured: dict[int, dict], machine: dict) -> str:
    small, large = SIZES
    blocks = {size: "–".join(str(n) for n in measured[size]["blocks"]) for size in SIZES}
    queries = {size: measured[size]["queries"] for size in SIZES}
    return f"""
## The rooms × time grid (`bench/schedule.py`)

What a manager opens on `/manage/calendar/?view=week` and a visitor on `/spaces/schedule/`: every room of the
Social Economy Innovation Town, each booking a block of its true length, closures, shut hours, the past and
the free times to book.

- Data: as the free-space search ({data.TOTAL_SPACES} bookable spaces, bookings back to back within the opening
  hours), in its own database. The week's blocks per facility: {blocks[small]} at {small:,}
  bookings, {blocks[large]} at {large:,}.
- Method: {WEEKS} random weeks within the booked dates after {WARMUP} warm-up weeks, {ROUNDS} rounds; a week's
  time is its fastest over the rounds. The service runs in the benchmark process as a superuser (titles and
  organizations shown); the page is requested one at a time from gunicorn ({data.GUNICORN_WORKERS} workers).
- Queries of the service: {queries[small]} at {small:,} bookings and {queries[large]} at {large:,}
  (the rooms, the reader's organizations and facilities, the bookings of the week, its closures).
- Target: the service's p95 ≤ {SERVICE_P95_TARGET_MS:g} ms at {large:,} bookings and its p95 ratio
  {large:,} / {small:,} ≤ {RATIO_TARGET:g}.
- Machine load (1-minute load average during the rounds, {machine["cores"]} cores):
  {", ".join(f"{measured[size]['load_avg_1m']:.2f} at {size:,} bookings" for size in SIZES)}.
"""


def main() -> None:
    url = bench_url()
    log(f"recreating database {BENCH_DB!r}")
    data.recreate_database(url)
    data.setup_django(url)

    from django.db import connection

    rng = random.Random(SEED)
    people = data.build_hall(rng)
    available = data.build_slot_plan(SIZES[-1])
    log(f"slot plan: {available:,} candidate bookings")
    measured = {}
    filled = 0
    with data.Gunicorn(url) as server:
        for size in SIZES:
            log(f"filling bookings {filled + 1:,}–{size:,}")
            data.fill_bookings(low=filled + 1, high=size, people=people)
            filled = size
            if size == SIZES[-1]:
                data.drop_plan()
            data.vacuum_analyze()
            measured[size] = measure(size, rng, server)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    machine = report.machine_info(version.split()[0])
    rows = result_rows(measured, machine)
    merged = report.merge_results(rows)
    report.write_docs(name=BENCH_NAME, section=docs_section(measured, machine), rows=merged, machine=machine)
    print()
    for row in rows:
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "—"
        met = "—" if row["met"] is None else ("yes" if row["met"] else "NO")
        print(
            f"{row['name']:<18} {row['size']:>10,} p50 {row['p50_ms']:8.2f} ms  p95 {row['p95_ms']:8.2f} ms  "
            f"ratio {ratio:>5}  queries {row['queries']}  target {row['target'] or '—'}  met {met}"
        )
    print(f"machine: {report.machine_line(machine)}")
    if not all(row["met"] for row in rows if row["met"] is not None):
        print("Some targets are not met (see the table).")


if __name__ == "__main__":
    main()
