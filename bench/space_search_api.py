"""In-process timing of the free-room search API: GET /api/v1/spaces/?available_from&available_to&page_size=200.

The request goes through django.test.Client (the whole middleware stack, no server), on PostgreSQL with the
data of ``bench.free_space_search`` (the demo hall, 200 bookable rooms, generated bookings)::

    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/dongnam_bench_x python -m bench.space_search_api --build 10000
    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/dongnam_bench_x python -m bench.space_search_api --dump out.jsonl

``--build N`` drops and creates the database (its name must contain "bench") and fills N bookings; without
it, the database is migrated and measured as it is, so two versions of the code can be timed on the same
rows. ``--dump`` writes each window's response body, one per line, to compare the answers of two versions.

Two sets of 2-hour windows on working days: within the booked dates (few rooms free), and past the last
booking (every room open then is free: the largest answer, as in ``../shared/peers/``).
"""

import argparse
import json
import random
import statistics
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from urllib.parse import urlsplit

from bench import free_space_search as data

SEED = 20261207
WINDOWS = 200
ROUNDS = 3


def build(url: str, bookings: int) -> None:
    data.recreate_database(url)
    data.setup_django(url)
    rng = random.Random(data.SEED)
    people = data.build_hall(rng)
    data.log("building the slot plan")
    data.build_slot_plan(bookings)
    data.log(f"filling {bookings:,} bookings")
    data.fill_bookings(low=1, high=bookings, people=people)
    data.drop_plan()
    data.vacuum_analyze()


def free_windows(rng: random.Random, count: int) -> list[tuple[datetime, datetime]]:
    """Windows starting 09:00–20:00 on working days 100–160 days ahead, after every generated booking."""
    from bookings.rules import holiday_name

    today = datetime.now(data.HALL_TZ).date()
    days = [today + timedelta(days=n) for n in range(100, 161)]
    days = [day for day in days if day.weekday() < 5 and holiday_name(day) is None]
    starts = rng.sample([(day, minute) for day in days for minute in range(9 * 60, 20 * 60 + 1, 5)], count)
    return [
        (start, start + data.WINDOW_LENGTH)
        for start in (datetime.combine(day, dtime(0), tzinfo=data.HALL_TZ) + timedelta(minutes=m) for day, m in starts)
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", type=int, metavar="BOOKINGS")
    parser.add_argument("--dump", metavar="PATH")
    parser.add_argument("--windows", type=int, default=WINDOWS)
    arguments = parser.parse_args()

    url = data.bench_database_url()
    if arguments.build:
        build(url, arguments.build)
    else:
        data.setup_django(url)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)

    from django.db import connection
    from django.test import Client

    from bookings.models import Booking

    client = Client()
    print(f"database {urlsplit(url).path.lstrip('/')}: {Booking.objects.count():,} bookings")
    sets = {
        "booked": data.search_windows(random.Random(SEED), arguments.windows),
        "free": free_windows(random.Random(SEED), arguments.windows),
    }
    for name, windows in sets.items():
        bodies = measure(client, connection, [data.api_path(start, end) for start, end in windows], name)
        if arguments.dump:
            with open(f"{arguments.dump}.{name}", "wb") as out:
                for body in bodies:
                    out.write(body + b"\n")


def measure(client, connection, paths: list[str], name: str) -> list[bytes]:
    for path in paths[:20]:
        assert client.get(path).status_code == 200

    best, every, sql, bodies, statements = [], [], [], [], []
    for path in paths:
        samples = []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.content[:300]
        best.append(min(samples))
        every.extend(samples)
        bodies.append(response.content)

        spent = []

        def timed(execute, statement, params, many, context, spent=spent):
            began = time.perf_counter()
            try:
                return execute(statement, params, many, context)
            finally:
                spent.append((time.perf_counter() - began) * 1000)

        with connection.execute_wrapper(timed):
            client.get(path)
        sql.append(sum(spent))
        statements.append(len(spent))

    free = [json.loads(body)["count"] for body in bodies]
    print(f"{name} windows ({len(paths)}): free rooms per window median {statistics.median(free)}, max {max(free)}")
    print(
        f"  in-process (best of {ROUNDS} per window): p50 {percentile(best, 0.5):.1f} ms, "
        f"p95 {percentile(best, 0.95):.1f} ms; every request p50 {percentile(every, 0.5):.1f} ms, "
        f"p95 {percentile(every, 0.95):.1f} ms"
    )
    print(
        f"  SQL per request: p50 {percentile(sql, 0.5):.1f} ms in {statistics.median(statements):.0f} statements "
        f"(max {max(statements)})"
    )
    return bodies


if __name__ == "__main__":
    main()
