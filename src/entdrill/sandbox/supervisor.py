"""Start, watch and stop the sandbox's component processes.

There is no long-lived supervisor process: ``up`` starts each component as its own detached
process (``python -m entdrill.sandbox.serve NAME --dir DIR``), records it in ``state.json`` and
returns once every component answers; ``down`` stops them, including any the state file does not
know (found in /proc by their command line). A lock file serialises concurrent callers.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from entdrill import population, processes
from entdrill.errors import ComponentFailed, InvalidArgument, SandboxError
from entdrill.sandbox import monitoring_config, readiness
from entdrill.sandbox.component import OPTIONAL_COMPONENTS, port_of
from entdrill.sandbox.config import HOST, SandboxConfig, SandboxSecrets
from entdrill.sandbox.state import ProcessEntry, SandboxState, read_state, write_state
from entdrill.sandbox.synapse import synapse_missing

log = logging.getLogger(__name__)

START_TIMEOUT_S = 30.0
#: Synapse creates its database and the school's accounts on first start: give it longer.
OPTIONAL_TIMEOUT_S = 90.0
LOG_TAIL_LINES = 15


class Supervisor:
    """The sandbox in one directory: its state, its processes, its logs."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    # -- reading -------------------------------------------------------------------------

    def state(self) -> SandboxState | None:
        return read_state(self.directory)

    def log_path(self, name: str) -> Path:
        return self.directory / "logs" / f"{name}.log"

    def log_tail(self, name: str, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path(name).read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def running(self) -> list[str]:
        """Names of the recorded components whose process is alive."""
        state = self.state()
        if state is None:
            return []
        return [
            name
            for name, entry in state.processes.items()
            if processes.is_component(entry.pid, name, self.directory)
        ]

    def is_up(self) -> bool:
        state = self.state()
        if state is None:
            return False
        return set(state.components()) <= set(self.running())

    # -- starting ------------------------------------------------------------------------

    def up(
        self, config: SandboxConfig | None = None, timeout_s: float = START_TIMEOUT_S
    ) -> SandboxState:
        """Start every component that is not running and wait until all answer.

        Idempotent: with everything already running (and the same configuration, when one is
        given) nothing is started. On failure every process started by this call is stopped.
        An optional component (Synapse) that cannot start is stopped and recorded in
        ``state.unavailable`` with the reason; the sandbox runs without it.
        """
        with self._lock():
            state = self.state()
            alive = set(self.running()) if state is not None else set()
            if state is not None and alive and config is not None and config != state.config:
                raise InvalidArgument(
                    "the sandbox is already running with other settings; "
                    "run `entdrill sandbox down` first"
                )
            if state is None or not alive:
                state = SandboxState(config=config or SandboxConfig(), secrets=SandboxSecrets())
                state.processes = {}
                self._stop_strays()
                self._prepare(state)
            missing = [n for n in state.components() if n not in alive]
            if not missing:
                return state
            for name in [n for n in missing if n in OPTIONAL_COMPONENTS]:
                why = self._cannot_start(name, state)
                if why:
                    missing.remove(name)
                    self._set_unavailable(state, name, why)
            self._check_ports(state, missing)
            started: list[str] = []
            try:
                for name in missing:
                    state.processes[name] = self._spawn(name, state.config)
                    started.append(name)
                    write_state(self.directory, state)
                required = [n for n in started if n not in OPTIONAL_COMPONENTS]
                self._wait_until_answering(state, required, timeout_s)
                for name in [n for n in started if n in OPTIONAL_COMPONENTS]:
                    self._wait_for_optional(state, name, max(timeout_s, OPTIONAL_TIMEOUT_S))
            except BaseException:
                for name in started:
                    if name in state.processes:
                        processes.terminate(state.processes[name].pid)
                        del state.processes[name]
                write_state(self.directory, state)
                raise
            return state

    def _cannot_start(self, name: str, state: SandboxState) -> str:
        """Why an optional component cannot even be tried ("" when it can)."""
        if name == "matrix":
            missing = synapse_missing()
            if missing:
                return missing
        if name in ("prometheus", "alertmanager"):
            missing = monitoring_config.missing(name)
            if missing:
                return missing
        port = port_of(state.config, name)
        if processes.port_in_use(port):
            owner = processes.port_owner(port)
            return f"port {port} is already in use" + (f" ({owner})" if owner else "")
        return ""

    def _wait_for_optional(self, state: SandboxState, name: str, timeout_s: float) -> None:
        """Wait for an optional component; one that fails is stopped and marked unavailable."""
        try:
            self._wait_until_answering(state, [name], timeout_s)
        except ComponentFailed as failure:
            processes.terminate(state.processes.pop(name).pid)
            self._set_unavailable(
                state, name, f"{failure.reason} (see `entdrill sandbox logs {name}`)"
            )

    def _set_unavailable(self, state: SandboxState, name: str, why: str) -> None:
        log.warning("the sandbox runs without %s: %s", name, why)
        state.unavailable[name] = why
        write_state(self.directory, state)

    def start_component(self, name: str, timeout_s: float = START_TIMEOUT_S) -> ProcessEntry:
        """(Re)start one component of a running sandbox (e.g. a lost ENT replica)."""
        with self._lock():
            state = self._require_state()
            if name in self.running():
                return state.processes[name]
            state.processes[name] = self._spawn(name, state.config)
            write_state(self.directory, state)
            self._wait_until_answering(state, [name], timeout_s)
            return state.processes[name]

    def _prepare(self, state: SandboxState) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.directory / "logs").mkdir(exist_ok=True)
        for stale in ("ent-store.db", "ent-store.db-wal", "ent-store.db-shm"):
            (self.directory / stale).unlink(missing_ok=True)
        shutil.rmtree(self.directory / "matrix", ignore_errors=True)  # accounts of old secrets
        population.write_csv(population.generate(state.config), self.directory / "population.csv")
        write_state(self.directory, state)

    def _check_ports(self, state: SandboxState, names: list[str]) -> None:
        ent_alive = any(n.startswith("ent-") for n in self.running())
        for name in names:
            if name.startswith("ent-") and ent_alive:
                continue  # replicas share the port with the running ones (SO_REUSEPORT)
            ports = [port_of(state.config, name)]
            if name == "smtp":
                ports.append(state.config.smtp_admin_port)
            for port in ports:
                if processes.port_in_use(port):
                    owner = processes.port_owner(port)
                    detail = f" ({owner})" if owner else ""
                    raise ComponentFailed(name, f"port {port} is already in use{detail}")

    def _spawn(self, name: str, config: SandboxConfig) -> ProcessEntry:
        log_file = self.log_path(name)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("ab") as handle:
            process = subprocess.Popen(
                [sys.executable, "-m", processes.SERVE_MODULE, name, "--dir", str(self.directory)],
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=self.directory,
            )
        log.info("started %s as pid %d", name, process.pid)
        return ProcessEntry(
            name=name, pid=process.pid, port=port_of(config, name), started_at=time.time()
        )

    def _wait_until_answering(
        self, state: SandboxState, names: list[str], timeout_s: float
    ) -> None:
        pending = list(names)
        deadline = time.monotonic() + timeout_s
        attempts: dict[str, int] = {}
        while pending:
            for name in list(pending):
                entry = state.processes[name]
                if not processes.is_alive(entry.pid):
                    raise ComponentFailed(
                        name, "its process exited while starting", log_tail=self.log_tail(name)
                    )
                admin = state.config.smtp_admin_port if name == "smtp" else None
                attempts[name] = attempts.get(name, 0) + 1
                if readiness.answers(name, HOST, entry.port, entry.pid, admin, self.directory):
                    pending.remove(name)
                elif (
                    name.startswith("ent-")
                    and attempts[name] > 60
                    and readiness.http_health(HOST, entry.port)
                ):
                    pending.remove(name)  # the port answers; the kernel kept picking the others
            if pending and time.monotonic() > deadline:
                name = pending[0]
                raise ComponentFailed(
                    name, f"did not answer within {timeout_s:g} s", log_tail=self.log_tail(name)
                )
            if pending:
                time.sleep(0.05)

    # -- stopping ------------------------------------------------------------------------

    def down(self) -> list[str]:
        """Stop every component process of this sandbox; return the names stopped."""
        with self._lock():
            stopped: list[str] = []
            state = self.state()
            if state is not None:
                for name, entry in state.processes.items():
                    if processes.is_component(entry.pid, name, self.directory):
                        processes.terminate(entry.pid)
                        stopped.append(name)
                state.processes = {}
                write_state(self.directory, state)
            stopped.extend(self._stop_strays())
            return stopped

    def stop_component(self, name: str, signum: int = signal.SIGKILL) -> ProcessEntry:
        """Send ``signum`` to one running component (a fault: the caller records it).

        After SIGKILL, returns once the process is gone (it cannot outlive it for long), so a
        ``start_component`` right after does not take the dying process for a running one.
        """
        state = self._require_state()
        entry = state.processes.get(name)
        if entry is None or not processes.is_component(entry.pid, name, self.directory):
            raise SandboxError(f"sandbox component {name!r} is not running")
        os.kill(entry.pid, signum)
        if signum == signal.SIGKILL:
            deadline = time.monotonic() + 5.0
            while processes.is_alive(entry.pid) and time.monotonic() < deadline:
                time.sleep(0.01)
        return entry

    def _stop_strays(self) -> list[str]:
        stray = processes.components_in(self.directory)
        for found in stray:
            processes.terminate(found.pid)
        return [found.name for found in stray]

    # -- helpers -------------------------------------------------------------------------

    def _require_state(self) -> SandboxState:
        state = self.state()
        if state is None:
            raise SandboxError("the sandbox is not set up; run `entdrill sandbox up`")
        return state

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with (self.directory / "lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
