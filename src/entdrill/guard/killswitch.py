"""The kill switch: a machine-wide registry of running work, and ``entdrill stop``.

Every process that sends load or holds a fault (a flood and its shard processes, a drill, a
fault experiment) registers itself under ``runtime_dir()/running/`` with a *kind* ("flood",
"drill", "experiment": :data:`KINDS`). :func:`stop_all` first writes the stop marker
(``runtime_dir()/stop``, or ``stop.<kind>`` when only some kinds are stopped), then sends SIGTERM to every registered live process and waits for them
to exit. A registered process stops when it gets SIGTERM **or** when it sees a stop marker newer
than its registration (:meth:`Registration.stop_requested`), which closes the race of a process
that registered while the switch was being pulled.

Entries name a pid and that process's start time (from ``/proc``), so a recycled pid is never
signalled. Entries of dead processes are removed as they are found.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from entdrill import paths

log = logging.getLogger(__name__)
MARKER_CHECK_INTERVAL_S = 0.2
#: The kinds of work that register (``entdrill stop --kind`` takes these).
KINDS = ("flood", "drill", "experiment")


def registry_dir() -> Path:
    return paths.ensure_private_dir(paths.runtime_dir() / "running")


def marker_path(kind: str = "") -> Path:
    """The stop marker of every kind (``kind`` empty) or of one kind only."""
    return paths.runtime_dir() / (f"stop.{kind}" if kind else "stop")


def marked_since(kind: str, since_ns: int) -> bool:
    """True when a stop marker for every kind, or for ``kind``, was written at or after
    ``since_ns`` (nanoseconds since the epoch)."""
    for name in dict.fromkeys(("", kind)):
        try:
            if marker_path(name).stat().st_mtime_ns >= since_ns:
                return True
        except OSError:
            continue
    return False


def process_start_ticks(pid: int) -> int | None:
    """The start time of ``pid`` in clock ticks since boot, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[19]) if fields[0] != "Z" else None


@dataclass
class Entry:
    pid: int
    kind: str
    label: str
    start_ticks: int
    registered_ns: int

    def alive(self) -> bool:
        return process_start_ticks(self.pid) == self.start_ticks


@dataclass
class Registration:
    """This process's entry; ask :meth:`stop_requested` from the work loop."""

    entry: Entry
    path: Path
    _next_check: float = 0.0
    _stopped: bool = field(default=False)

    def stop_requested(self, now: float | None = None) -> bool:
        """True once a stop marker newer than this registration exists (checked every 0.2 s)."""
        if self._stopped:
            return True
        now = time.monotonic() if now is None else now
        if now < self._next_check:
            return False
        self._next_check = now + MARKER_CHECK_INTERVAL_S
        self._stopped = marked_since(self.entry.kind, self.entry.registered_ns)
        return self._stopped

    def unregister(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def register(kind: str, label: str = "") -> Registration:
    """Register the current process as running work of ``kind``."""
    pid = os.getpid()
    entry = Entry(pid, kind, label, process_start_ticks(pid) or 0, time.time_ns())
    path = registry_dir() / f"{pid}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(entry)))
    tmp.replace(path)
    return Registration(entry, path)


@contextlib.contextmanager
def registered(kind: str, label: str = "") -> Iterator[Registration]:
    registration = register(kind, label)
    try:
        yield registration
    finally:
        registration.unregister()


def running(kinds: tuple[str, ...] = ()) -> list[Entry]:
    """Live registered processes (of ``kinds``, or all); stale entries are removed."""
    entries: list[Entry] = []
    for path in sorted(registry_dir().glob("*.json")):
        try:
            entry = Entry(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            continue
        if not entry.alive():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        if not kinds or entry.kind in kinds:
            entries.append(entry)
    return entries


@dataclass(frozen=True)
class StopResult:
    signalled: list[Entry]
    still_running: list[Entry]

    def to_dict(self) -> dict[str, object]:
        return {
            "signalled": [asdict(e) for e in self.signalled],
            "still_running": [asdict(e) for e in self.still_running],
        }


def write_marker(kinds: tuple[str, ...] = ()) -> None:
    """The marker of every kind, or of each of ``kinds`` only."""
    paths.ensure_private_dir(paths.runtime_dir())
    for kind in kinds or ("",):
        marker = marker_path(kind)
        marker.write_text(json.dumps({"at": time.time(), "by": os.getpid()}))
        os.utime(marker)


def stop_all(
    kinds: tuple[str, ...] = (), *, wait_s: float = 5.0, force: bool = False
) -> StopResult:
    """Pull the switch: marker, SIGTERM to every registered process, wait for them to exit.

    With ``force``, processes still alive after ``wait_s`` get SIGKILL. ``kinds`` must be
    among :data:`KINDS` (``ValueError`` otherwise): an unknown kind would stop nothing.
    """
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        raise ValueError(f"unknown kind(s) of work: {', '.join(unknown)}")
    write_marker(kinds)
    me = os.getpid()
    targets = [e for e in running(kinds) if e.pid != me]
    for entry in targets:
        with contextlib.suppress(ProcessLookupError):
            os.kill(entry.pid, signal.SIGTERM)
        log.info("sent SIGTERM to %s %s (pid %d)", entry.kind, entry.label, entry.pid)
    deadline = time.monotonic() + wait_s
    alive = list(targets)
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = [e for e in alive if e.alive()]
    if force:
        for entry in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(entry.pid, signal.SIGKILL)
        time.sleep(0.05)
        alive = [e for e in alive if e.alive()]
    return StopResult(targets, alive)
