"""How many logins per second the sandbox ENT sustains on this machine, and where it breaks.

Starts a sandbox (free ports, default login cost and replicas unless told), then offers the
``pupil-login`` journey (CAS form, POST, ticket, portal, homework page) at rising constant rates
with ``entdrill flood`` (open model: arrivals do not wait for the server). For each rate: arrivals
achieved, login p50/p95/max measured from the intended start, failures by cause. "Sustained" is
the highest rate whose login p95 stays under 1 s with under 1 % failures; "breaks" is the first
rate that does not. The flood runs on the same cores as the ENT: the figure is this machine's,
client included, and the load average is printed with it.

Run: ``.venv/bin/python bench/sandbox_capacity.py [--rates 10,20,40,...] [--seconds 10]``

``--search`` then runs ``entdrill capacity`` on the same sandbox, over the same range, with the
same objective (p95 under 1 s, under 1 % failures) and the same seconds per step, and prints its
knee next to this ladder's, with their ratio: the search is measured against the plain ladder
in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from entdrill.testing import free_config, running_sandbox

ENTDRILL = str(Path(sys.executable).with_name("entdrill"))
P95_LIMIT_MS = 1000.0
FAILURE_LIMIT = 0.01


def offer(status: dict, rate: float, seconds: float, workdir: Path) -> dict:
    report = workdir / f"rate-{rate:g}.json"
    done = subprocess.run(
        [ENTDRILL, "flood", "--target", status["ent_url"], "--scenario", "pupil-login",
         "--users", status["population_csv"], "--rate", str(rate), "--duration", str(seconds),
         "--processes", "1", "--report", str(report), "--timeout", "10"],
        env={**os.environ, "ENTDRILL_CONSENT_TOKEN": status["consent_token"]},
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode == 4:  # interrupted (docs/exit-codes.md)
        sys.exit("the flood was stopped by the kill switch (`entdrill stop`); run the bench again")
    if done.returncode != 0:
        sys.exit(f"entdrill flood failed at {rate:g}/s: {done.stderr.strip()}")
    data = json.loads(report.read_text())
    totals, scenario = data["totals"], data["scenarios"]["pupil-login"]
    login = scenario["login"]["latency_ms"]
    return {
        "rate": rate,
        "asked": totals["asked"],
        "achieved": totals["achieved"],
        "completed": totals["completed"],
        "failed": totals["failed"],
        "errors": data["errors"],
        "p50_ms": login.get("p50"),
        "p95_ms": login.get("p95"),
        "max_ms": login.get("max"),
    }


def search(status: dict, low: float, high: float, seconds: float, workdir: Path) -> dict:
    """``entdrill capacity`` over ``low`` to ``high`` logins/s with this bench's objective."""
    report = workdir / "capacity.json"
    done = subprocess.run(
        [ENTDRILL, "capacity", "--target", status["ent_url"], "--scenario", "pupil-login",
         "--users", status["population_csv"], "--from", str(low), "--to", str(high),
         "--factor", "1.25", "--refine", "3", "--step-s", str(seconds), "--pause-s", "1",
         "--p95-budget", str(P95_LIMIT_MS / 1000), "--max-errors", str(FAILURE_LIMIT),
         "--processes", "1", "--timeout", "10", "--report", str(report)],
        env={**os.environ, "ENTDRILL_CONSENT_TOKEN": status["consent_token"]},
        capture_output=True, text=True,
    )  # fmt: skip
    print(done.stdout, end="", flush=True)
    if done.returncode not in (0, 1):
        sys.exit(f"entdrill capacity failed (exit {done.returncode}): {done.stderr.strip()}")
    return json.loads(report.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="10,20,30,40,50,60,80,100,130")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--login-cost-ms", type=float, default=20.0)
    parser.add_argument("--search", action="store_true", help="also run entdrill capacity")
    args = parser.parse_args()
    config = free_config(
        replicas=args.replicas, login_cost_ms=args.login_cost_ms, pupils_per_school=120
    )
    rows: list[dict] = []
    offered = [float(r) for r in args.rates.split(",")]
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_sandbox(Path(tmp) / "sandbox", config) as status,
    ):
        for rate in offered:
            row = offer(status, rate, args.seconds, Path(tmp))
            failure = row["failed"] / max(1, row["asked"])
            row["held"] = (row["p95_ms"] or 1e9) < P95_LIMIT_MS and failure < FAILURE_LIMIT
            rows.append(row)
            print(
                f"{rate:6g}/s  achieved {row['achieved']:5d}/{row['asked']:<5d}  "
                f"p50 {row['p50_ms'] or 0:7.0f} ms  p95 {row['p95_ms'] or 0:7.0f} ms  "
                f"failed {row['failed']:4d} {row['errors'] or ''}  {'held' if row['held'] else 'BROKE'}",
                flush=True,
            )
            if not row["held"] and len(rows) > 1 and not rows[-2]["held"]:
                break  # two broken rates in a row: past the knee
        broke = [r["rate"] for r in rows if not r["held"]]
        held = [r["rate"] for r in rows if r["held"] and (not broke or r["rate"] < broke[0])]
        found = None
        if args.search:
            found = search(status, min(offered), max(offered), args.seconds, Path(tmp))
    summary = {
        "replicas": args.replicas,
        "login_cost_ms": args.login_cost_ms,
        "cores": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "sustained_logins_per_s": max(held) if held else None,
        "breaks_at_logins_per_s": min(broke) if broke else None,
        "rows": rows,
    }
    if found is not None:
        summary["capacity_search"] = {
            "outcome": found["outcome"],
            "sustained_logins_per_s": found["sustained_rate"],
            "breaks_at_logins_per_s": found["breaking_rate"],
            "steps": len(found["steps"]),
            "seconds": round(found["ended_at"] - found["started_at"], 1),
        }
        if found["sustained_rate"] and summary["sustained_logins_per_s"]:
            summary["search_over_ladder"] = round(
                found["sustained_rate"] / summary["sustained_logins_per_s"], 3
            )
    print(json.dumps({k: v for k, v in summary.items() if k != "rows"}, indent=2))


if __name__ == "__main__":
    main()
