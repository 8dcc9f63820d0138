"""`drill recover` finds the drills left running, with the pid and host of their runner, and
marks those whose runner is dead as interrupted, in the chain too."""

from __future__ import annotations

import pytest

from entdrill.errors import RecordsError
from entdrill.records import Records

from .support import new_drill


def test_running_drills_come_with_the_pid_and_host_of_their_runner(records: Records) -> None:
    running = new_drill(records, pid=31337, host="runner-2")
    finished = new_drill(records)
    records.finish_drill(finished, "met", 0)
    [drill] = records.running_drills()
    assert (drill.id, drill.status, drill.pid, drill.host) == (
        running,
        "running",
        31337,
        "runner-2",
    )


def test_a_drill_is_recorded_with_this_process_by_default(records: Records) -> None:
    import os
    import socket

    drill = records.get_drill(new_drill(records)).drill
    assert (drill.pid, drill.host) == (os.getpid(), socket.gethostname())


def test_marking_interrupted_ends_the_drill_and_chains_the_reason(records: Records) -> None:
    drill_id = new_drill(records, pid=31337)
    records.append_event(drill_id, "inject", "fault_injected", {"fault": "kill portal-1"})
    marked = records.mark_interrupted(drill_id, "runner 31337 on runner-2 is gone")
    assert (marked.status, marked.exit_code, marked.reason) == (
        "interrupted",
        None,
        "runner 31337 on runner-2 is gone",
    )
    assert marked.ended_at is not None
    assert records.running_drills() == []
    detail = records.get_drill(drill_id)
    assert detail.drill == marked
    last = detail.events[-1]
    assert (last.seq, last.phase, last.kind) == (3, "drill", "interrupted")
    assert last.data == {
        "status": "interrupted",
        "exit_code": None,
        "reason": "runner 31337 on runner-2 is gone",
    }
    assert records.verify_chain(drill_id).ok


def test_an_ended_drill_cannot_be_marked_interrupted(records: Records) -> None:
    drill_id = new_drill(records)
    records.mark_interrupted(drill_id, "runner gone")
    with pytest.raises(RecordsError, match="already ended as 'interrupted'"):
        records.mark_interrupted(drill_id, "again")
    with pytest.raises(RecordsError, match="already ended as 'interrupted'"):
        records.finish_drill(drill_id, "met", 0)
