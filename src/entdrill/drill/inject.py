"""The inject phase: the plan's experiments, each a ``chaos run`` in a process of its own.

Why a subprocess rather than chaoslib in the runner's process:

- chaoslib keeps global state (loaded controls, settings, the experiment's signal handlers for
  SIGINT, SIGTERM, SIGUSR1 and SIGUSR2) that would fight with the runner's own handling of the
  kill switch, and two experiments could not run side by side;
- the staging control declared by every experiment (``actions.controls.staging``) runs inside
  that process and reconciles the fault ledger when the experiment ends, whatever its outcome;
  interrupting it is one SIGTERM, after which the control reverts what it injected;
- the child dies with the runner (:mod:`entdrill.drill.chaos_child`), and what it leaves
  behind is found by its pid in the fault ledger;
- ``chaos run`` is exactly what people run by hand: the drill adds nothing they cannot repeat.

The plan's ``vars`` go in a ``--var-file`` (JSON keeps their types). Journals and logs are
written under ``$ENTDRILL_HOME/drills/<drill id>/``, and are rewritten with every registered
secret masked once the run ends. :func:`fault_plan` says, before anything starts, which actions
each experiment will take: the runner records it ahead of any injection.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import string
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from entdrill import redact
from entdrill.drill_plan import ExperimentRef
from entdrill.errors import InvalidPlan
from entdrill.guard.killswitch import process_start_ticks

log = logging.getLogger(__name__)

#: Provider modules whose actions inject faults (the rest start load or observe).
FAULT_MODULE_PREFIXES = ("actions.servers", "actions.video", "chaosk8s")


def read_experiment(path: Path) -> dict[str, Any]:
    """The experiment document at ``path`` (already validated with the plan)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidPlan(f"{path}: cannot read the experiment: {error}") from error
    if not isinstance(document, dict):
        raise InvalidPlan(f"{path}: an experiment is a JSON object")
    return document


def kind_of(ref: ExperimentRef) -> str:
    """The experiment's kind for the records and the review: its file name, ``login_storm``."""
    return ref.path.stem


def _activity(activity: dict[str, Any]) -> dict[str, Any]:
    provider = activity.get("provider") or {}
    module = str(provider.get("module", ""))
    return {
        "name": activity.get("name", ""),
        "type": activity.get("type", ""),
        "module": module,
        "func": provider.get("func", ""),
        "arguments": provider.get("arguments", {}),
        "background": bool(activity.get("background", False)),
        "fault": activity.get("type") == "action" and module.startswith(FAULT_MODULE_PREFIXES),
    }


def title_of(ref: ExperimentRef, document: dict[str, Any]) -> str:
    """The experiment's title with its ``${key}`` filled as Chaos Toolkit does (plan's vars over
    the experiment's literal defaults), so "at ${storm_multiplier} times normal" reads true."""
    values = {
        key: value
        for key, value in (document.get("configuration") or {}).items()
        if not isinstance(value, dict)
    }
    values.update(ref.vars)
    return string.Template(str(document.get("title", ""))).safe_substitute(values)


def fault_plan(ref: ExperimentRef, document: dict[str, Any]) -> dict[str, Any]:
    """What running ``document`` will do, for the record (pure): its actions and rollbacks,
    with the configuration they read (the plan's vars over the experiment's defaults)."""
    configuration = {
        key: value
        for key, value in (document.get("configuration") or {}).items()
        if not isinstance(value, dict)  # env/secret lookups are resolved at run time
    }
    configuration.update(ref.vars)
    method = [a for a in document.get("method") or [] if isinstance(a, dict)]
    actions = [_activity(a) for a in method if a.get("type") == "action"]
    return {
        "path": ref.written,
        "kind": kind_of(ref),
        "title": title_of(ref, document),
        "vars": dict(ref.vars),
        "configuration": configuration,
        "actions": actions,
        "faults": [a for a in actions if a["fault"]],
        "rollbacks": [_activity(a) for a in document.get("rollbacks") or [] if isinstance(a, dict)],
    }


@dataclass
class ExperimentRun:
    """One experiment of the drill, run as ``chaos run`` in a child process."""

    index: int
    ref: ExperimentRef
    title: str
    directory: Path
    process: subprocess.Popen[bytes] | None = None
    pid: int = 0
    start_ticks: int = 0
    started_at: datetime | None = None
    ended_at: datetime | None = None
    returncode: int | None = None
    terminated: str = ""  # why the runner ended it early ("" when it ended by itself)
    recorded: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return kind_of(self.ref)

    @property
    def name(self) -> str:
        return f"{self.index + 1}-{self.kind}"

    @property
    def journal_path(self) -> Path:
        return self.directory / f"journal-{self.name}.json"

    @property
    def log_path(self) -> Path:
        return self.directory / f"chaostoolkit-{self.name}.log"

    @property
    def vars_path(self) -> Path:
        return self.directory / f"vars-{self.name}.json"

    @property
    def running(self) -> bool:
        return self.process is not None and self.returncode is None

    def start(self, environment: dict[str, str]) -> None:
        """Start ``chaos run`` on the experiment (returns at once)."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.vars_path.write_text(json.dumps({"configuration": self.ref.vars}))
        argv = [
            sys.executable,
            "-m",
            "entdrill.drill.chaos_child",
            str(os.getpid()),
            "--",
            "--log-file",
            str(self.log_path),
            "run",
            "--journal-path",
            str(self.journal_path),
            "--var-file",
            str(self.vars_path),
            str(self.ref.path),
        ]
        output = self.directory / f"output-{self.name}.txt"
        with output.open("ab") as sink:
            self.process = subprocess.Popen(
                argv,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                start_new_session=True,  # Ctrl-C reaches the runner only; it ends children once
            )
        self.pid = self.process.pid
        self.start_ticks = process_start_ticks(self.pid) or 0
        self.started_at = datetime.now(UTC)

    def poll(self) -> bool:
        """True once the process has ended (its return code is then known)."""
        if self.process is None or self.returncode is not None:
            return self.returncode is not None
        code = self.process.poll()
        if code is None:
            return False
        self.returncode = code
        self.ended_at = datetime.now(UTC)
        return True

    def terminate(self, reason: str) -> None:
        """One SIGTERM: chaos interrupts the experiment, its control reverts the faults."""
        if self.running and self.process is not None:
            self.terminated = reason
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the process to end; True when it has."""
        deadline = time.monotonic() + timeout_s
        while not self.poll():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def kill(self) -> None:
        if self.running and self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            self.wait(5.0)

    def outcome(self) -> str:
        """How the process ended, in words."""
        if self.returncode is None:
            return "running"
        if self.returncode < 0:
            return f"ended by signal {signal.Signals(-self.returncode).name}"
        if self.terminated:
            return f"stopped ({self.terminated})"
        return "completed" if self.returncode == 0 else f"exit code {self.returncode}"

    def read_journal(self) -> dict[str, Any] | None:
        """The journal, its secrets masked (also on disk); None when chaos wrote none."""
        scrub_file(self.log_path)
        try:
            journal = json.loads(self.journal_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        clean = redact.redact(journal)
        if clean != journal:
            self.journal_path.write_text(json.dumps(clean, indent=2))
        return clean if isinstance(clean, dict) else None


def scrub_file(path: Path) -> None:
    """Mask every registered secret in a text file written by a child (its log)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    clean = redact.redact(text)
    if clean != text:
        path.write_text(clean, encoding="utf-8")


def child_environment(
    ent_url: str, home: Path, staging: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of the experiments: the runner's, pointed at the drill's target
    (``staging``: the target's keys as the experiments' variables, ``Target.experiment_environment``)."""
    environment = dict(os.environ)
    environment["ENTDRILL_HOME"] = str(home.resolve())
    if ent_url:
        environment["ENT_BASE_URL"] = ent_url
        environment.update(staging or {})
    else:
        environment.pop("ENT_BASE_URL", None)  # the sandbox: the staging control uses it
    return environment
