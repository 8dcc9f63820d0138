"""The ``ledger_reach`` table stays the fold of the ledger: after each write, after an import,
and after the migration that created it over a ledger written before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from entdrill.records import NewLedgerEntry, Records, open_records
from entdrill.records.connect import connect
from entdrill.records.migrations import MIGRATIONS, migrate

from .support import new_drill

T0 = datetime(2026, 3, 30, 5, 45, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def stored(records: Records) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """The table as the review reads it: (drill, person, channel) -> first try, sent, reached,
    acknowledged, group."""
    db = records.database
    t = db.time_reader()
    rows = db.query(
        "SELECT drill_id, person, channel, first_at, sent_at, reached, acked_at, staff_group "
        "FROM ledger_reach"
    )
    return {
        (d, p, c): (first and t(first), sent and t(sent), int(reached), acked and t(acked), group)
        for d, p, c, first, sent, reached, acked, group in rows
    }


def folded(records: Records) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """The same, folded from the ledger entries by the reader the review falls back on."""
    out = {}
    for r in records.load_review_data().reach:
        tries = [x for x in (r.sent_at, r.failed_at) if x is not None]
        reached = int(r.delivered_at is not None or r.acknowledged_at is not None)
        out[(r.drill_id, r.person, r.channel)] = (
            min(tries) if tries else None,
            r.sent_at,
            reached,
            r.acknowledged_at,
            r.group,
        )
    return out


def test_every_write_of_ledger_entries_refolds_the_people_it_touched(records: Records) -> None:
    drill = new_drill(records)
    other = new_drill(records, plan_name="other")
    batches = [
        # Léa's Slack message is sent; Hugo's SMS fails, then an email to him is refused.
        [
            NewLedgerEntry("lea", "slack", "sent", at(0), "enseignants"),
            NewLedgerEntry("hugo", "sms", "failed", at(5)),
            NewLedgerEntry("hugo", "email", "refused", at(6)),
        ],
        # Léa acknowledges; an earlier send of hers, recorded late, becomes her first.
        [
            NewLedgerEntry("lea", "slack", "acknowledged", at(95)),
            NewLedgerEntry("lea", "slack", "sent", at(-3)),
        ],
        # Hugo's SMS is sent again and delivered; a second acknowledgement of Léa changes nothing.
        [
            NewLedgerEntry("hugo", "sms", "sent", at(600)),
            NewLedgerEntry("hugo", "sms", "delivered", at(610), "vie-scolaire"),
            NewLedgerEntry("lea", "slack", "acknowledged", at(300)),
        ],
    ]
    records.add_ledger_entries(other, [NewLedgerEntry("lea", "slack", "sent", at(1))])
    for batch in batches:
        records.add_ledger_entries(drill, batch)
        assert stored(records) == folded(records)
    rows = stored(records)
    assert rows[(drill, "lea", "slack")] == (at(-3), at(-3), 1, at(95), "enseignants")
    assert rows[(drill, "hugo", "sms")] == (at(5), at(600), 1, None, "vie-scolaire")
    assert rows[(drill, "hugo", "email")] == (None, None, 0, None, None)
    assert rows[(other, "lea", "slack")] == (at(1), at(1), 0, None, None)
    assert len(rows) == 4


def test_an_import_folds_the_drills_it_brings(records: Records, tmp_path: Path) -> None:
    drill = new_drill(records)
    records.add_ledger_entries(
        drill,
        [
            NewLedgerEntry("lea", "slack", "sent", at(0), "enseignants"),
            NewLedgerEntry("lea", "slack", "acknowledged", at(40)),
            NewLedgerEntry("hugo", "sms", "sent", at(5)),
        ],
    )
    records.finish_drill(drill, "met", exit_code=0)
    with open_records(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        copy.import_drills([records.get_drill(drill)])
        assert stored(copy) == folded(copy) == folded(records)
        totals = copy.reach_totals(None, None)
    assert totals.people_sent == 2
    assert totals.waits == {"slack": [40_000_000]}


def test_the_migration_folds_a_ledger_written_before_the_table_existed(records_url: str) -> None:
    db = connect(records_url)
    try:
        assert migrate(db, MIGRATIONS[:3]) == [1, 2, 3]
        db.execute(
            "INSERT INTO drills (id, plan_name, plan_path, plan_digest, target, started_at, "
            "status, organisers, summary, last_seq, head_hash) "
            "VALUES ('old', 'p', 'p.yaml', 'd', 'sandbox', ?, 'met', '[]', '{}', 0, ?)",
            (db.time_param(at(-60)), "0" * 64),
        )
        for n, (person, channel, state, seconds) in enumerate(
            [
                ("lea", "slack", "sent", 0),
                ("lea", "slack", "delivered", 1),
                ("lea", "slack", "acknowledged", 95),
                ("hugo", "sms", "sent", 600),
                ("hugo", "sms", "failed", 660),
            ]
        ):
            db.execute(
                "INSERT INTO ledger_entries (id, drill_id, person, staff_group, channel, state, "
                "at, evidence) VALUES (?, 'old', ?, 'enseignants', ?, ?, ?, '{}')",
                (f"e{n}", person, channel, state, db.time_param(at(seconds))),
            )
    finally:
        db.close()
    with open_records(records_url) as records:
        rows = stored(records)
        assert rows == folded(records)
        assert rows[("old", "lea", "slack")] == (at(0), at(0), 1, at(95), "enseignants")
        assert rows[("old", "hugo", "sms")] == (at(600), at(600), 0, None, "enseignants")
        totals = records.reach_totals(None, None)
    assert totals.people_sent == 2
    assert totals.waits == {"slack": [95_000_000]}
    assert [(d, p) for _, d, p, _ in totals.missed] == [("old", "hugo")]
