"""The readiness review over many drills, SQLite against PostgreSQL, in the same run.

For each backend: ``entdrill review --out`` end to end, as a subprocess (interpreter start and
imports included): its wall time and its peak resident memory (``ru_maxrss`` of that child, from
``os.wait4``), each against the target (3 s, 150 MB: a ratio above 1 misses it). Then, each in a
fresh process so peak memory is its own, the stages of the review as the command runs them
(``load_review``: the period's data without its reach rows and the charted storms' series, while
the database starts folding the reach on connections of its own; the model, which waits for the
reach last; the HTML; the Markdown) and, as the peer, the records' own bulk load of everything
(``load_review_data`` with every reach row in memory). Prints wall and CPU seconds, peak
resident memory above the process's baseline, and ratios against the peer measured in the same
run.

    flock /tmp/entdrill-bench.lock .venv/bin/python bench/review_scale.py   # 10,000 drills
    .venv/bin/python bench/review_scale.py --drills 2000 --repeat 1 --no-cache

Fixtures (``entdrill.records.fixtures.make_drills``, seed 1) take minutes to write at 10,000
drills: they are kept between runs, the SQLite file under ``.entdrill/bench-cache/`` and the
PostgreSQL schema ``entdrill_bench_review_<N>`` of the test server (``ENTDRILL_TEST_POSTGRES_URL``),
unless ``--no-cache`` (then both are temporary).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from entdrill.records import open_records
from entdrill.records.fixtures import make_drills
from entdrill.records.testing import (
    postgres_test_url,
    postgres_unavailable,
    scratch_postgres,
    with_search_path,
)

SEED = 1
TARGET_S = 3.0
TARGET_MB = 150.0
ENTDRILL = str(Path(sys.executable).with_name("entdrill"))


def memory_mb(field: str) -> float:
    """A memory figure of this process from /proc (VmHWM, the peak, is reset by exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(mode: str, url: str) -> None:
    """One measure in this fresh process: ``load`` (the peer) or ``review`` (everything)."""
    from entdrill.review import build_review, load_review, render_html, render_markdown

    with open_records(url) as records:
        baseline = memory_mb("VmRSS")
        wall, cpu = time.perf_counter(), time.process_time()
        figures: dict[str, float] = {}
        if mode == "review":
            data, series, reach, _ = load_review(records, None, None)
            figures["load_s"] = time.perf_counter() - wall
            step = time.perf_counter()
            review = build_review(data, series, generated_at=datetime.now(UTC), reach=reach)
            figures["model_s"] = time.perf_counter() - step
            step = time.perf_counter()
            page = render_html(review)
            figures["html_s"] = time.perf_counter() - step
            step = time.perf_counter()
            text, files = render_markdown(review, "charts")
            figures["markdown_s"] = time.perf_counter() - step
            figures["html_kb"] = len(page.encode()) / 1024
            figures["markdown_kb"] = (
                len(text.encode()) + sum(len(s) for s in files.values())
            ) / 1024
            figures["drills"] = review.drills
        else:
            data = records.load_review_data()
            figures["load_s"] = time.perf_counter() - wall
            figures["drills"] = len(data.drills)
        figures["total_s"] = time.perf_counter() - wall
        figures["cpu_s"] = time.process_time() - cpu
        figures["peak_mb_above_baseline"] = memory_mb("VmHWM") - baseline
    print(json.dumps(figures))


def measure(mode: str, url: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, url],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def best_of(mode: str, url: str, repeat: int) -> dict[str, float]:
    """The run with the median total time of ``repeat`` runs."""
    runs = sorted((measure(mode, url) for _ in range(repeat)), key=lambda r: r["total_s"])
    return runs[len(runs) // 2]


def cli_run(url: str, workdir: Path) -> tuple[float, float]:
    """``entdrill review --out`` as a subprocess: (wall seconds, its peak RSS in MB)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [ENTDRILL, "review", "--db", url, "--out", str(workdir / "review.html")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "ENTDRILL_DB_URL": ""},
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"entdrill review failed ({process.returncode}): {errors}")
    return wall, usage.ru_maxrss / 1024  # kilobytes on Linux


def ensure_drills(url: str, drills: int) -> None:
    with open_records(url) as records:
        present = int(records.database.query_one("SELECT count(*) FROM drills")[0])  # type: ignore[index]
        if present == drills:
            return
        if present:
            raise SystemExit(
                f"{records.where} holds {present} drills, not {drills}: use --no-cache"
            )
        print(f"{records.where}: writing {drills} drills...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        make_drills(records, drills, seed=SEED, keep=False)
        print(f"  written in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


def cached_postgres(drills: int) -> str:
    import psycopg
    from psycopg import sql

    schema = f"entdrill_bench_review_{drills}"
    with psycopg.connect(postgres_test_url(), autocommit=True, connect_timeout=10) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    return with_search_path(postgres_test_url(), schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drills", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median kept)")
    parser.add_argument("--no-cache", action="store_true", help="temporary fixtures")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if reason := postgres_unavailable():
        sys.exit(f"cannot compare: {reason}")
    results: dict[str, dict[str, Any]] = {}
    load_before = os.getloadavg()[0]
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if args.no_cache:
            urls = {
                "sqlite": f"sqlite:///{work / 'records.db'}",
                "postgresql": stack.enter_context(scratch_postgres(prefix="entdrill_bench")),
            }
        else:
            cache = Path(".entdrill") / "bench-cache"
            cache.mkdir(parents=True, exist_ok=True)
            urls = {
                "sqlite": f"sqlite:///{(cache / f'review-{args.drills}-seed{SEED}.db').resolve()}",
                "postgresql": cached_postgres(args.drills),
            }
        for backend, url in urls.items():
            ensure_drills(url, args.drills)
            print(f"{backend}: measuring...", file=sys.stderr, flush=True)
            runs = sorted(cli_run(url, work) for _ in range(args.repeat))
            wall, rss = runs[len(runs) // 2][0], statistics.median(r[1] for r in runs)
            load = best_of("load", url, args.repeat)
            review = best_of("review", url, args.repeat)
            render = review["model_s"] + review["html_s"] + review["markdown_s"]
            results[backend] = {
                "entdrill review --out, wall s": wall,
                "  / target 3 s (ratio)": wall / TARGET_S,
                "entdrill review --out, peak RSS MB": rss,
                "  / target 150 MB (ratio)": rss / TARGET_MB,
                "peer: load_review_data, s": load["total_s"],
                "  peer CPU s": load["cpu_s"],
                "  peer peak MB above baseline": load["peak_mb_above_baseline"],
                "review: load_review (reach pending), s": review["load_s"],
                "review: model (reach awaited), s": review["model_s"],
                "review: HTML, s": review["html_s"],
                "review: Markdown + SVG files, s": review["markdown_s"],
                "review: whole, s": review["total_s"],
                "  review CPU s": review["cpu_s"],
                "  review peak MB above baseline": review["peak_mb_above_baseline"],
                "whole review / peer load (ratio)": review["total_s"] / load["total_s"],
                "review peak / peer peak (ratio)": review["peak_mb_above_baseline"]
                / load["peak_mb_above_baseline"],
                "model + rendering / its own load (ratio)": render / review["load_s"],
                "HTML page, KB": review["html_kb"],
            }
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"review at scale: {args.drills} drills, median of {args.repeat} runs, fresh processes; "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; "
        f"largest child {children.ru_maxrss / 1024:.0f} MB"
    )
    print(f"{'measure':40} {'sqlite':>11} {'postgresql':>11} {'pg/sqlite':>10}")
    for key in results["sqlite"]:
        lite, pg = results["sqlite"][key], results["postgresql"][key]
        ratio = f"{pg / lite:10.2f}" if lite else f"{'-':>10}"
        print(f"{key:40} {lite:11.2f} {pg:11.2f} {ratio}")


if __name__ == "__main__":
    main()
