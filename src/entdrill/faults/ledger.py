"""The fault ledger: every fault injected, where, how to undo it, and whether it was undone.

The ledger is an append-only file of JSON lines, ``$ENTDRILL_HOME/faults.jsonl``. An entry is
written and fsynced *before* its fault is injected (status ``planned``), then marked ``injected``
once the fault is verified, and ``undone`` once reverted. Whatever kills the process that
injected a fault, the entry is on disk with a declarative undo spec (see :mod:`.undo`) that
``entdrill recover`` executes without the original process. An entry not ``undone`` is *open*.

Each line is one event::

    {"event": "planned",  "at": t, "entry": {"id", "kind", "target", "action", "undo", "owner", "label"}}
    {"event": "injected", "at": t, "id": ..., "result": {...}}
    {"event": "failed",   "at": t, "id": ..., "error": "..."}        (still open: may be half-done)
    {"event": "undone",   "at": t, "id": ..., "how": "..."}
    {"event": "undo_failed", "at": t, "id": ..., "error": "..."}     (still open)
    {"event": "settled", "at": t, "line": n, "sha256": ..., "by": ..., "reason": ...}

Writers append whole lines under an exclusive ``flock`` and fsync (after ending a line torn by a
crash, so the next event never joins it); readers take a shared lock. Every line is read
strictly (:mod:`.ledger_lines`): a line that is not a readable event, or an event about a fault
no readable line plans, is a *problem* named by its line number, never skipped in silence,
until an operator settles it (``entdrill recover --force-line N``, a ``settled`` event naming
the line and the SHA-256 of its bytes). Secrets are never written: undo specs name where a token is found (the
sandbox directory, an environment variable), and every line goes through :func:`entdrill.redact`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from entdrill import paths, redact
from entdrill.errors import FaultError, InvalidArgument
from entdrill.faults.ledger_lines import (
    FAILED,
    INJECTED,
    PLANNED,
    SETTLED,
    UNDO_FAILED,
    UNDONE,
    LineProblem,
    parse_event,
    problem,
)

log = logging.getLogger(__name__)

__all__ = [
    "INJECTED",
    "PLANNED",
    "UNDONE",
    "FaultEntry",
    "Ledger",
    "LedgerView",
    "LineProblem",
    "Owner",
    "fold",
    "read_lines",
]

LEDGER_NAME = "faults.jsonl"


@dataclass(frozen=True)
class Owner:
    """The process that injected a fault: pid, its start time (so a recycled pid is not it), host."""

    pid: int
    started: int  # clock ticks since boot, from /proc/<pid>/stat; 0 when unknown
    host: str

    @classmethod
    def current(cls) -> Owner:
        return cls(pid=os.getpid(), started=_start_ticks(os.getpid()), host=socket.gethostname())

    def is_current(self) -> bool:
        return self == Owner.current()

    def is_alive(self) -> bool:
        """True while the owning process runs (on another host: assumed alive)."""
        if self.host != socket.gethostname():
            return True
        return self.started != 0 and _start_ticks(self.pid) == self.started


def _start_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat.rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3 of stat(5)); the start time is field 22.
    return int(fields[19]) if len(fields) > 19 and fields[0] not in ("Z", "X") else 0


@dataclass
class FaultEntry:
    """One fault as the ledger knows it (the fold of its events)."""

    id: str
    kind: str  # kill_replica, hang_replica, lose_session_store, bridge_down, degrade_bridge, ...
    target: dict[str, Any]  # component, url, sandbox_dir
    action: dict[str, Any]  # what is done: signal and pid, settings asked, ...
    undo: dict[str, Any]  # declarative undo spec: {"op": ..., ...}
    owner: Owner
    label: str = ""  # the experiment or drill that injected it
    status: str = PLANNED
    planned_at: float = 0.0
    injected_at: float | None = None
    undone_at: float | None = None
    result: dict[str, Any] = field(default_factory=dict)  # what injection did, verified
    how_undone: str = ""
    error: str = ""  # the last injection or undo failure

    @property
    def is_open(self) -> bool:
        return self.status != UNDONE

    def describe(self) -> str:
        where = self.target.get("component") or self.target.get("url") or "?"
        return f"{self.kind} on {where} ({self.status})"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["open"] = self.is_open
        return data


@dataclass
class LedgerView:
    """What the ledger says: the faults, the lines that could not be read, those settled."""

    entries: list[FaultEntry] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    settled: list[dict[str, Any]] = field(default_factory=list)


class Ledger:
    """The fault ledger file (default ``$ENTDRILL_HOME/faults.jsonl``)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else paths.home() / LEDGER_NAME

    # -- writing ---------------------------------------------------------------------------

    def plan(
        self,
        kind: str,
        target: dict[str, Any],
        action: dict[str, Any],
        undo: dict[str, Any],
        label: str = "",
    ) -> FaultEntry:
        """Record a fault about to be injected (durably, before anything is touched)."""
        if "op" not in undo:
            raise ValueError("an undo spec needs an 'op'")
        entry = FaultEntry(
            id=uuid.uuid4().hex[:12],
            kind=kind,
            target=target,
            action=action,
            undo=undo,
            owner=Owner.current(),
            label=label or default_label(),
            planned_at=time.time(),
        )
        self._append(
            {
                "event": PLANNED,
                "at": entry.planned_at,
                "entry": {
                    "id": entry.id,
                    "kind": kind,
                    "target": target,
                    "action": action,
                    "undo": undo,
                    "owner": asdict(entry.owner),
                    "label": entry.label,
                },
            }
        )
        return entry

    def injected(self, entry_id: str, result: dict[str, Any]) -> None:
        self._append({"event": INJECTED, "at": time.time(), "id": entry_id, "result": result})

    def failed(self, entry_id: str, error: str) -> None:
        self._append({"event": FAILED, "at": time.time(), "id": entry_id, "error": error})

    def undone(self, entry_id: str, how: str) -> None:
        self._append({"event": UNDONE, "at": time.time(), "id": entry_id, "how": how})

    def undo_failed(self, entry_id: str, error: str) -> None:
        self._append({"event": UNDO_FAILED, "at": time.time(), "id": entry_id, "error": error})

    def settle(self, line: int, *, by: str, reason: str = "") -> LineProblem:
        """Record that an operator dealt with the unreadable ``line`` (settled from now on)."""
        view = self.read()
        found = next((p for p in view.problems if p.line == line), None)
        if found is None:
            unreadable = ", ".join(str(p.line) for p in view.problems) or "none"
            raise InvalidArgument(
                f"--force-line {line}: line {line} of the fault ledger {self.path} is not an "
                f"unreadable line (unreadable lines: {unreadable})"
            )
        self._append(
            {
                "event": SETTLED,
                "at": time.time(),
                "line": line,
                "sha256": found.sha256,
                "by": by,
                "reason": reason or found.reason,
            }
        )
        return found

    def _append(self, event: dict[str, Any]) -> None:
        line = (json.dumps(redact.redact(event), sort_keys=True) + "\n").encode()
        created = not self.path.exists()
        paths.ensure_private_dir(self.path.parent)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as error:
            raise FaultError(f"cannot write the fault ledger {self.path}: {error}") from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a line torn by a crash stays a line of its own
            written = os.write(fd, line)
            if written != len(line):
                raise FaultError(f"short write to the fault ledger {self.path}")
            os.fsync(fd)
        finally:
            os.close(fd)  # closing releases the lock
        if created:
            _fsync_directory(self.path.parent)

    # -- reading ---------------------------------------------------------------------------

    def read(self) -> LedgerView:
        """Every fault recorded (oldest first), and every line that could not be read."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return LedgerView()
        except OSError as error:
            raise FaultError(f"cannot read the fault ledger {self.path}: {error}") from error
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            with os.fdopen(os.dup(fd), "rb") as handle:
                data = handle.read()
        finally:
            os.close(fd)
        return read_lines(data.split(b"\n"), str(self.path))

    def entries(self) -> list[FaultEntry]:
        """Every fault recorded, oldest first."""
        return self.read().entries

    def open_entries(self) -> list[FaultEntry]:
        """Faults planned or injected and not undone, oldest first."""
        return [entry for entry in self.entries() if entry.is_open]

    def problems(self) -> list[LineProblem]:
        """Lines that could not be read and were not settled: an open fault may be among them."""
        return self.read().problems

    def get(self, entry_id: str) -> FaultEntry:
        for entry in self.entries():
            if entry.id == entry_id:
                return entry
        raise FaultError(f"no fault {entry_id!r} in the ledger {self.path}")

    @contextlib.contextmanager
    def recovery_lock(self) -> Iterator[None]:
        """Serialise recoveries (the staging control, ``entdrill recover``, drills).

        The lock is taken on the ledger's directory, so a recovery creates no file; with no
        directory there is no ledger, nothing to serialise, and nothing is created.
        """
        try:
            fd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def fold(lines: list[str], where: str = "ledger") -> list[FaultEntry]:
    """The entries described by ledger ``lines`` (pure; problems are in :func:`read_lines`)."""
    return read_lines([line.encode() for line in lines], where).entries


def read_lines(lines: list[bytes], where: str = "ledger") -> LedgerView:
    """The ledger described by raw ``lines`` (pure): entries, unsettled problems, settlements."""
    entries: dict[str, FaultEntry] = {}
    problems: list[LineProblem] = []
    settlements: list[dict[str, Any]] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            event = parse_event(raw)
            if event["event"] == SETTLED:
                settlements.append(event)
            else:
                _apply(entries, event)
        except (ValueError, KeyError) as error:
            reason = str(error).strip("'\"")
            if number == len(lines) and not raw.endswith(b"}"):
                reason = f"torn (the process writing it died?): {reason}"
            problems.append(problem(number, raw, reason))
    settled = {(int(s["line"]), str(s["sha256"])) for s in settlements}
    left = [p for p in problems if (p.line, p.sha256) not in settled]
    for found in left:
        log.warning("%s:%d: unreadable ledger line (%s)", where, found.line, found.reason)
    return LedgerView(sorted(entries.values(), key=lambda e: e.planned_at), left, settlements)


def _apply(entries: dict[str, FaultEntry], event: dict[str, Any]) -> None:
    kind, at = event["event"], float(event["at"])
    if kind == PLANNED:
        data = event["entry"]
        if data["id"] in entries:
            raise KeyError(f"fault {data['id']!r} is planned a second time")
        entries[data["id"]] = FaultEntry(
            id=data["id"],
            kind=data["kind"],
            target=data["target"],
            action=data["action"],
            undo=data["undo"],
            owner=Owner(**data["owner"]),
            label=data.get("label", ""),
            planned_at=at,
        )
        return
    entry = entries.get(event["id"])
    if entry is None:
        raise KeyError(f"a {kind} event for fault {event['id']!r}, which no readable line plans")
    if kind == INJECTED:
        if entry.status != UNDONE:
            entry.status = INJECTED
        entry.injected_at, entry.result = at, event.get("result", {})
    elif kind == UNDONE:
        entry.status, entry.undone_at, entry.how_undone = UNDONE, at, event.get("how", "")
    elif kind in (FAILED, UNDO_FAILED):
        entry.error = event.get("error", "")
    else:
        raise KeyError(f"unknown ledger event {kind!r}")


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_label = ""


def set_default_label(label: str) -> None:
    """Name the experiment or drill on whose behalf this process injects faults."""
    global _label
    _label = label


def default_label() -> str:
    return _label
