"""Recording an injection, and reverting every fault the ledger says is still in place.

:func:`inject` is how every injector touches anything: the ledger entry first (fsynced), then the
injection and its verification, then the entry marked injected; a failed injection is reverted at
once where it can be. :func:`recover` executes the undo spec of each open entry, newest first,
checks that the system reads back as reverted, marks the entry undone, then checks that every
sandbox touched has its components back as configured. Both are idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entdrill.errors import EntdrillError, FaultError
from entdrill.faults.ledger import FaultEntry, Ledger
from entdrill.faults.target import SandboxTarget
from entdrill.faults.undo import OPERATIONS, Operation

log = logging.getLogger(__name__)

Selector = Callable[[FaultEntry], bool]


def inject(
    ledger: Ledger,
    *,
    kind: str,
    target: dict[str, Any],
    action: dict[str, Any],
    undo: dict[str, Any],
    apply: Callable[[], dict[str, Any]],
    instantaneous: bool = False,
    operations: dict[str, Operation] | None = None,
) -> dict[str, Any]:
    """Record, inject (``apply`` injects and verifies, returning what it did), mark injected.

    When ``apply`` fails with a known error the fault is reverted at once and :class:`FaultError`
    says what did not take effect. Anything else (Ctrl-C, SIGTERM) leaves the entry open for the
    staging control or ``entdrill recover``. An ``instantaneous`` fault (sessions lost) has
    nothing to undo and is closed as soon as it is verified.
    """
    entry = ledger.plan(kind, target, action, undo)
    where = target.get("component") or target.get("url") or "?"
    try:
        result = apply()
    except (EntdrillError, OSError) as error:
        ledger.failed(entry.id, str(error))
        revert_now(ledger, entry, operations or OPERATIONS)
        raise FaultError(f"{kind} on {where} failed: {error}") from error
    ledger.injected(entry.id, result)
    if instantaneous:
        ledger.undone(entry.id, (operations or OPERATIONS)[undo["op"]].revert(undo))
    log.info("fault %s injected: %s on %s", entry.id, kind, where)
    return {"fault_id": entry.id, **result}


def revert_now(ledger: Ledger, entry: FaultEntry, operations: dict[str, Operation]) -> None:
    """Best-effort immediate revert of a failed injection; left open when it cannot be done."""
    try:
        how = _revert(entry, operations)
    except Exception as error:  # recovery is best effort here; the entry stays open
        log.warning("fault %s could not be reverted at once: %s", entry.id, error)
        ledger.undo_failed(entry.id, str(error))
        return
    ledger.undone(entry.id, how)


def _revert(entry: FaultEntry, operations: dict[str, Operation]) -> str:
    op = operations.get(str(entry.undo.get("op")))
    if op is None:
        raise FaultError(f"unknown undo operation {entry.undo.get('op')!r}")
    how = op.revert(entry.undo)
    problem = op.check(entry.undo)
    if problem:
        raise FaultError(f"reverted ({how}) but {problem}")
    return how


@dataclass
class RecoveryReport:
    """What a recovery did: reverted, failed (still open), skipped (not selected), problems,
    and the ledger lines it could not read (an open fault may be among them: never "ok")."""

    reverted: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems and not self.unreadable

    def merge(self, other: RecoveryReport) -> None:
        self.reverted += other.reverted
        self.failed += other.failed
        self.skipped = other.skipped
        self.problems = other.problems
        self.unreadable = other.unreadable

    def summary(self) -> str:
        if not (self.reverted or self.failed or self.problems or self.unreadable):
            return "nothing to recover: no fault is left injected"
        parts = []
        if self.unreadable:
            lines = ", ".join(str(u["line"]) for u in self.unreadable)
            parts.append(
                f"{len(self.unreadable)} unreadable fault-ledger line(s) ({lines}): a fault may "
                "still be injected there; check what they describe, then settle each with "
                "`entdrill recover --force-line N`"
            )
        if self.reverted:
            parts.append(f"reverted {len(self.reverted)} fault(s)")
        if self.failed:
            parts.append(f"could not revert {len(self.failed)} fault(s)")
        if self.problems:
            parts.append("still wrong: " + "; ".join(self.problems))
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "reverted": self.reverted,
            "failed": self.failed,
            "skipped": self.skipped,
            "problems": self.problems,
            "unreadable": self.unreadable,
            "summary": self.summary(),
        }


def _brief(entry: FaultEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "target": entry.target,
        "status": entry.status,
        "label": entry.label,
    }


def recover(
    ledger: Ledger | None = None,
    *,
    select: Selector | None = None,
    operations: dict[str, Operation] | None = None,
    verify_sandboxes: bool = True,
) -> RecoveryReport:
    """Revert every open fault (or those ``select`` picks), newest first, and verify."""
    ledger = ledger or Ledger()
    ops = operations or OPERATIONS
    report = RecoveryReport()
    with ledger.recovery_lock():
        view = ledger.read()
        report.unreadable = [p.to_dict() for p in view.problems]
        open_entries = [e for e in view.entries if e.is_open]
        chosen = [e for e in open_entries if select is None or select(e)]
        report.skipped = [_brief(e) for e in open_entries if e not in chosen]
        for entry in reversed(chosen):
            try:
                how = _revert(entry, ops)
            except Exception as error:  # one fault that cannot be reverted must not stop the rest
                log.error("cannot revert fault %s (%s): %s", entry.id, entry.describe(), error)
                ledger.undo_failed(entry.id, str(error))
                report.failed.append({**_brief(entry), "error": str(error)})
                continue
            ledger.undone(entry.id, how)
            log.info("reverted fault %s (%s): %s", entry.id, entry.describe(), how)
            report.reverted.append({**_brief(entry), "how": how})
        if verify_sandboxes:
            directories = sorted(
                {str(e.target["sandbox_dir"]) for e in chosen if e.target.get("sandbox_dir")}
            )
            for directory in directories:
                report.problems += sandbox_problems(Path(directory))
    return report


def recover_all(ledger: Ledger | None = None) -> RecoveryReport:
    """Revert every fault recorded as injected (or planned) and not undone, whoever injected it."""
    return recover(ledger)


def mine_or_orphaned(entry: FaultEntry) -> bool:
    """Faults injected by this process, or by a process that no longer runs."""
    return entry.owner.is_current() or not entry.owner.is_alive()


def orphaned(entry: FaultEntry) -> bool:
    """Faults whose injecting process no longer runs (killed, crashed)."""
    return not entry.owner.is_current() and not entry.owner.is_alive()


def sandbox_problems(directory: Path) -> list[str]:
    """Components of the sandbox in ``directory`` not running as configured (none when it is down)."""
    target = SandboxTarget(directory)
    try:
        if target.supervisor.state() is None or target.is_down():
            return []
        states = {name: c["state"] for name, c in target.components().items()}
        wrong = [
            f"{name} is {states.get(name, 'missing')}"
            for name in target.configured()
            if states.get(name) != "running"
        ]
    except EntdrillError as error:
        return [f"cannot read the sandbox in {directory}: {error}"]
    return [f"sandbox {directory}: {problem}" for problem in wrong]
