"""The drill's side of the fault ledger: which faults its experiments injected, and reverting them.

Faults are injected by the experiments' processes, each recorded in the fault ledger
(:mod:`entdrill.faults`) *before* it is injected, with the pid and start time of the process that
injected it. The runner knows its experiments' processes, so it can tell its own faults apart
from anyone else's: to see that the outage has started (and activate the fallbacks), and to
revert them when the drill ends, whatever way it ends. ``drill recover`` uses the same selection
for the processes of a dead drill, and also reverts faults whose injecting process is gone.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from entdrill.faults.ledger import FaultEntry, Ledger
from entdrill.faults.recovery import RecoveryReport, orphaned, recover


@dataclass(frozen=True)
class Process:
    """A process that may inject faults: its pid and start time (clock ticks since boot)."""

    pid: int
    start_ticks: int


def _owned_by(entry: FaultEntry, processes: frozenset[Process]) -> bool:
    owner = entry.owner
    return owner.host == socket.gethostname() and Process(owner.pid, owner.started) in processes


def injected_by(processes: Iterable[Process], ledger: Ledger | None = None) -> list[dict[str, Any]]:
    """The faults ``processes`` injected and nobody undid yet (open entries), briefly."""
    chosen = frozenset(processes)
    return [
        {"id": e.id, "kind": e.kind, "where": e.target.get("component") or e.target.get("url")}
        for e in (ledger or Ledger()).open_entries()
        if e.status == "injected" and _owned_by(e, chosen)
    ]


def revert(
    processes: Iterable[Process], *, orphans: bool = False, ledger: Ledger | None = None
) -> RecoveryReport:
    """Revert every open fault of ``processes`` (and, with ``orphans``, of any dead process),
    then check that the sandboxes touched have their components back as configured."""
    chosen = frozenset(processes)
    return recover(
        ledger or Ledger(), select=lambda e: _owned_by(e, chosen) or (orphans and orphaned(e))
    )


def open_faults(ledger: Ledger | None = None) -> list[FaultEntry]:
    """Every fault still open in the ledger (anyone's)."""
    return (ledger or Ledger()).open_entries()
