"""Recovery reverts every open fault, newest first, idempotently, and says what it could not."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest

from entdrill.errors import FaultError
from entdrill.faults.ledger import Ledger, Owner
from entdrill.faults.recovery import inject, mine_or_orphaned, orphaned, recover
from tests.faults.fakes import FakeSystem


def _kill(ledger: Ledger, system: FakeSystem, name: str) -> str:
    def apply() -> dict:
        system.break_(name)
        return {"component": name}

    return inject(ledger, kind="kill", target={"component": name}, action={},
                  undo={"op": "restart", "name": name}, apply=apply, operations=system.ops)["fault_id"]  # fmt: skip


def test_every_open_fault_is_reverted_newest_first(tmp_path: Path) -> None:
    ledger, system = Ledger(tmp_path / "f.jsonl"), FakeSystem("ent-1", "ent-2", "bridge")
    for name in ("ent-2", "bridge", "ent-1"):
        _kill(ledger, system, name)
    report = recover(ledger, operations=system.ops)
    assert report.ok
    assert system.reverts == ["ent-1", "bridge", "ent-2"]
    assert all(system.up.values())
    assert ledger.open_entries() == []
    assert [r["how"] for r in report.reverted] == [
        f"restarted {n}" for n in ("ent-1", "bridge", "ent-2")
    ]


def test_recovery_is_idempotent(tmp_path: Path) -> None:
    ledger, system = Ledger(tmp_path / "f.jsonl"), FakeSystem("ent-2")
    _kill(ledger, system, "ent-2")
    assert recover(ledger, operations=system.ops).reverted
    again = recover(ledger, operations=system.ops)
    assert (again.reverted, again.failed, again.ok) == ([], [], True)
    assert again.summary() == "nothing to recover: no fault is left injected"
    assert system.reverts == ["ent-2"]


def test_a_planned_entry_is_reverted_even_if_the_fault_may_not_have_happened(
    tmp_path: Path,
) -> None:
    ledger, system = Ledger(tmp_path / "f.jsonl"), FakeSystem("ent-2")
    ledger.plan("kill", {"component": "ent-2"}, {}, {"op": "restart", "name": "ent-2"})
    report = recover(ledger, operations=system.ops)
    assert [r["how"] for r in report.reverted] == ["ent-2 already up"]
    assert ledger.open_entries() == []


def test_a_fault_that_cannot_be_reverted_stays_open_and_does_not_stop_the_others(
    tmp_path: Path,
) -> None:
    ledger, system = Ledger(tmp_path / "f.jsonl"), FakeSystem("ent-1", "ent-2")
    stuck = _kill(ledger, system, "ent-1")
    _kill(ledger, system, "ent-2")
    system.broken.add("ent-1")
    report = recover(ledger, operations=system.ops)
    assert not report.ok
    assert [f["id"] for f in report.failed] == [stuck]
    assert "ent-1 will not start" in report.failed[0]["error"]
    assert system.up == {"ent-1": False, "ent-2": True}
    (left,) = ledger.open_entries()
    assert left.id == stuck and "will not start" in left.error
    system.broken.clear()
    assert recover(ledger, operations=system.ops).ok
    assert ledger.open_entries() == []


def test_an_unknown_undo_operation_is_reported_not_ignored(tmp_path: Path) -> None:
    ledger, system = Ledger(tmp_path / "f.jsonl"), FakeSystem()
    ledger.plan("mystery", {"component": "x"}, {}, {"op": "teleport"})
    report = recover(ledger, operations=system.ops)
    assert "unknown undo operation 'teleport'" in report.failed[0]["error"]
    assert len(ledger.open_entries()) == 1


def test_a_failed_injection_is_reverted_at_once_and_named(tmp_path: Path) -> None:
    ledger, system = Ledger(tmp_path / "f.jsonl"), FakeSystem("bridge")

    def apply() -> dict:
        system.break_("bridge")
        raise FaultError("the bridge still answers")  # verification failed

    with pytest.raises(FaultError, match="kill on bridge failed: the bridge still answers"):
        inject(ledger, kind="kill", target={"component": "bridge"}, action={},
               undo={"op": "restart", "name": "bridge"}, apply=apply, operations=system.ops)  # fmt: skip
    assert system.up["bridge"] is True
    (entry,) = ledger.entries()
    assert not entry.is_open and entry.error == "the bridge still answers"


def test_an_instantaneous_fault_is_closed_once_verified(tmp_path: Path) -> None:
    ledger, system = Ledger(tmp_path / "f.jsonl"), FakeSystem()
    inject(ledger, kind="lose_session_store", target={}, action={},
           undo={"op": "none"}, apply=lambda: {"lost": 3}, instantaneous=True, operations=system.ops)  # fmt: skip
    (entry,) = ledger.entries()
    assert (entry.status, entry.result) == ("undone", {"lost": 3})


def _planned_by(ledger: Ledger, owner: Owner, name: str) -> None:
    """Append a planned entry as another process would have written it (the documented format)."""
    event = {"event": "planned", "at": time.time(), "entry": {
        "id": f"other-{name}", "kind": "kill", "target": {"component": name}, "action": {},
        "undo": {"op": "restart", "name": name}, "owner": dataclasses.asdict(owner), "label": ""}}  # fmt: skip
    with ledger.path.open("a") as handle:
        handle.write(json.dumps(event) + "\n")


def test_selectors_leave_a_live_run_s_faults_alone(tmp_path: Path) -> None:
    ledger, system = Ledger(tmp_path / "f.jsonl"), FakeSystem("ent-1", "ent-2", "bridge")
    mine = _kill(ledger, system, "ent-1")
    here = Owner.current().host
    _planned_by(ledger, Owner(pid=1, started=1, host=here), "ent-2")  # a run that died
    _planned_by(ledger, Owner(pid=1, started=0, host="elsewhere"), "bridge")  # another machine
    system.break_("ent-2")
    system.break_("bridge")
    entries = {e.target["component"]: e for e in ledger.entries()}
    assert not entries["ent-2"].owner.is_alive()  # pid 1 did not start at tick 1: gone
    assert entries["bridge"].owner.is_alive()  # another host: assumed alive
    assert [e.target["component"] for e in ledger.entries() if orphaned(e)] == ["ent-2"]
    assert {e.target["component"] for e in ledger.entries() if mine_or_orphaned(e)} == {
        "ent-1",
        "ent-2",
    }
    report = recover(ledger, select=mine_or_orphaned, operations=system.ops)
    assert {r["id"] for r in report.reverted} == {mine, "other-ent-2"}
    assert [s["id"] for s in report.skipped] == ["other-bridge"]
    assert system.up == {"ent-1": True, "ent-2": True, "bridge": False}
