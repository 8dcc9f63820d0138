"""``drill recover``: drills whose runner died are marked interrupted, and their faults reverted.

A drill still recorded ``running`` is judged by the pid and host of its runner: on this host,
the runner is alive when that pid runs a process started no later than the drill (a recycled pid
belongs to a younger process); a drill run on another host cannot be judged here and is left
alone, as is a live runner's drill. For a dead runner's drill:

1. its experiment processes (recorded at ``inject/experiment_started`` with their start time)
   are given time to end: they received SIGTERM when their runner died and their staging
   control is reverting their faults; any still there is then stopped;
2. the login storms started during the drill and still running are stopped;
3. every fault its processes left open, and any fault whose injecting process is gone, is
   reverted (:mod:`fault_guard`), and the sandbox checked back as configured;
4. the drill is marked ``interrupted``, with the reason, after a ``recover/...`` event saying what
   was done.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from entdrill.drill.fault_guard import Process, revert
from entdrill.flood import all_runs, stop_run
from entdrill.guard.killswitch import process_start_ticks
from entdrill.records import DrillRecord, Records

log = logging.getLogger(__name__)

CHILD_GRACE_S = 20.0


@dataclass
class Recovered:
    drill_id: str
    plan_name: str
    action: str  # "interrupted" or "left alone"
    reason: str
    faults: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.faults.get("ok", True))

    def to_dict(self) -> dict[str, Any]:
        return {
            "drill": self.drill_id,
            "plan": self.plan_name,
            "action": self.action,
            "reason": self.reason,
            "faults": self.faults,
        }


def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    raise OSError("no btime in /proc/stat")


def process_started_at(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), or None when it is gone."""
    ticks = process_start_ticks(pid)
    if ticks is None:
        return None
    try:
        return _boot_time() + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None


def runner_state(drill: DrillRecord, *, host: str | None = None) -> tuple[bool, str]:
    """(alive, why) for the runner of a running drill (see the module docstring)."""
    here = host or socket.gethostname()
    if drill.host and drill.host != here:
        return True, f"its runner ran on host {drill.host}, which cannot be checked from {here}"
    if drill.pid is None:
        return False, "no runner pid was recorded"
    started = process_started_at(drill.pid)
    if started is None:
        return False, f"its runner (pid {drill.pid} on {here}) is gone"
    if started > drill.started_at.timestamp() + 2.0:
        return False, f"its runner is gone (pid {drill.pid} now belongs to a younger process)"
    return True, f"its runner (pid {drill.pid}) is still running"


def _children(records: Records, drill_id: str) -> list[Process]:
    return [
        Process(int(e.data["pid"]), int(e.data.get("start_ticks") or 0))
        for e in records.events(drill_id)
        if (e.phase, e.kind) == ("inject", "experiment_started") and "pid" in e.data
    ]


def _alive(process: Process) -> bool:
    return process_start_ticks(process.pid) == process.start_ticks


def _end_children(children: list[Process], grace_s: float) -> list[int]:
    """Let the children end (they are reverting their faults), then stop them; pids stopped."""
    deadline = time.monotonic() + grace_s
    while any(_alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    stopped = []
    for signum, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        alive = [c for c in children if _alive(c)]
        for child in alive:
            try:
                os.kill(child.pid, signum)
                stopped.append(child.pid)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait_s
        while any(_alive(c) for c in alive) and time.monotonic() < deadline:
            time.sleep(0.05)
    return sorted(set(stopped))


def _stop_storms(since: datetime) -> list[str]:
    stopped = []
    for run in all_runs():
        if run.started_at >= since.timestamp() - 1 and run.alive():
            stop_run(run)
            stopped.append(run.run_id)
    return stopped


def recover_drill(
    records: Records, drill: DrillRecord, *, grace_s: float = CHILD_GRACE_S
) -> Recovered:
    """Recover one running drill if its runner is dead (see the module docstring)."""
    alive, why = runner_state(drill)
    if alive:
        return Recovered(drill.id, drill.plan_name, "left alone", why)
    children = _children(records, drill.id)
    stopped = _end_children(children, grace_s)
    storm_runs = _stop_storms(drill.started_at)
    report = revert(children, orphans=True)
    faults = {
        "ok": report.ok,
        "summary": report.summary(),
        "reverted": [{"id": r["id"], "kind": r["kind"]} for r in report.reverted],
        "failed": [{"id": f["id"], "kind": f["kind"], "error": f["error"]} for f in report.failed],
        "problems": list(report.problems),
    }
    records.append_event(
        drill.id,
        "recover",
        "dead_runner",
        {
            "why": why,
            "children_stopped": stopped,
            "storms_stopped": storm_runs,
            "faults": faults,
        },
    )
    records.mark_interrupted(drill.id, f"{why}; found by drill recover; {report.summary()}")
    return Recovered(drill.id, drill.plan_name, "interrupted", why, faults)


def recover_dead_drills(records: Records, *, grace_s: float = CHILD_GRACE_S) -> list[Recovered]:
    """Recover every running drill whose runner is dead; the others are left alone."""
    return [recover_drill(records, d, grace_s=grace_s) for d in records.running_drills()]
