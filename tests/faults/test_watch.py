"""What the staging control decides about faults: interrupt on a failed fault action, reconcile."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from entdrill.errors import InvalidArgument
from entdrill.faults.ledger import default_label
from entdrill.faults.recovery import RecoveryReport
from entdrill.faults.watch import RunWatch, deferred_signals, is_fault_action
from entdrill.guard import killswitch

KILL = {"type": "action", "name": "lose-an-ent-replica",
        "provider": {"type": "python", "module": "actions.servers.actions", "func": "kill_replica"}}  # fmt: skip
PROBE = {"type": "probe", "name": "pupil-logs-in",
         "provider": {"type": "python", "module": "actions.login.probes", "func": "synthetic_login"}}  # fmt: skip
FAILED = {"status": "failed", "exception": ["Traceback ...\n", "ActivityFailed: kill_replica: count: 3 is more than the 2\n"]}  # fmt: skip
SUCCEEDED = {"status": "succeeded", "output": {}}


class FakeRecover:
    def __init__(self, report: RecoveryReport | None = None) -> None:
        self.calls: list[Any] = []
        self.report = report or RecoveryReport()

    def __call__(self, **kwargs: Any) -> RecoveryReport:
        self.calls.append(kwargs.get("select"))
        return self.report


def test_fault_actions_are_recognised_by_module_and_type() -> None:
    assert is_fault_action(KILL)
    assert not is_fault_action(PROBE)
    assert not is_fault_action({**KILL, "type": "probe"})
    terminate = {"type": "action", "provider": {"type": "python", "module": "chaosk8s.pod.actions"}}
    assert is_fault_action(terminate)


def test_a_failed_fault_action_in_the_method_is_a_reason_to_interrupt() -> None:
    watch = RunWatch(FakeRecover())
    watch.enter("method")
    reason = watch.activity_done(KILL, FAILED)
    assert "fault action 'lose-an-ent-replica' failed" in reason
    assert "count: 3 is more than the 2" in reason
    assert watch.interruption == reason


def test_failed_probes_succeeded_actions_and_rollbacks_do_not_interrupt() -> None:
    watch = RunWatch(FakeRecover())
    watch.enter("method")
    assert watch.activity_done(PROBE, {**FAILED}) == ""
    assert watch.activity_done(KILL, SUCCEEDED) == ""
    assert watch.activity_done(KILL, None) == ""  # Ctrl-C inside the activity: no run
    watch.enter("rollback")
    assert watch.activity_done(KILL, FAILED) == ""
    watch.enter("hypothesis")
    assert watch.activity_done(KILL, FAILED) == ""


def test_background_fault_actions_are_refused_before_anything_runs() -> None:
    watch = RunWatch(FakeRecover())
    with pytest.raises(InvalidArgument, match="'lose-an-ent-replica' cannot run in the background"):
        watch.begin({"title": "t", "method": [{**KILL, "background": True}]})


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_begin_names_the_run_and_a_signal_is_noted_then_passed_on(signum: signal.Signals) -> None:
    watch = RunWatch(FakeRecover())
    received: list[int] = []
    previous = signal.signal(signum, lambda number, frame: received.append(number))
    try:
        watch.begin({"title": "Server loss", "method": [KILL]})
        assert default_label() == "Server loss"
        os.kill(os.getpid(), signum)  # chaoslib's handler still runs; its exception may be lost
        assert received == [signum]
        watch.enter("method")
        reason = watch.activity_starting(PROBE)
        assert reason == f"{signum.name} received during the experiment"
        assert watch.activity_done(PROBE, SUCCEEDED) == ""  # said once
        watch.end()
        assert signal.getsignal(signum) is not None and received == [signum]
    finally:
        signal.signal(signum, previous)


def test_a_signal_during_rollbacks_does_not_stop_them() -> None:
    watch = RunWatch(FakeRecover())
    watch.signalled = "SIGINT"
    watch.enter("rollback")
    assert watch.activity_starting(KILL) == "" and watch.activity_done(KILL, FAILED) == ""


def test_reconcile_reverts_mine_or_orphaned_and_annotates_the_journal() -> None:
    report = RecoveryReport(
        reverted=[{"id": "a1", "kind": "kill_replica", "how": "restarted ent-2"}]
    )
    recover = FakeRecover(report)
    watch = RunWatch(recover)
    watch.enter("method")
    watch.activity_done(KILL, FAILED)
    watch.reconcile()
    journal: dict[str, Any] = {"status": "interrupted"}
    watch.annotate(journal)
    assert recover.calls[0].__name__ == "mine_or_orphaned"
    assert journal["status"] == "interrupted"
    assert "fault action 'lose-an-ent-replica' failed" in journal["entdrill"]["interrupted_because"]
    assert journal["entdrill"]["faults"]["reverted"][0]["how"] == "restarted ent-2"


def test_a_fault_left_in_place_fails_the_run() -> None:
    watch = RunWatch(FakeRecover(RecoveryReport(failed=[{"id": "a1", "error": "will not start"}])))
    watch.reconcile()
    journal: dict[str, Any] = {"status": "completed", "deviated": False}
    watch.annotate(journal)
    assert journal["status"] == "failed"
    assert journal["entdrill"]["faults"]["ok"] is False


def test_one_signal_during_reconciliation_is_deferred_a_second_goes_through() -> None:
    with deferred_signals():
        os.kill(os.getpid(), signal.SIGINT)  # deferred: nothing raised
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_run_registers_with_the_kill_switch_and_its_marker_interrupts() -> None:
    watch = RunWatch(FakeRecover())
    watch.begin({"title": "Video bridge outage", "method": [KILL]})
    try:
        (entry,) = killswitch.running(("experiment",))
        assert (entry.pid, entry.label) == (os.getpid(), "Video bridge outage")
        watch.enter("method")
        assert watch.activity_starting(PROBE) == ""
        killswitch.write_marker()  # `entdrill stop` from another process
        assert watch.activity_starting(PROBE) == "the kill switch was pulled (entdrill stop)"
    finally:
        watch.end()
    assert killswitch.running(("experiment",)) == []


def test_a_run_inside_a_registered_drill_leaves_the_drill_s_registration_alone() -> None:
    with killswitch.registered("drill", "pre-holiday"):
        watch = RunWatch(FakeRecover())
        watch.begin({"title": "t", "method": []})
        watch.end()
        assert [e.kind for e in killswitch.running()] == ["drill"]
