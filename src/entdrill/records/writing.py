"""The bodies of the single writes, each run inside the caller's write transaction.

A drill's events are appended under the drill's lock: the drill row is read ``FOR UPDATE`` on
PostgreSQL (``BEGIN IMMEDIATE`` already holds SQLite's write lock), the next event takes the
drill's last sequence number and hash, and the event and the drill's new head are written
together. Records arrive here checked and redacted (``tables.clean_*``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from entdrill.errors import RecordsError
from entdrill.records import reach_rows, reading, tables
from entdrill.records.chain import make_event
from entdrill.records.database import Database
from entdrill.records.encoding import dump_json
from entdrill.records.models import (
    LIFECYCLE_PHASE,
    ChannelResult,
    DrillRecord,
    DrillStatus,
    Event,
    ExperimentRecord,
    Finding,
    LedgerEntry,
)


def insert_sql(table: str, names: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in names)
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608


def create(db: Database, drill: DrillRecord) -> DrillRecord:
    """Insert a new drill and chain its ``drill/created`` event; return it with its head."""
    if reading.find_drill(db, drill.id) is not None:
        raise RecordsError(f"a drill with id {drill.id!r} is already recorded")
    db.execute(insert_sql("drills", tables.DRILL_COLUMNS), tables.drill_params(db, drill))
    data = {
        "plan_name": drill.plan_name,
        "plan_path": drill.plan_path,
        "plan_digest": drill.plan_digest,
        "target": drill.target,
        "organisers": list(drill.organisers),
        "pid": drill.pid,
        "host": drill.host,
    }
    event = chain(db, drill, drill.started_at, LIFECYCLE_PHASE, "created", data)
    return replace(drill, last_seq=event.seq, head_hash=event.hash)


def append(
    db: Database, drill_id: str, at: datetime, phase: str, kind: str, data: dict[str, Any]
) -> Event:
    drill = reading.require_drill(db, drill_id, lock=True)
    return chain(db, drill, at, phase, kind, data)


def end(
    db: Database,
    drill_id: str,
    status: DrillStatus,
    exit_code: int | None,
    summary: dict[str, Any] | None,
    reason: str | None,
    when: datetime,
    kind: str,
) -> DrillRecord:
    """End a running drill: its verdict on the drill row and as a chained ``drill/<kind>``."""
    drill = reading.require_drill(db, drill_id, lock=True)
    if drill.status != "running":
        ended_at = f" at {drill.ended_at:%Y-%m-%d %H:%M:%S} UTC" if drill.ended_at else ""
        raise RecordsError(
            f"drill {drill_id} already ended as {drill.status!r}{ended_at}; "
            f"it cannot be {kind} again"
        )
    ended = tables.clean_drill(
        replace(
            drill,
            status=status,
            ended_at=when,
            exit_code=exit_code,
            reason=reason,
            summary=summary or {},
        )
    )
    data = {"status": status, "exit_code": ended.exit_code, "reason": ended.reason}
    event = chain(db, drill, when, LIFECYCLE_PHASE, kind, data)
    db.execute(
        "UPDATE drills SET status = ?, ended_at = ?, exit_code = ?, reason = ?, summary = ? "
        "WHERE id = ?",
        (
            ended.status,
            db.time_param(when),
            ended.exit_code,
            ended.reason,
            dump_json(ended.summary),
            drill_id,
        ),
    )
    return replace(ended, last_seq=event.seq, head_hash=event.hash)


def chain(
    db: Database, drill: DrillRecord, at: datetime, phase: str, kind: str, data: dict[str, Any]
) -> Event:
    """Write the event after ``drill``'s head and move the head."""
    event = make_event(drill.id, drill.last_seq + 1, at, phase, kind, data, drill.head_hash)
    db.execute(insert_sql("events", tables.EVENT_COLUMNS), tables.event_params(db, event))
    db.execute(
        "UPDATE drills SET last_seq = ?, head_hash = ? WHERE id = ?",
        (event.seq, event.hash, drill.id),
    )
    return event


def add_experiment(db: Database, experiment: ExperimentRecord) -> None:
    if experiment.drill_id is not None:
        reading.require_drill(db, experiment.drill_id)
    params = tables.experiment_params(db, experiment)
    db.execute(insert_sql("experiments", tables.EXPERIMENT_COLUMNS), params)


def put_channel_result(db: Database, result: ChannelResult) -> None:
    """Insert a channel's result, or replace the one recorded for that channel."""
    reading.require_drill(db, result.drill_id)
    updates = ", ".join(f"{c} = excluded.{c}" for c in tables.CHANNEL_COLUMNS[2:])
    sql = insert_sql("channel_results", tables.CHANNEL_COLUMNS)
    sql += f" ON CONFLICT (drill_id, channel) DO UPDATE SET {updates}"
    db.execute(sql, tables.channel_params(db, result))


def add_ledger_entries(db: Database, drill_id: str, entries: Sequence[LedgerEntry]) -> None:
    reading.require_drill(db, drill_id)
    rows = [tables.ledger_params(db, e) for e in entries]
    db.insert_many("ledger_entries", tables.LEDGER_COLUMNS, rows)
    reach_rows.refold_people(db, drill_id, [e.person for e in entries])


def add_finding(db: Database, finding: Finding) -> None:
    reading.require_drill(db, finding.drill_id)
    db.execute(insert_sql("findings", tables.FINDING_COLUMNS), tables.finding_params(db, finding))


def close_finding(db: Database, finding_id: str, resolution: str | None, when: datetime) -> Finding:
    row = db.query_one(
        f"SELECT {tables.columns(tables.FINDING_COLUMNS)} FROM findings WHERE id = ?",  # noqa: S608
        (finding_id,),
    )
    if row is None:
        raise RecordsError(f"no finding with id {finding_id!r} in {db.where}")
    finding = tables.finding_from_row(db, row)
    if finding.status == "closed":
        raise RecordsError(
            f"finding {finding_id} ({finding.title!r}) is already closed since "
            f"{finding.closed_at:%Y-%m-%d %H:%M:%S} UTC"
        )
    closed = tables.clean_finding(
        replace(finding, status="closed", closed_at=when, resolution=resolution)
    )
    db.execute(
        "UPDATE findings SET status = 'closed', closed_at = ?, resolution = ? WHERE id = ?",
        (db.time_param(when), closed.resolution, finding_id),
    )
    return closed
