"""The fault ledger: durable, written before injection, readable after a crash, shared safely."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from entdrill import redact
from entdrill.errors import InvalidArgument
from entdrill.faults.ledger import INJECTED, PLANNED, UNDONE, Ledger, Owner, fold
from entdrill.faults.recovery import inject

UNDO = {"op": "restart", "name": "ent-2"}


def test_an_entry_is_on_disk_before_the_fault_is_applied(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "faults.jsonl")
    seen_during_injection: list[str] = []

    def apply() -> dict:
        # Another process (a reader started now) already sees the fault as planned.
        seen_during_injection.extend(e.status for e in Ledger(ledger.path).entries())
        return {"pid": 42}

    result = inject(ledger, kind="kill_replica", target={"component": "ent-2"},
                    action={"signal": "SIGKILL"}, undo=UNDO, apply=apply)  # fmt: skip
    assert seen_during_injection == [PLANNED]
    (entry,) = ledger.entries()
    assert entry.status == INJECTED
    assert entry.result == {"pid": 42}
    assert result == {"fault_id": entry.id, "pid": 42}
    assert entry.owner == Owner.current()


def test_a_crash_during_injection_leaves_an_open_planned_entry(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "faults.jsonl")

    def apply() -> dict:
        raise KeyboardInterrupt  # Ctrl-C, or the process killed, while injecting

    with pytest.raises(KeyboardInterrupt):
        inject(ledger, kind="kill_replica", target={}, action={}, undo=UNDO, apply=apply)
    (entry,) = Ledger(ledger.path).open_entries()
    assert entry.status == PLANNED
    assert entry.undo == UNDO


def test_marks_fold_into_the_entry_state(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "faults.jsonl")
    entry = ledger.plan("degrade_bridge", {"component": "bridge"}, {"latency_ms": 500}, UNDO)
    ledger.injected(entry.id, {"after": {"latency_ms": 500}})
    assert ledger.get(entry.id).is_open
    ledger.undo_failed(entry.id, "bridge unreachable")
    assert ledger.get(entry.id).error == "bridge unreachable"
    assert ledger.get(entry.id).is_open
    ledger.undone(entry.id, "set back")
    done = ledger.get(entry.id)
    assert (done.status, done.how_undone, done.is_open) == (UNDONE, "set back", False)
    assert ledger.open_entries() == []


def test_a_torn_last_line_is_named_the_rest_is_read_and_the_next_event_gets_its_own_line(
    tmp_path: Path,
) -> None:
    ledger = Ledger(tmp_path / "faults.jsonl")
    first = ledger.plan("kill_replica", {}, {}, UNDO)
    with ledger.path.open("a") as handle:
        handle.write('{"event": "injected", "at": 1.0, "id": "')  # killed mid-write
    view = ledger.read()
    assert [e.id for e in view.entries] == [first.id] and view.entries[0].status == PLANNED
    [torn] = view.problems
    assert torn.line == 2 and torn.reason.startswith("torn (the process writing it died?)")
    ledger.undone(first.id, "restarted")  # appended after a line end, not glued to the torn line
    assert ledger.get(first.id).status == UNDONE
    assert [p.line for p in ledger.problems()] == [2]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"event": "undone", "at": NaN, "id": "x"}', "NaN is not a number JSON allows"),
        ('{"event": "undone", "at": 1.0, "id": ["x"]}', "id is ['x'], not text"),
        ('{"event": "undone", "at": "soon", "id": "x"}', "at is 'soon', not a time in seconds"),
        ('{"event": "teleported", "at": 1.0}', "unknown event 'teleported'"),
        ('"just text"', "not a JSON object"),
        ('{"event": "undone", "at": 1.0, "id": "ghost"}', "which no readable line plans"),
    ],
)
def test_an_unreadable_line_is_a_problem_named_by_number_never_skipped(
    tmp_path: Path, line: str, reason: str
) -> None:
    ledger = Ledger(tmp_path / "faults.jsonl")
    entry = ledger.plan("kill_replica", {}, {}, UNDO)
    with ledger.path.open("a") as handle:
        handle.write(line + "\n")
    view = ledger.read()
    assert [e.id for e in view.entries] == [entry.id]
    [problem] = view.problems
    assert (problem.line, problem.text) == (2, line) and reason in problem.reason


def test_settling_a_line_records_who_and_which_bytes_and_only_that_line(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "faults.jsonl")
    ledger.plan("kill_replica", {}, {}, UNDO)
    with ledger.path.open("a") as handle:
        handle.write("garbage one\ngarbage two\n")
    settled = ledger.settle(2, by="eva@host")
    assert [p.line for p in ledger.problems()] == [3]
    last = json.loads(ledger.path.read_text().splitlines()[-1])
    assert (last["event"], last["line"], last["by"]) == ("settled", 2, "eva@host")
    assert last["sha256"] == settled.sha256
    with pytest.raises(
        InvalidArgument, match=r"line 1 of the fault ledger .* is not an unreadable"
    ):
        ledger.settle(1, by="eva@host")


def test_fold_refuses_events_for_unknown_faults_without_losing_the_others() -> None:
    lines = [
        json.dumps({"event": "undone", "at": 1.0, "id": "nope", "how": "?"}),
        json.dumps({"event": "planned", "at": 2.0, "entry": {
            "id": "a1", "kind": "k", "target": {}, "action": {}, "undo": UNDO,
            "owner": {"pid": 1, "started": 5, "host": "h"}, "label": ""}}),
    ]  # fmt: skip
    (entry,) = fold(lines)
    assert entry.id == "a1" and entry.is_open


def test_the_file_is_private_and_secrets_are_masked(tmp_path: Path) -> None:
    redact.register("canary-admin-token-0123")
    try:
        ledger = Ledger(tmp_path / "home" / "faults.jsonl")
        ledger.plan("x", {"url": "http://127.0.0.1:1/?t=canary-admin-token-0123"}, {}, UNDO)
        assert "canary-admin-token-0123" not in ledger.path.read_text()
        assert os.stat(ledger.path).st_mode & 0o777 == 0o600
    finally:
        redact.DEFAULT.forget_all()


def test_an_undo_spec_without_an_op_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="op"):
        Ledger(tmp_path / "faults.jsonl").plan("x", {}, {}, {"name": "ent-2"})


def _write_many(path: str, writer: int, count: int) -> None:
    ledger = Ledger(Path(path))
    for i in range(count):
        entry = ledger.plan("kill_replica", {"writer": writer, "i": i}, {}, UNDO)
        ledger.injected(entry.id, {"i": i})


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "faults.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(path), w, 40)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    entries = Ledger(path).entries()
    assert len(entries) == 160
    assert all(e.status == INJECTED for e in entries)
    assert {(e.target["writer"], e.target["i"]) for e in entries} == {
        (w, i) for w in range(4) for i in range(40)
    }


def test_an_owner_is_alive_only_while_its_process_runs() -> None:
    assert Owner.current().is_alive()
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=os.getpid)
    child.start()
    child.join(30)
    gone = Owner(pid=child.pid or 0, started=123, host=Owner.current().host)
    assert not gone.is_alive()
    recycled = Owner(pid=os.getpid(), started=Owner.current().started + 1, host=gone.host)
    assert not recycled.is_alive()  # same pid, another process: not the owner
