"""Storms running in the background, by run id: what the Chaos Toolkit activities start and stop.

A run is an ``entdrill flood`` process group started detached, so the storm has its own
processes (and cores) and never starves the probes of the experiment that started it. Its record
(``$ENTDRILL_HOME/floods/<run id>.json``) names the pid, its start time, the report file and the
log; the guard's pre-flight checks run here, before anything starts, so a refusal is the
caller's error and not a line in a log.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from entdrill import child_options, paths
from entdrill.errors import InvalidArgument
from entdrill.flood import plan as plan_module
from entdrill.flood import report as report_module
from entdrill.flood import tolerance
from entdrill.flood.runner import guard
from entdrill.guard import consent, killswitch


@dataclass
class Run:
    run_id: str
    pid: int
    start_ticks: int
    report_path: str
    log_path: str
    started_at: float
    target: str

    def alive(self) -> bool:
        return killswitch.process_start_ticks(self.pid) == self.start_ticks

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def runs_dir() -> Path:
    return paths.ensure_private_dir(paths.home() / "floods")


def start(options: plan_module.FloodOptions, token: str, *, bridge_secret: str = "") -> Run:
    """Check ``options`` and the guard, then start the storm in the background."""
    if bridge_secret:
        os.environ.setdefault(plan_module.BRIDGE_SECRET_ENV, bridge_secret)
    plan = plan_module.build(options)
    guard(plan, token)
    run_id = time.strftime("storm-%Y%m%d-%H%M%S-") + secrets.token_hex(3)
    directory = runs_dir()
    report_path = directory / f"{run_id}.report.json"
    log_path = directory / f"{run_id}.log"
    env = dict(os.environ)
    env[consent.ENV] = token
    if bridge_secret:
        env[plan_module.BRIDGE_SECRET_ENV] = bridge_secret
    child_options.hand_over(env, options.to_argv())  # (not argv: a URL may hold a password)
    argv = [sys.executable, "-m", "entdrill.cli.flood"]
    argv += ["--processes", str(plan.processes), "--report", str(report_path)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    run = Run(
        run_id=run_id,
        pid=process.pid,
        start_ticks=killswitch.process_start_ticks(process.pid) or 0,
        report_path=str(report_path),
        log_path=str(log_path),
        started_at=time.time(),
        target=plan.target,
    )
    (directory / f"{run_id}.json").write_text(json.dumps(run.to_dict()))
    return run


def find(run_id: str = "") -> Run:
    """The run called ``run_id``, or the latest one."""
    directory = runs_dir()
    if run_id:
        path = directory / f"{run_id}.json"
        if not path.exists():
            raise InvalidArgument(f"no login storm with run id {run_id!r} in {directory}")
    else:
        records = sorted(directory.glob("storm-*[0-9a-f].json"))
        if not records:
            raise InvalidArgument(f"no login storm has been started here ({directory})")
        path = records[-1]
    return Run(**json.loads(path.read_text()))


def all_runs() -> list[Run]:
    return [
        Run(**json.loads(p.read_text())) for p in sorted(runs_dir().glob("storm-*[0-9a-f].json"))
    ]


def stop(run: Run, *, wait_s: float = 10.0) -> dict[str, Any]:
    """SIGTERM the storm's processes (its whole process group) and wait for it to write its report."""
    was_running = run.alive()
    if was_running:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(run.pid, signal.SIGTERM)
        deadline = time.monotonic() + wait_s
        while run.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
    return {"run_id": run.run_id, "was_running": was_running, "running": run.alive()}


def wait(run: Run, timeout_s: float) -> bool:
    """Wait for the storm to end; True when it has."""
    deadline = time.monotonic() + timeout_s
    while run.alive():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def result(
    run: Run,
    *,
    with_histograms: bool = False,
    max_failed_percent: float = 1.0,
    max_login_p95_s: float = 2.0,
) -> dict[str, Any]:
    """The storm's report (histograms left out unless asked), with its headline, run id and
    verdict against the tolerance (:func:`entdrill.flood.tolerance.judge`)."""
    path = Path(run.report_path)
    if not path.exists():
        raise InvalidArgument(
            f"the storm {run.run_id} left no report at {path}; see its log {run.log_path}"
        )
    report = report_module.read(path)
    headline = report_module.headline(report)
    verdict = tolerance.judge(
        report,
        headline,
        max_failed_percent=_limit("max_failed_percent", max_failed_percent, 100.0),
        max_login_p95_s=_limit("max_login_p95_s", max_login_p95_s, math.inf),
    )
    if not with_histograms:
        report = _without_histograms(report)
    return {"run_id": run.run_id, "headline": headline, "report": report, "verdict": verdict}


def _limit(name: str, value: Any, highest: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not 0 <= number <= highest:
        raise InvalidArgument(f"{name} must be a number from 0 to {highest:g}, got {value!r}")
    return number


def _without_histograms(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_histograms(v) for k, v in value.items() if k != "histogram"}
    if isinstance(value, list):
        return [_without_histograms(v) for v in value]
    return value
