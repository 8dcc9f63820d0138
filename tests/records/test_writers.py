"""What a drill produces is written as given (redacted), read back the same on both backends,
and refused with a sentence when it could not be stored faithfully."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from entdrill.errors import RecordsError
from entdrill.records import NewLedgerEntry, Records

from .support import new_drill

T0 = datetime(2026, 3, 30, 5, 45, tzinfo=UTC)


def storm(records: Records, drill_id: str | None, **overrides: object) -> object:
    values: dict[str, object] = {
        "drill_id": drill_id,
        "title": "Login storm at 100x normal load",
        "path": "experiments/login_storm.json",
        "kind": "login_storm",
        "status": "completed",
        "deviated": False,
        "started_at": T0,
        "ended_at": T0 + timedelta(seconds=60),
        "measures": {"storm_multiple": 100, "login_p95_ms": 640.5, "success_ratio": 1.0},
        "series": {"t_s": [0, 1], "p95_ms": [120.0, 640.5]},
        "journal": {"status": "completed", "run": [{"activity": {"name": "storm"}}]},
    }
    values.update(overrides)
    return records.add_experiment(**values)  # type: ignore[arg-type]


def test_a_drill_reads_back_with_everything_it_produced(records: Records) -> None:
    drill_id = new_drill(records, started_at=T0, pid=4242, host="runner-1")
    experiment = storm(records, drill_id)
    slack = records.add_channel_result(
        drill_id,
        "slack",
        "degraded",
        expectation={"acknowledged_share": 0.8, "deadline_s": 900},
        delivered_share=1.0,
        acknowledged_share=0.625,
        cause="acknowledged by 62% within 900 s, expected 80%",
        details={"sent": 8},
        recorded_at=T0 + timedelta(minutes=20),
    )
    sent = records.add_ledger_entry(
        drill_id, "camille.martin@ecole.example", "slack", "sent", at=T0, group="enseignants"
    )
    acked = records.add_ledger_entry(
        drill_id,
        "camille.martin@ecole.example",
        "slack",
        "acknowledged",
        at=T0 + timedelta(seconds=95),
        evidence={"reaction": "white_check_mark"},
    )
    finding = records.add_finding(
        drill_id, "medium", "Slack acknowledgements below 80%", owner="dane", key="channel:slack"
    )
    finished = records.finish_drill(drill_id, "not_met", 1, {"channels": {"slack": "degraded"}})
    detail = records.get_drill(drill_id)
    assert detail.drill == finished
    assert (finished.status, finished.exit_code, finished.pid, finished.host) == (
        "not_met",
        1,
        4242,
        "runner-1",
    )
    assert finished.started_at == T0 and finished.ended_at is not None
    assert detail.experiments == [experiment]
    assert detail.channel_results == [slack]
    assert detail.ledger == [sent, acked]
    assert detail.findings == [finding]
    assert [(e.phase, e.kind) for e in detail.events] == [
        ("drill", "created"),
        ("drill", "finished"),
    ]
    assert detail.events[-1].data == {"status": "not_met", "exit_code": 1, "reason": None}


def test_a_standalone_experiment_belongs_to_no_drill(records: Records) -> None:
    experiment = storm(records, None)
    data = records.load_review_data(journals=True, series=True)
    assert data.standalone_experiments == [experiment]
    assert data.experiments == []


def test_times_in_other_zones_are_stored_in_utc(records: Records) -> None:
    paris = timezone(timedelta(hours=2))
    drill_id = new_drill(records, started_at=datetime(2026, 3, 30, 7, 45, tzinfo=paris))
    assert records.get_drill(drill_id).drill.started_at == T0
    assert records.get_drill(drill_id).drill.started_at.tzinfo is UTC


def test_a_second_result_for_a_channel_replaces_the_first(records: Records) -> None:
    drill_id = new_drill(records)
    common = {"expectation": {}, "delivered_share": 0.5, "acknowledged_share": None}
    records.add_channel_result(drill_id, "sms", "failed", cause="gateway down", **common)  # type: ignore[arg-type]
    records.add_channel_result(drill_id, "sms", "worked", **common)  # type: ignore[arg-type]
    [result] = records.get_drill(drill_id).channel_results
    assert (result.outcome, result.cause) == ("worked", None)


def test_ledger_entries_can_be_added_together(records: Records) -> None:
    drill_id = new_drill(records)
    written = records.add_ledger_entries(
        drill_id,
        [
            NewLedgerEntry("a@x.example", "email", "sent", at=T0),
            NewLedgerEntry("b@x.example", "email", "refused", at=T0, evidence={"smtp": "550"}),
        ],
    )
    assert records.get_drill(drill_id).ledger == written
    assert [e.state for e in written] == ["sent", "refused"]


def test_closing_a_finding_records_when_and_how(records: Records) -> None:
    drill_id = new_drill(records)
    finding = records.add_finding(drill_id, "high", "SMS gateway refused 3 numbers", owner="dsi")
    closed = records.close_finding(finding.id, resolution="numbers fixed", closed_at=T0)
    assert (closed.status, closed.closed_at, closed.resolution) == ("closed", T0, "numbers fixed")
    assert records.get_drill(drill_id).findings == [closed]
    with pytest.raises(RecordsError, match="is already closed since 2026-03-30 05:45:00 UTC"):
        records.close_finding(finding.id)
    with pytest.raises(RecordsError, match="no finding with id 'nope'"):
        records.close_finding("nope")


def test_finishing_twice_is_refused(records: Records) -> None:
    drill_id = new_drill(records)
    records.finish_drill(drill_id, "met", 0)
    with pytest.raises(RecordsError, match=f"drill {drill_id} already ended as 'met'"):
        records.finish_drill(drill_id, "not_met", 1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r, d: r.finish_drill(d, "running", 0), "status must be one of met, not_met"),
        (lambda r, d: r.finish_drill("nope", "met", 0), "no drill with id 'nope'"),
        (lambda r, d: storm(r, "nope"), "no drill with id 'nope'"),
        (lambda r, d: storm(r, d, title=""), "experiment title must not be empty"),
        (lambda r, d: storm(r, d, title="a\x00b"), "experiment title contains a NUL character"),
        (lambda r, d: storm(r, d, started_at=datetime(2026, 1, 1)), "must be timezone-aware"),
        (
            lambda r, d: storm(r, d, measures={"p95": float("inf")}),
            r"experiment measures.p95 is inf",
        ),
        (
            lambda r, d: r.add_channel_result(
                d, "sms", "great", expectation={}, delivered_share=1, acknowledged_share=None
            ),
            "channel outcome must be one of worked, degraded, failed, got 'great'",
        ),
        (
            lambda r, d: r.add_channel_result(
                d, "sms", "worked", expectation={}, delivered_share=1.5, acknowledged_share=None
            ),
            "delivered_share must be a share between 0 and 1, got 1.5",
        ),
        (
            lambda r, d: r.add_ledger_entry(d, "a@x.example", "sms", "read"),
            "ledger state must be one of sent, delivered, acknowledged, failed, refused",
        ),
        (lambda r, d: r.add_finding(d, "urgent", "x"), "finding severity must be one of"),
    ],
)
def test_values_that_cannot_be_stored_faithfully_are_refused_before_writing(
    records: Records, call: object, message: str
) -> None:
    drill_id = new_drill(records)
    before = records.get_drill(drill_id)
    with pytest.raises(RecordsError, match=message):
        call(records, drill_id)  # type: ignore[operator]
    assert records.get_drill(drill_id) == before


def test_list_drills_filters_by_start_and_status(records: Records) -> None:
    ids = [new_drill(records, started_at=T0 + timedelta(days=day)) for day in range(4)]
    records.finish_drill(ids[1], "met", 0)
    records.finish_drill(ids[2], "not_met", 1)
    assert [d.id for d in records.list_drills()] == ids
    window = records.list_drills(since=T0 + timedelta(days=1), until=T0 + timedelta(days=3))
    assert [d.id for d in window] == ids[1:3]
    assert [d.id for d in records.list_drills(status="met")] == [ids[1]]
    assert [d.id for d in records.list_drills(status=["met", "not_met"])] == ids[1:3]
    with pytest.raises(RecordsError, match="status must be one of"):
        records.list_drills(status="done")  # type: ignore[arg-type]


def test_reach_by_person_follows_the_escalation_to_sms(records: Records) -> None:
    drill_id = new_drill(records)
    records.add_ledger_entries(
        drill_id,
        [
            NewLedgerEntry("hugo@x.example", "slack", "sent", at=T0),
            NewLedgerEntry("hugo@x.example", "slack", "delivered", at=T0 + timedelta(seconds=1)),
            NewLedgerEntry("hugo@x.example", "sms", "sent", at=T0 + timedelta(seconds=600)),
            NewLedgerEntry("hugo@x.example", "sms", "acknowledged", at=T0 + timedelta(seconds=700)),
            NewLedgerEntry("paul@x.example", "email", "refused", at=T0),
        ],
    )
    [hugo, paul] = records.reach_by_person(drill_id)
    assert (hugo.person, hugo.outcome, hugo.reached_by, hugo.time_to_ack_s) == (
        "hugo@x.example",
        "acknowledged",
        "sms",
        700.0,
    )
    assert (paul.outcome, paul.reached_by) == ("not_reached", None)
    assert sorted(hugo.channels) == ["slack", "sms"]
