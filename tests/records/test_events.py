"""Every event is committed as it happens and chained by hash to the one before it, so a
killed runner loses nothing it was told was written, and a changed, missing or moved event
shows with its sequence number."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest

from entdrill.errors import RecordsError
from entdrill.records import Records, open_records

from .support import new_drill

KILLS = 20


def append_forever(url: str, drill_id: str, fd: int) -> None:
    """In a child process: append events and report each sequence number once it returned."""
    with open_records(url) as records:
        i = 0
        while True:
            event = records.append_event(drill_id, "inject", "tick", {"i": i, "pad": "x" * i})
            os.write(fd, f"{event.seq}\n".encode())
            i += 1


def append_some(url: str, drill_id: str, writer: str, count: int) -> None:
    with open_records(url) as records:
        for i in range(count):
            records.append_event(drill_id, "verify", "tick", {"writer": writer, "i": i})


def test_events_are_numbered_from_one_and_chained(records: Records) -> None:
    drill_id = new_drill(records)
    first = records.get_drill(drill_id).events[0]
    second = records.append_event(drill_id, "announce", "posted", {"channel": "#continuite"})
    third = records.append_event(drill_id, "inject", "started", {"kind": "login_storm"})
    assert (first.seq, first.phase, first.kind) == (1, "drill", "created")
    assert first.data["plan_digest"] == "0" * 64
    assert (second.seq, third.seq) == (2, 3)
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert records.get_drill(drill_id).events == [first, second, third]
    report = records.verify_chain(drill_id)
    assert report.ok and report.checked == 3


def test_an_append_survives_closing_and_reopening(records_url: str) -> None:
    with open_records(records_url) as records:
        drill_id = new_drill(records)
        appended = records.append_event(drill_id, "announce", "posted", {"n": 1})
    with open_records(records_url) as records:
        assert records.get_drill(drill_id).events[-1] == appended


def test_every_event_whose_append_returned_survives_kill_9(
    records: Records, records_url: str
) -> None:
    """20 kills at random points of a child appending events: what it was told is committed
    is there, sequence numbers have no gap, and the chain verifies."""
    drill_id = new_drill(records)
    rng = random.Random(5)
    confirmed: set[int] = set()
    fork = multiprocessing.get_context("fork")
    for _ in range(KILLS):
        read_fd, write_fd = os.pipe()
        child = fork.Process(target=append_forever, args=(records_url, drill_id, write_fd))
        child.start()
        os.close(write_fd)
        reader = os.fdopen(read_fd, "rb")
        wanted = rng.randint(0, 12)
        for _ in range(wanted):
            line = reader.readline()
            assert line, f"the appending child died by itself (exit {child.exitcode})"
            confirmed.add(int(line))
        time.sleep(rng.uniform(0, 0.004))
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(30)
        confirmed.update(int(line) for line in reader.read().split())
        reader.close()
        assert child.exitcode == -signal.SIGKILL
    events = records.get_drill(drill_id).events
    seqs = [e.seq for e in events]
    assert confirmed <= set(seqs)
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(confirmed) > KILLS
    report = records.verify_chain(drill_id)
    assert report.ok, report.describe()


def test_two_processes_appending_to_one_drill_extend_one_unbroken_chain(
    records: Records, records_url: str
) -> None:
    drill_id = new_drill(records)
    fork = multiprocessing.get_context("fork")
    children = [
        fork.Process(target=append_some, args=(records_url, drill_id, name, 25)) for name in "ab"
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(120)
        assert child.exitcode == 0
    events = records.get_drill(drill_id).events
    assert [e.seq for e in events] == list(range(1, 52))
    for writer in "ab":
        assert [e.data["i"] for e in events if e.data.get("writer") == writer] == list(range(25))
    assert records.verify_chain(drill_id).ok


def _tampered(
    records: Records, *statements: tuple[str, tuple[object, ...]]
) -> list[tuple[int, str]]:
    db = records.database
    with db.transaction(write=True):
        for sql, params in statements:
            db.execute(sql, params)
    drill_id = str(statements[0][1][-1])
    return [(p.seq, p.kind) for p in records.verify_chain(drill_id).problems]


@pytest.fixture
def six(records: Records) -> str:
    """A finished drill of six events: created, four ticks, finished."""
    drill_id = new_drill(records)
    for i in range(4):
        records.append_event(drill_id, "inject", "tick", {"i": i})
    records.finish_drill(drill_id, "not_met", 1)
    return drill_id


def test_changed_event_data_is_reported_at_its_seq(records: Records, six: str) -> None:
    update = "UPDATE events SET data = ? WHERE seq = 3 AND drill_id = ?"
    assert _tampered(records, (update, ('{"i":99}', six))) == [(3, "changed")]


def test_a_changed_event_time_is_reported_at_its_seq(records: Records, six: str) -> None:
    later = records.database.time_param(datetime.now(UTC) + timedelta(hours=1))
    update = "UPDATE events SET at = ? WHERE seq = 4 AND drill_id = ?"
    assert _tampered(records, (update, (later, six))) == [(4, "changed")]


def test_a_deleted_event_is_reported_missing_at_its_seq(records: Records, six: str) -> None:
    delete = "DELETE FROM events WHERE seq = 3 AND drill_id = ?"
    assert _tampered(records, (delete, (six,))) == [(3, "missing")]


def test_a_deleted_last_event_is_reported_missing(records: Records, six: str) -> None:
    delete = "DELETE FROM events WHERE seq = 6 AND drill_id = ?"
    problems = _tampered(records, (delete, (six,)))
    assert problems[0] == (6, "missing")


def test_swapped_sequence_numbers_are_reported_as_reordered(records: Records, six: str) -> None:
    move = "UPDATE events SET seq = ? WHERE seq = ? AND drill_id = ?"
    problems = _tampered(records, (move, (100, 3, six)), (move, (3, 4, six)), (move, (4, 100, six)))
    assert problems == [(3, "reordered"), (4, "reordered")]


def test_swapped_contents_are_reported_as_reordered(records: Records, six: str) -> None:
    db = records.database
    rows = {
        seq: db.query_one(
            "SELECT at, phase, kind, data FROM events WHERE drill_id = ? AND seq = ?", (six, seq)
        )
        for seq in (2, 3)
    }
    put = "UPDATE events SET at = ?, phase = ?, kind = ?, data = ? WHERE seq = ? AND drill_id = ?"
    problems = _tampered(
        records,
        (put, (*rows[3], 2, six)),
        (put, (*rows[2], 3, six)),  # type: ignore[misc]
    )
    assert problems == [(2, "reordered"), (3, "reordered")]


def test_an_edited_verdict_contradicts_the_chain(records: Records, six: str) -> None:
    update = "UPDATE drills SET status = 'met' WHERE id = ?"
    assert _tampered(records, (update, (six,))) == [(6, "status")]


def test_the_report_reads_as_sentences(records: Records, six: str) -> None:
    records.database.execute("DELETE FROM events WHERE seq = 2 AND drill_id = ?", (six,))
    report = records.verify_chain(six)
    assert not report.ok and report.first_bad_seq == 2
    assert report.describe() == (
        f"drill {six}: hash chain broken (1 problems)\n  seq 2: event 2 is missing"
    )


def test_appending_to_an_unknown_drill_is_refused(records: Records) -> None:
    with pytest.raises(RecordsError, match="no drill with id 'nope'"):
        records.append_event("nope", "inject", "tick", {})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"p95": float("nan")}, r"event data.p95 is nan, which JSON cannot hold"),
        ({1: "x"}, "event data has the key 1; JSON object keys must be text"),
        ({"when": datetime(2026, 1, 1, tzinfo=UTC)}, "event data.when is a datetime"),
        (["not", "an", "object"], "event data must be a JSON object"),
    ],
)
def test_event_data_that_is_not_strict_json_is_refused_before_writing(
    records: Records, data: object, message: str
) -> None:
    drill_id = new_drill(records)
    with pytest.raises(RecordsError, match=message):
        records.append_event(drill_id, "inject", "tick", data)  # type: ignore[arg-type]
    assert records.get_drill(drill_id).drill.last_seq == 1


def test_a_naive_event_time_is_refused(records: Records) -> None:
    drill_id = new_drill(records)
    with pytest.raises(RecordsError, match="event at must be timezone-aware"):
        records.append_event(drill_id, "inject", "tick", {}, at=datetime(2026, 1, 1))
