"""How fast the sandbox's monitoring sees each fault: detection time, median of N runs.

Starts a sandbox with Prometheus and Alertmanager (2 s scrape and evaluation intervals), then
for each fault, N times: inject it (the same fault functions the experiments call), watch
Alertmanager's API v2 until a matching alert is listed, revert the fault, and wait until the
alert has resolved (so the next run starts clean). Per fault it prints the median of:

- ``detected_after_s``: the alert's ``startsAt`` minus the injection time (what a drill records);
- ``listed_after_s``: when the watch first saw it in Alertmanager (what a pager could act on);
- ``resolved_after_s``: from the revert to the alert leaving Alertmanager's list;

and, as the peer measured in the same run, each median over the bound the intervals set
(scrape + evaluation = 4 s): a ratio near 1 means the monitoring, not entdrill, is the limit.
A bridge API client runs throughout (10 requests a second), so error ratios have traffic.

    flock /tmp/entdrill-bench.lock .venv/bin/python bench/detection_times.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from entdrill.faults import servers, video
from entdrill.faults.ledger import Ledger
from entdrill.faults.recovery import recover
from entdrill.faults.target import SandboxTarget
from entdrill.monitoring.alerts import AlertWatch
from entdrill.monitoring.detection import Injection, detect
from entdrill.sandbox import bbb_checksum, monitoring_config
from entdrill.sandbox.status import status
from entdrill.sandbox.supervisor import Supervisor
from entdrill.testing import free_config

Fault = Callable[[SandboxTarget, Ledger], Any]
FAULTS: dict[str, tuple[str, str, Fault]] = {
    # name: (ledger kind, component, inject)
    "bridge_down": (
        "bridge_down",
        "bridge",
        lambda t, led: video.bridge_down(t, ledger=led),
    ),
    "bridge_errors": (
        "degrade_bridge",
        "bridge",
        lambda t, led: video.degrade_bridge(t, error_ratio=0.5, ledger=led),
    ),
    "kill_replica": (
        "kill_replica",
        "ent-2",
        lambda t, led: servers.kill_replicas(t, replica="ent-2", ledger=led),
    ),
    "hang_replica": (
        "hang_replica",
        "ent-2",
        lambda t, led: servers.hang_replicas(t, replica="ent-2", ledger=led),
    ),
    "lose_session_store": (
        "lose_session_store",
        "ent",
        lambda t, led: servers.lose_session_store(t, ledger=led),
    ),
}


def bridge_traffic(info: dict[str, Any], stop: threading.Event) -> None:
    """10 bridge API calls a second, so that a share of 500s is a ratio of something."""
    while not stop.wait(0.1):
        url = bbb_checksum.build_url(info["bridge_url"], "getMeetings", {}, info["bridge_secret"])
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                response.read()
        except OSError:
            pass


def wait_clear(watch: AlertWatch, timeout_s: float = 90.0) -> float:
    """Wait until Alertmanager lists no alert; the time it took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        seen, _ = watch.snapshot()
        if all(s.gone_at is not None for s in seen):
            return time.monotonic() - start
        time.sleep(0.25)
    raise SystemExit(f"alerts still firing after {timeout_s:g} s: {watch.snapshot()[0]}")


def one_run(name: str, target: SandboxTarget, watch: AlertWatch) -> dict[str, float | None]:
    kind, component, inject = FAULTS[name]
    ledger = Ledger()
    injected = time.time()
    inject(target, ledger)
    injection = Injection(name, kind, component, injected, None)
    listed: float | None = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        seen, gaps = watch.snapshot()
        found = detect(
            injection, seen, gaps, watched_from=watch.started_at, watched_until=time.time()
        )
        if found.status == "detected":
            match = [
                s for s in seen if s.alert.name == found.alert and s.alert.starts_at >= injected - 1
            ]
            listed = min(s.first_seen for s in match) - injected
            break
        time.sleep(0.1)
    undone = time.time()
    recover(ledger, select=lambda entry: True)
    wait_clear(watch)
    seen, gaps = watch.snapshot()
    injection = Injection(name, kind, component, injected, undone)
    final = detect(injection, seen, gaps, watched_from=watch.started_at, watched_until=time.time())
    return {
        "detected_after_s": final.detected_after_s,
        "listed_after_s": listed,
        "resolved_after_s": final.resolved_after_s,
    }


def median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if len(known) == len(values) and known else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--faults", default=",".join(FAULTS))
    args = parser.parse_args()
    missing = monitoring_config.missing("prometheus") or monitoring_config.missing("alertmanager")
    if missing:
        print(f"cannot measure: {missing}", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="entdrill-bench-detect-"))
    os.environ["ENTDRILL_HOME"] = str(home)
    supervisor = Supervisor(home / "sandbox")
    stop = threading.Event()
    try:
        supervisor.up(free_config(monitoring=True, pupils_per_school=20), timeout_s=90)
        info = status(supervisor)
        target = SandboxTarget(supervisor.directory)
        threading.Thread(target=bridge_traffic, args=(info, stop), daemon=True).start()
        watch = AlertWatch(info["alertmanager_url"], poll_s=0.2)
        watch.start()
        time.sleep(8)  # a few scrapes, so that rates have samples before the first fault
        wait_clear(watch)
        bound = monitoring_config.SCRAPE_INTERVAL_S + monitoring_config.EVALUATION_INTERVAL_S
        print(
            f"scrape interval {monitoring_config.SCRAPE_INTERVAL_S} s, evaluation interval "
            f"{monitoring_config.EVALUATION_INTERVAL_S} s (bound {bound} s); {args.runs} runs; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        print(f"{'fault':<20} {'detected_after_s':>17} {'/bound':>7} {'listed_after_s':>15} "
              f"{'resolved_after_s':>17}  runs")  # fmt: skip
        for name in args.faults.split(","):
            runs = [one_run(name, target, watch) for _ in range(args.runs)]
            row = {key: median([r[key] for r in runs]) for key in runs[0]}
            detected = row["detected_after_s"]
            ratio = f"{detected / bound:.2f}" if detected is not None else "-"
            shown = " ".join(
                f"{r['detected_after_s']:.1f}" if r["detected_after_s"] is not None else "none"
                for r in runs
            )
            print(
                f"{name:<20} {_f(detected):>17} {ratio:>7} {_f(row['listed_after_s']):>15} "
                f"{_f(row['resolved_after_s']):>17}  {shown}",
                flush=True,
            )
        watch.stop()
    finally:
        stop.set()
        supervisor.down()
    return 0


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    sys.exit(main())
