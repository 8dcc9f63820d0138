"""Writing whole drills in batches: what ``Records.import_drills`` and the fixtures use.

Each record is checked and redacted by the same functions as the single writers; the events are
chained afresh; then each table gets one batched insert (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from entdrill.errors import RecordsError
from entdrill.records import reach_rows, tables
from entdrill.records.chain import chain_events
from entdrill.records.database import Database
from entdrill.records.encoding import has_secrets, to_utc
from entdrill.records.models import GENESIS, DrillDetail, Event, ExperimentRecord


def prepare(detail: DrillDetail) -> DrillDetail:
    """``detail`` checked, redacted and re-chained, as it will be stored.

    Values are checked first; one ``redact`` call over the whole drill then tells whether any
    registered secret occurs in it, and only then is each record redacted field by field.
    """
    checked = _clean(detail, redaction=False)
    texts: list[Any] = []
    objects: list[Any] = []
    for record in _records(checked):
        more_texts, more_objects = tables.secret_parts(record)
        texts.extend(more_texts)
        objects.extend(more_objects)
    if has_secrets(texts, objects):
        checked = _clean(detail, redaction=True)
    events = chain_events(
        checked.drill.id, [(e.at, e.phase, e.kind, e.data) for e in checked.events]
    )
    drill = replace(
        checked.drill,
        last_seq=events[-1].seq if events else 0,
        head_hash=events[-1].hash if events else GENESIS,
    )
    return replace(checked, drill=drill, events=events)


def _clean(detail: DrillDetail, *, redaction: bool) -> DrillDetail:
    drill = tables.clean_drill(detail.drill, redaction=redaction)
    owner = drill.id

    def own(kind: str, drill_id: str | None) -> None:
        if drill_id != owner:
            raise RecordsError(f"a {kind} of drill {owner} names another drill, {drill_id!r}")

    events = []
    for event in detail.events:
        own("event", event.drill_id)
        phase, kind, data = tables.clean_event_fields(
            event.phase, event.kind, event.data, redaction=redaction
        )
        events.append(Event(owner, 0, to_utc(event.at, "event at"), phase, kind, data, "", ""))
    for named in (detail.experiments, detail.channel_results, detail.ledger, detail.findings):
        for record in named:
            own(type(record).__name__, record.drill_id)
    return DrillDetail(
        drill=drill,
        events=events,
        experiments=[tables.clean_experiment(x, redaction=redaction) for x in detail.experiments],
        channel_results=[
            tables.clean_channel_result(c, redaction=redaction) for c in detail.channel_results
        ],
        ledger=[tables.clean_ledger_entry(e, redaction=redaction) for e in detail.ledger],
        findings=[tables.clean_finding(f, redaction=redaction) for f in detail.findings],
    )


def _records(detail: DrillDetail) -> Iterator[object]:
    yield detail.drill
    yield from detail.events
    yield from detail.experiments
    yield from detail.channel_results
    yield from detail.ledger
    yield from detail.findings


def write(db: Database, details: Sequence[DrillDetail]) -> None:
    """Insert prepared drills, one batched insert per table (inside a write transaction)."""
    _ids_are_new(db, [d.drill.id for d in details])
    batches: list[tuple[str, Sequence[str], list[tuple[Any, ...]]]] = [
        ("drills", tables.DRILL_COLUMNS, [tables.drill_params(db, d.drill) for d in details]),
        (
            "events",
            tables.EVENT_COLUMNS,
            [tables.event_params(db, e) for d in details for e in d.events],
        ),
        (
            "experiments",
            tables.EXPERIMENT_COLUMNS,
            [tables.experiment_params(db, x) for d in details for x in d.experiments],
        ),
        (
            "channel_results",
            tables.CHANNEL_COLUMNS,
            [tables.channel_params(db, c) for d in details for c in d.channel_results],
        ),
        (
            "ledger_entries",
            tables.LEDGER_COLUMNS,
            [tables.ledger_params(db, e) for d in details for e in d.ledger],
        ),
        (
            "findings",
            tables.FINDING_COLUMNS,
            [tables.finding_params(db, f) for d in details for f in d.findings],
        ),
    ]
    for table, names, rows in batches:
        if rows:
            db.insert_many(table, names, rows)
    reach_rows.refold_drills(db, [d.drill.id for d in details if d.ledger])


def write_experiments(db: Database, experiments: Sequence[ExperimentRecord]) -> None:
    """Insert prepared standalone experiments in one batch (inside a write transaction)."""
    for experiment in experiments:
        if experiment.drill_id is not None:
            raise RecordsError(
                f"experiment {experiment.id} belongs to drill {experiment.drill_id}; "
                "import it with its drill"
            )
    rows = [tables.experiment_params(db, x) for x in experiments]
    if rows:
        db.insert_many("experiments", tables.EXPERIMENT_COLUMNS, rows)


def _ids_are_new(db: Database, ids: Sequence[str]) -> None:
    if len(set(ids)) != len(ids):
        raise RecordsError("the drills to import repeat a drill id")
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        marks = ", ".join("?" for _ in batch)
        row = db.query_one(f"SELECT id FROM drills WHERE id IN ({marks})", batch)  # noqa: S608
        if row is not None:
            raise RecordsError(f"a drill with id {row[0]!r} is already recorded")
