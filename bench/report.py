"""Shared by the benchmarks: statistics, the machine description, the results file and docs/benchmarks.md.

Every benchmark merges its rows into ``var/bench/results.json`` by ``name`` + ``size`` and owns one
section of ``docs/benchmarks.md`` (between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``), so
benchmarks can be run separately without erasing each other's results.
"""

import json
import os
import platform
import re
import statistics
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_PATH = BASE_DIR / "var" / "bench" / "results.json"
DOCS_PATH = BASE_DIR / "docs" / "benchmarks.md"


def summarize(samples_ms: list[float]) -> dict:
    """p50, p95 and mean of timings in milliseconds."""
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 3),
        "p95_ms": round(cuts[94], 3),
        "mean_ms": round(statistics.fmean(samples_ms), 3),
        "samples": len(samples_ms),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine_info(postgres_version: str) -> dict:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cores": cores,
        "cpu": _cpu_model(),
        "ram_gib": _ram_gib(),
        "postgresql": postgres_version,
        "python": platform.python_version(),
    }


def machine_line(machine: dict) -> str:
    return (
        f"{machine['cores']} cores (nproc), {machine['cpu']}, {machine['ram_gib']} GiB RAM, "
        f"PostgreSQL {machine['postgresql']}, Python {machine['python']}"
    )


def load_results(path: Path = RESULTS_PATH) -> list[dict]:
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    return data if isinstance(data, list) else []


def merge_results(rows: list[dict], path: Path = RESULTS_PATH) -> list[dict]:
    """Replace the entries with the same name and size, keep every other entry, write the file."""
    fresh = {(row["name"], row["size"]) for row in rows}
    merged = [row for row in load_results(path) if (row.get("name"), row.get("size")) not in fresh] + rows
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
    return merged


def _fmt(value, suffix: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:,.2f}{suffix}"
    return f"{value:,}{suffix}" if isinstance(value, int) else f"{value}{suffix}"


def results_table(rows: list[dict]) -> str:
    lines = [
        "| what | data size (bookings) | p50 | p95 | throughput | ratio (p95) | target | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        lines.append(
            "| {what} | {size} | {p50} | {p95} | {rps} | {ratio} | {target} | {met} |".format(
                what=row.get("what") or row["name"],
                size=_fmt(row.get("size")),
                p50=_fmt(row.get("p50_ms"), " ms"),
                p95=_fmt(row.get("p95_ms"), " ms"),
                rps=_fmt(row.get("throughput_rps"), "/s"),
                ratio=_fmt(row.get("ratio")),
                target=row.get("target") or "—",
                met=_fmt(row.get("met")),
            )
        )
    return "\n".join(lines)


_SECTION = re.compile(r"<!-- bench:(?P<name>[\w.-]+) -->\n.*?<!-- /bench:(?P=name) -->\n", re.DOTALL)


def write_docs(*, name: str, section: str, rows: list[dict], machine: dict, path: Path = DOCS_PATH) -> None:
    """Rewrite docs/benchmarks.md: the results of every benchmark, then each benchmark's own section."""
    sections = {}
    if path.exists():
        for match in _SECTION.finditer(path.read_text()):
            sections[match.group("name")] = match.group(0)
    sections[name] = f"<!-- bench:{name} -->\n{section.strip()}\n<!-- /bench:{name} -->\n"
    ordered = sorted(rows, key=lambda row: (row["name"], row.get("size") or 0))
    machines = {}
    for row in ordered:
        machines.setdefault(row.get("machine") or "unknown", []).append(row["name"].split(".")[0])
    machine_lines = [f"- {line}: {', '.join(dict.fromkeys(names))}" for line, names in machines.items()]
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            "Rerun with `make bench` (PostgreSQL on 127.0.0.1:5432 with trust authentication; "
            "`BENCH_DATABASE_URL=postgres://…/dongnam_bench make bench` points it elsewhere). "
            "Raw results: `var/bench/results.json`.",
            "",
            f"Last run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine_line(machine)}.",
            "",
            "## Results",
            "",
            results_table(ordered),
            "",
            "*ratio* is the p95 at the larger data size divided by the p95 at the smaller one.",
            "",
            "## Machines",
            "",
            *machine_lines,
            "",
            *(sections[key] for key in sorted(sections)),
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n")
