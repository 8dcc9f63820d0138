"""Records at scale, SQLite against PostgreSQL in the same run.

For each backend: write N fixture drills in batches (drills and rows per second), append events
one by one (latency of a durable append, p50/p95), and load the review data of all N drills in a
fresh process (wall and CPU seconds, peak resident memory above the process's baseline). Prints
each figure with the PostgreSQL / SQLite ratio.

    .venv/bin/python bench/records_scale.py                  # 10,000 drills
    .venv/bin/python bench/records_scale.py --drills 2000 --appends 200

PostgreSQL is the test server (ENTDRILL_TEST_POSTGRES_URL, default 127.0.0.1:5432 database
`test`), in a scratch schema dropped at the end. The SQLite file lives in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from entdrill.records import open_records
from entdrill.records.fixtures import make_drills
from entdrill.records.testing import postgres_unavailable, scratch_postgres


def write(url: str, drills: int) -> dict[str, float]:
    with open_records(url) as records:
        wall, cpu = time.perf_counter(), time.process_time()
        make_drills(records, drills, seed=1, keep=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows = sum(
            int(records.database.query_one(f"SELECT count(*) FROM {table}")[0])  # type: ignore[index]
            for table in (
                "drills",
                "events",
                "experiments",
                "channel_results",
                "ledger_entries",
                "findings",
            )
        )
    return {"write_s": wall, "write_cpu_s": cpu, "rows": rows, "rows_per_s": rows / wall}


def appends(url: str, count: int) -> dict[str, float]:
    with open_records(url) as records:
        drill = records.create_drill(
            plan_name="bench", plan_path="drills/bench.yaml", plan_digest="0" * 64, target="sandbox"
        )
        latencies = []
        for i in range(count):
            start = time.perf_counter()
            records.append_event(drill.id, "verify", "tick", {"i": i, "channel": "slack"})
            latencies.append(time.perf_counter() - start)
        assert records.verify_chain(drill.id).ok
    latencies.sort()
    return {
        "append_p50_ms": 1000 * statistics.median(latencies),
        "append_p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
    }


def load_in_child(url: str) -> dict[str, float]:
    """Run the review load in a fresh interpreter, so its peak memory is its own."""
    output = subprocess.run(
        [sys.executable, __file__, "--child-load", url],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def memory_mb(field: str) -> float:
    """A memory figure of this process from /proc (VmHWM, the peak, is reset by exec, unlike
    ru_maxrss, which a child inherits from the parent that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def child_load(url: str) -> None:
    with open_records(url) as records:
        baseline = memory_mb("VmRSS")
        wall, cpu = time.perf_counter(), time.process_time()
        data = records.load_review_data()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = memory_mb("VmHWM")
        print(
            json.dumps(
                {
                    "load_s": wall,
                    "load_cpu_s": cpu,
                    "load_peak_mb_above_baseline": peak - baseline,
                    "drills_loaded": len(data.drills),
                    "reach_rows": len(data.reach),
                }
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drills", type=int, default=10_000)
    parser.add_argument("--appends", type=int, default=300)
    parser.add_argument("--child-load", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_load:
        child_load(args.child_load)
        return
    if reason := postgres_unavailable():
        sys.exit(f"cannot compare: {reason}")
    results: dict[str, dict[str, Any]] = {}
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        urls = {
            "sqlite": f"sqlite:///{directory / 'records.db'}",
            "postgresql": stack.enter_context(scratch_postgres(prefix="entdrill_bench")),
        }
        for backend, url in urls.items():
            print(f"{backend}: writing {args.drills} drills...", file=sys.stderr, flush=True)
            results[backend] = write(url, args.drills)
            results[backend].update(load_in_child(url))
            results[backend].update(appends(url, args.appends))
    print(
        f"records at scale: {args.drills} drills, {args.appends} appends, load in a fresh process"
    )
    print(f"{'measure':34} {'sqlite':>12} {'postgresql':>12} {'pg/sqlite':>10}")
    for key in results["sqlite"]:
        lite, pg = results["sqlite"][key], results["postgresql"][key]
        ratio = f"{pg / lite:10.2f}" if lite else f"{'-':>10}"
        print(f"{key:34} {lite:12.2f} {pg:12.2f} {ratio}")


if __name__ == "__main__":
    main()
