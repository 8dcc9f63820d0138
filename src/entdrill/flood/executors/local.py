"""The local executor: one shard process per core, started together, merged at the end.

The coordinator (this process) checks the guard first, so a refused plan starts nothing. Each
shard process runs ``python -m entdrill.cli.flood … --shard I/N`` with a common start time, checks
the guard again itself, and writes its report to a private temporary directory; the coordinator
merges them exactly. SIGTERM/SIGINT or the kill switch reach the shards directly (they are
registered too) and through the coordinator, which forwards the stop.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from entdrill import child_options
from entdrill.errors import EntdrillError
from entdrill.flood import report as report_module
from entdrill.flood.display import Display
from entdrill.flood.engine import StopFlag
from entdrill.flood.plan import BRIDGE_SECRET_ENV, FloodPlan
from entdrill.flood.runner import guard, run_shard
from entdrill.guard import consent, killswitch
from entdrill.guard.allowlist import AllowList

log = logging.getLogger(__name__)
SPAWN_LEAD_S = 1.5  # shards start together this long after they are spawned


def run(
    plan: FloodPlan,
    token: str,
    *,
    allow: AllowList,
    display: Display | None = None,
) -> report_module.Report:
    """Run ``plan`` here: in this process, or in ``plan.processes`` shard processes."""
    progress = display.update if display is not None else None
    if plan.processes <= 1 or plan.shard.count > 1:
        return run_shard(plan, token, allow=allow, progress=progress)
    guard(plan, token, allow)
    stop = StopFlag()
    stop.install()
    count = plan.processes
    start_at = time.time() + SPAWN_LEAD_S + 0.2 * count
    env = dict(os.environ)
    env[consent.ENV] = token
    if plan.bridge_secret:
        env[BRIDGE_SECRET_ENV] = plan.bridge_secret
    child_options.hand_over(env, plan.options.to_argv())
    lines: queue.Queue[dict[str, Any]] = queue.Queue()
    with (
        tempfile.TemporaryDirectory(prefix="entdrill-flood-") as tmp,
        killswitch.registered("flood", f"{plan.target} coordinator") as registration,
    ):
        processes: list[subprocess.Popen[str]] = []
        paths = [Path(tmp) / f"shard-{i}.json" for i in range(count)]
        for i in range(count):
            # the plan's options travel in the environment: a target URL may hold a password
            argv = [sys.executable, "-m", "entdrill.cli.flood"]
            argv += ["--shard", f"{i}/{count}", "--report", str(paths[i])]
            argv += ["--start-at", f"{start_at:.6f}"]
            if display is not None:
                argv.append("--progress-lines")
            process = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if display is not None else subprocess.DEVNULL,
                text=True,
            )
            processes.append(process)
            if process.stdout is not None:
                threading.Thread(
                    target=_read_lines, args=(process.stdout, lines), daemon=True
                ).start()
        forwarded = False
        while any(p.poll() is None for p in processes):
            if not forwarded and (stop.reason or registration.stop_requested()):
                forwarded = True
                for p in processes:
                    with contextlib.suppress(ProcessLookupError):
                        p.send_signal(signal.SIGTERM)
            with contextlib.suppress(queue.Empty):
                line = lines.get(timeout=0.05)
                if display is not None:
                    display.update(line)
        while not lines.empty() and display is not None:
            display.update(lines.get())
        reports, names = [], []
        failures = []
        for i, (process, path) in enumerate(zip(processes, paths, strict=True)):
            if path.exists():
                reports.append(report_module.read(path))
                names.append(f"shard {i}")
            else:
                failures.append(f"shard {i} exited with code {process.returncode} and no report")
    if not reports:
        raise EntdrillError("; ".join(failures) or "no shard produced a report")
    merged = report_module.merge(reports, names)
    if failures:
        merged.setdefault("notes", []).extend(failures)
    if stop.reason and not merged["stopped_by"]:
        merged["stopped_by"] = stop.reason
    return merged


def _read_lines(stream: IO[str], lines: queue.Queue[dict[str, Any]]) -> None:
    for raw in stream:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            lines.put(json.loads(raw)["progress"])
