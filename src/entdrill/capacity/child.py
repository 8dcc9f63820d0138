"""A breaking-point search in a process of its own: what the Chaos Toolkit activities run.

An activity runs inside ``chaos run``, whose signal handling must stay Chaos Toolkit's (a flood
installs its own SIGTERM and SIGINT handlers). So the search runs as ``entdrill capacity`` in a
child process with its own session, and the activity waits for its report. The options are
checked and the guard's pre-flight is passed here first, so bad input or a refusal is the
caller's error, raised before anything starts. If the caller is interrupted while it waits
(Ctrl-C, SIGTERM, the kill switch), the child gets SIGTERM and stops within a second.

Reports and logs are kept in ``$ENTDRILL_HOME/capacity/``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from entdrill import child_options, paths
from entdrill.capacity.report import CapacityReport, read
from entdrill.capacity.runner import prepare
from entdrill.capacity.settings import SearchSettings
from entdrill.errors import EntdrillError, GuardRefusal, InvalidArgument, Stopped
from entdrill.flood import BRIDGE_SECRET_ENV, FloodOptions, guard
from entdrill.guard import consent
from entdrill.guard.allowlist import AllowList

#: The flood options a search passes on (its own schedule replaces the others).
TARGET_FIELDS = (
    "target",
    "scenario",
    "mix",
    "users",
    "max_in_flight",
    "seed",
    "cas_url",
    "path",
    "app_path",
    "service_url",
    "journey",
    "login_url",
    "login_success",
    "bridge_url",
    "timeout",
    "processes",
)
STOP_WAIT_S = 15.0


def capacity_dir() -> Path:
    return paths.ensure_private_dir(paths.home() / "capacity")


def child_argv(report: Path) -> list[str]:
    """The ``entdrill capacity`` command line of a search: its options travel in the
    environment (:mod:`entdrill.child_options`), since a target URL may hold a password."""
    return [sys.executable, "-m", "entdrill.cli.capacity", "--report", str(report)]


def search_options(options: FloodOptions, settings: SearchSettings) -> list[str]:
    """The ``entdrill capacity`` options of this search."""
    args: list[str] = []
    for name in TARGET_FIELDS:
        value = getattr(options, name)
        if value not in (None, ""):
            args += [f"--{name.replace('_', '-')}", str(value)]
    numbers: list[tuple[str, float | int | None]] = [
        ("--from", settings.start),
        ("--to", settings.stop),
        ("--step-s", settings.step_s),
        ("--refine", settings.refine),
        ("--pause-s", settings.pause_s),
        ("--p95-budget", settings.p95_budget_s),
        ("--max-errors", settings.max_errors),
        ("--normal-rate", settings.normal_rate),
        ("--required-multiple", settings.required_multiple),
        ("--steps", settings.steps) if settings.steps else ("--factor", settings.growth),
    ]
    for option, number in numbers:
        if number is not None:
            args += [option, repr(number)]
    return args


def run_search(
    options: FloodOptions,
    settings: SearchSettings,
    token: str,
    *,
    allow: AllowList,
    bridge_secret: str = "",
) -> CapacityReport:
    """Check, pass the guard, run the search in a child process and return its report."""
    highest = prepare(options, settings)
    guard(highest, token, allow)
    name = time.strftime("capacity-%Y%m%d-%H%M%S-") + secrets.token_hex(3)
    directory = capacity_dir()
    report_path, log_path = directory / f"{name}.json", directory / f"{name}.log"
    env = dict(os.environ)
    env[consent.ENV] = token
    if bridge_secret:
        env[BRIDGE_SECRET_ENV] = bridge_secret
    child_options.hand_over(env, search_options(options, settings))
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            child_argv(report_path),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        code = process.wait()
    except BaseException:
        _stop(process)
        raise
    return _outcome(code, report_path, log_path)


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_WAIT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _outcome(code: int, report_path: Path, log_path: Path) -> CapacityReport:
    last = _last_error(log_path)
    if code == InvalidArgument.exit_code:
        raise InvalidArgument(last or f"the search refused its options (see {log_path})")
    if code == GuardRefusal.exit_code:
        raise GuardRefusal(last or "a guard rail refused the search", rule="guard")
    if code == Stopped.exit_code:
        raise Stopped(f"{last or 'the search was stopped'} (report: {report_path})")
    if code not in (0, 1) or not report_path.exists():
        raise EntdrillError(f"the search exited with code {code} and no report; see {log_path}")
    report = read(report_path)
    report["report_path"] = str(report_path)
    return report


def _last_error(log_path: Path) -> str:
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    errors = [line.removeprefix("Error: ") for line in lines if line.startswith("Error: ")]
    return errors[-1] if errors else ""
