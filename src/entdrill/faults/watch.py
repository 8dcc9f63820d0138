"""What the staging control does about faults during one ``chaos run``.

Chaos Toolkit skips rollbacks when a run is interrupted or its hypothesis fails, lets a failed
action end in "completed", and turns a SIGTERM that lands inside a Python activity into a mere
failed activity. :class:`RunWatch` closes those gaps from the control hooks:

* ``begin``: refuses fault actions declared ``background`` (an interruption from a background
  thread is lost), names the run in the ledger, notes SIGINT and SIGTERM (chaoslib's handlers
  still run) and registers the run with the kill switch, so ``entdrill stop`` ends it;
* ``revert_orphans``: reverts faults left by runs that died, so the baseline is honest;
* ``activity_starting``, ``activity_done``: a signal received (even one whose exception was
  lost), the kill switch's marker, or a fault action that failed in the method, is a reason to
  interrupt the experiment (the control raises ``InterruptExecution`` with it), once, and never
  during rollbacks;
* ``reconcile``: reverts every fault this process (or a dead one) left open, with SIGINT and
  SIGTERM deferred once so a second Ctrl-C does not cut a revert in half;
* ``annotate``: writes why the run was interrupted and what was reverted into the journal, and
  marks the journal failed when a fault could not be reverted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

from entdrill.errors import InvalidArgument
from entdrill.faults import ledger as ledger_module
from entdrill.faults.recovery import RecoveryReport, mine_or_orphaned, orphaned, recover
from entdrill.guard import killswitch

log = logging.getLogger(__name__)

#: modules whose actions inject faults: a failure of one of them interrupts the experiment
FAULT_MODULES = frozenset(
    {
        "actions.servers.actions",
        "actions.video.actions",
        "chaosk8s.pod.actions",
        "chaosk8s.deployment.actions",
        "chaosk8s.node.actions",
        "chaosk8s.crd.actions",
        "chaosk8s.chaosmesh.network.actions",
    }
)

Recover = Callable[..., RecoveryReport]


def is_fault_action(activity: dict[str, Any] | None) -> bool:
    if not activity or activity.get("type") != "action":
        return False
    provider = activity.get("provider") or {}
    return provider.get("type") == "python" and provider.get("module") in FAULT_MODULES


def _reason(activity: dict[str, Any], run: dict[str, Any]) -> str:
    lines = [line.strip() for line in run.get("exception") or [] if line.strip()]
    why = lines[-1] if lines else "no detail"
    return (
        f"fault action {activity.get('name')!r} failed ({why}); the experiment is interrupted "
        "because the fault it should have injected is not known to be in place"
    )


class RunWatch:
    """The fault side of one experiment run (see the module docstring)."""

    def __init__(self, recover_with: Recover = recover) -> None:
        self._recover = recover_with
        self.reset()

    def reset(self) -> None:
        self.phase = ""
        self.interruption = ""
        self.signalled = ""  # "SIGINT" or "SIGTERM" once received, until acted upon
        self.report = RecoveryReport()
        self._previous: dict[int, Any] = {}
        self._registration: killswitch.Registration | None = None
        self._began_ns = 0

    # -- start -------------------------------------------------------------------------

    def begin(self, experiment: dict[str, Any]) -> None:
        """Check the experiment's fault actions and name the run; before any side effect."""
        self.reset()
        background = [
            a.get("name", "?")
            for a in experiment.get("method", [])
            if is_fault_action(a) and a.get("background")
        ]
        if background:
            raise InvalidArgument(
                f"fault action(s) {', '.join(map(repr, background))} cannot run in the "
                "background: a failure there could not interrupt the experiment"
            )
        title = str(experiment.get("title", ""))
        ledger_module.set_default_label(title)
        self._note_signals()
        self._register(title)

    def _register(self, title: str) -> None:
        """Register with the kill switch (``entdrill stop``), unless this process already is."""
        self._began_ns = time.time_ns()
        if not (killswitch.registry_dir() / f"{os.getpid()}.json").exists():  # a drill runs us
            self._registration = killswitch.register("experiment", title)

    def _stop_requested(self) -> bool:
        """True once ``entdrill stop`` wrote its marker after this run began."""
        return self._began_ns > 0 and killswitch.marked_since("experiment", self._began_ns)

    def revert_orphans(self) -> RecoveryReport:
        """Revert faults left open by runs that died, so this run starts from a clean system."""
        with deferred_signals():
            leftover = self._recover(select=orphaned)
        if leftover.reverted or leftover.failed:
            log.warning("faults left by a run that died: %s", leftover.summary())
        return leftover

    def _note_signals(self) -> None:
        """Remember SIGINT and SIGTERM, then let chaoslib's handlers raise as before.

        The exceptions those handlers raise can be lost: chaoslib turns one raised inside a Python
        activity into a failed activity, and CPython drops one raised inside a finalizer
        (``Exception ignored in ...``). The note survives, and the next activity boundary acts.
        """
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)
            self._previous[signum] = previous

            def noted(number: int, frame: FrameType | None, previous: Any = previous) -> None:
                self.signalled = signal.Signals(number).name
                if callable(previous):
                    previous(number, frame)
                else:
                    raise KeyboardInterrupt

            signal.signal(signum, noted)

    # -- during ------------------------------------------------------------------------

    def enter(self, phase: str) -> None:
        self.phase = phase

    def activity_starting(self, activity: dict[str, Any] | None) -> str:
        """The reason not to start ``activity`` (a signal was received), or ""."""
        return self._signal_reason()

    def activity_done(self, activity: dict[str, Any] | None, run: dict[str, Any] | None) -> str:
        """The reason to interrupt the experiment now, or "" to carry on."""
        reason = self._signal_reason()
        if reason or self.phase != "method" or not is_fault_action(activity) or not run:
            return reason
        if run.get("status") == "failed":
            self.interruption = _reason(activity or {}, run)
            return self.interruption
        return ""

    def _signal_reason(self) -> str:
        if self.phase == "rollback" or self.interruption:
            return ""
        if self.signalled:
            self.interruption = f"{self.signalled} received during the experiment"
        elif self._stop_requested():
            self.interruption = "the kill switch was pulled (entdrill stop)"
        return self.interruption

    # -- end ---------------------------------------------------------------------------

    def reconcile(self) -> RecoveryReport:
        """Revert every fault this process or a dead one left open; idempotent."""
        with deferred_signals():
            report = self._recover(select=mine_or_orphaned)
        self.report.merge(report)
        if report.reverted:
            log.warning("reverted faults the experiment left: %s", report.summary())
        if not report.ok:
            log.error("FAULTS LEFT IN PLACE (%s); run `entdrill recover`", report.summary())
        return report

    def annotate(self, journal: dict[str, Any]) -> None:
        """Write the interruption's reason and the reconciliation into the journal."""
        journal["entdrill"] = {
            "interrupted_because": self.interruption or None,
            "faults": self.report.to_dict(),
        }
        if not self.report.ok:
            journal["status"] = "failed"

    def end(self) -> None:
        """Put back the signal handlers found at ``begin``; leave the kill switch's registry."""
        if self._registration is not None:
            self._registration.unregister()
            self._registration = None
        if threading.current_thread() is threading.main_thread():
            for signum, handler in self._previous.items():
                with contextlib.suppress(ValueError, TypeError):
                    signal.signal(signum, handler)
        self._previous = {}


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold off SIGINT and SIGTERM once while faults are reverted; a second one goes through."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def defer(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if len(received) > 1:
            raise KeyboardInterrupt
        log.warning(
            "signal %d received while reverting faults: finishing the revert first "
            "(signal again to abandon it, then run `entdrill recover`)",
            signum,
        )

    previous = {s: signal.signal(s, defer) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
