"""A running server recovers when PostgreSQL restarts under it.

The test runs its own throwaway PostgreSQL cluster on a free loopback port (the machine's server keeps
serving the rest of the suite), migrates the app into it, serves it with gunicorn, restarts the cluster
and checks that requests succeed again without restarting the app.
"""

import glob
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest
from django.conf import settings

pytestmark = [pytest.mark.load, pytest.mark.postgres]

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1] if glob.glob("/usr/lib/postgresql/*/bin") else ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(*command, **kwargs):
    # PostgreSQL refuses to run as root; the cluster belongs to the postgres system user.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60, **kwargs)


@pytest.fixture
def cluster():
    if not PG_BIN:
        pytest.fail("PostgreSQL's server binaries are missing (/usr/lib/postgresql/*/bin)")
    directory = tempfile.mkdtemp(prefix="dongnam-pg-")
    shutil.chown(directory, "postgres") if os.geteuid() == 0 else None
    data = os.path.join(directory, "data")
    port = _free_port()
    _as_postgres(f"{PG_BIN}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
    ctl = [f"{PG_BIN}/pg_ctl", "-D", data, "-w", "-o", f"-p {port} -k {directory} -c listen_addresses=127.0.0.1"]
    log = os.path.join(directory, "log")
    # The server writes to a log file: left on our pipes, it would keep them open after pg_ctl returns.
    _as_postgres(*ctl, "-l", log, "start")
    try:
        _as_postgres(f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "dongnam")
        yield {"port": port, "ctl": [*ctl, "-l", log], "url": f"postgres://postgres@127.0.0.1:{port}/dongnam"}
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *ctl, "-m", "immediate", "stop"]
            if os.geteuid() == 0
            else [*ctl, "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(directory, ignore_errors=True)


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        conn.close()


def test_requests_recover_after_postgresql_restarts(cluster):
    env = {
        **os.environ,
        "DONGNAM_ENV": "test",
        "DATABASE_URL": cluster["url"],
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    subprocess.run(
        [sys.executable, "manage.py", "seed_dongnam"], cwd=settings.BASE_DIR, env=env, check=True, timeout=120
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "dongnam.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while _get(port, "/api/v1/facilities/") != 200 and time.monotonic() < deadline:
            time.sleep(0.3)
        # Warm every worker's connection, so the restart breaks connections the app holds.
        before = [_get(port, "/api/v1/facilities/") for _ in range(10)]
        assert before == [200] * 10

        _as_postgres(*cluster["ctl"], "-m", "fast", "restart")

        statuses = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            statuses.append(_get(port, "/api/v1/facilities/"))
            if statuses[-3:] == [200, 200, 200]:
                break
            time.sleep(0.2)
        assert statuses[-3:] == [200, 200, 200], statuses
        # Once PostgreSQL is back, every request succeeds: no worker is left with a dead connection.
        after = [_get(port, path) for path in ("/api/v1/facilities/", "/api/v1/spaces/", "/") * 10]
        assert after == [200] * 30
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
