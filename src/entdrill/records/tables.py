"""Each record type's table: its columns, how a record is checked and redacted before it is
written, and how a row reads back. The single writers and the bulk import share these, so both
paths refuse and redact the same things.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import Any

from entdrill.errors import RecordsError
from entdrill.records.database import Database, Row
from entdrill.records.encoding import (
    clean_object,
    clean_text,
    dump_json,
    load_json,
    required_text,
    to_utc,
)
from entdrill.records.models import (
    CHANNEL_OUTCOMES,
    DRILL_STATUSES,
    FINDING_STATUSES,
    LEDGER_STATES,
    SEVERITIES,
    ChannelResult,
    DrillRecord,
    Event,
    ExperimentRecord,
    Finding,
    LedgerEntry,
)

DRILL_COLUMNS = (
    "id", "plan_name", "plan_path", "plan_digest", "target", "started_at", "ended_at", "status",
    "exit_code", "reason", "pid", "host", "organisers", "summary", "last_seq", "head_hash",
)  # fmt: skip
EVENT_COLUMNS = ("drill_id", "seq", "at", "phase", "kind", "data", "prev_hash", "hash")
EXPERIMENT_COLUMNS = (
    "id", "drill_id", "title", "path", "kind", "status", "deviated", "started_at", "ended_at",
    "measures", "series", "journal",
)  # fmt: skip
CHANNEL_COLUMNS = (
    "drill_id", "channel", "outcome", "expectation", "delivered_share", "acknowledged_share",
    "cause", "details", "recorded_at",
)  # fmt: skip
LEDGER_COLUMNS = ("id", "drill_id", "person", "staff_group", "channel", "state", "at", "evidence")
FINDING_COLUMNS = (
    "id", "drill_id", "finding_key", "severity", "title", "detail", "owner", "status",
    "created_at", "closed_at", "resolution",
)  # fmt: skip


def new_id() -> str:
    return str(uuid.uuid4())


def columns(names: Sequence[str], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + name for name in names)


def choice(value: object, choices: Sequence[str], field: str) -> Any:
    if value not in choices:
        raise RecordsError(f"{field} must be one of {', '.join(choices)}, got {value!r}")
    return value


def share(value: object, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise RecordsError(f"{field} must be a share between 0 and 1, got {value!r}")
    return float(value)


def _id(value: object, field: str) -> str:
    text = required_text(value, field)
    if len(text) > 200:
        raise RecordsError(f"{field} must be at most 200 characters, got {len(text)}")
    return text


def _opt_int(value: object, field: str) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise RecordsError(f"{field} must be an integer, got {value!r}")
    return value


def _opt_time(db: Database, value: Any) -> Any:
    return None if value is None else db.time_param(value)


def _read_opt_time(db: Database, value: Any) -> Any:
    return None if value is None else db.read_time(value)


# -- drills --------------------------------------------------------------------------------------


def clean_drill(d: DrillRecord) -> DrillRecord:
    organisers = tuple(required_text(o, "organisers[]") for o in d.organisers)
    return dataclasses.replace(
        d,
        id=_id(d.id, "drill id"),
        plan_name=required_text(d.plan_name, "plan_name"),
        plan_path=required_text(d.plan_path, "plan_path"),
        plan_digest=required_text(d.plan_digest, "plan_digest"),
        target=required_text(d.target, "target"),
        started_at=to_utc(d.started_at, "started_at"),
        ended_at=None if d.ended_at is None else to_utc(d.ended_at, "ended_at"),
        status=choice(d.status, DRILL_STATUSES, "status"),
        exit_code=_opt_int(d.exit_code, "exit_code"),
        reason=clean_text(d.reason, "reason", optional=True),
        pid=_opt_int(d.pid, "pid"),
        host=clean_text(d.host, "host", optional=True),
        organisers=organisers,
        summary=clean_object(d.summary, "summary"),
    )


def drill_params(db: Database, d: DrillRecord) -> Row:
    return (
        d.id, d.plan_name, d.plan_path, d.plan_digest, d.target, db.time_param(d.started_at),
        _opt_time(db, d.ended_at), d.status, d.exit_code, d.reason, d.pid, d.host,
        dump_json(list(d.organisers)), dump_json(d.summary), d.last_seq, d.head_hash,
    )  # fmt: skip


def drill_from_row(db: Database, r: Row) -> DrillRecord:
    return DrillRecord(
        id=r[0], plan_name=r[1], plan_path=r[2], plan_digest=r[3], target=r[4],
        started_at=db.read_time(r[5]), ended_at=_read_opt_time(db, r[6]), status=r[7],
        exit_code=r[8], reason=r[9], pid=r[10], host=r[11],
        organisers=tuple(load_json(r[12])), summary=load_json(r[13]),
        last_seq=r[14], head_hash=r[15],
    )  # fmt: skip


# -- events --------------------------------------------------------------------------------------


def clean_event_fields(
    phase: object, kind: object, data: object
) -> tuple[str, str, dict[str, Any]]:
    return (
        required_text(phase, "event phase"),
        required_text(kind, "event kind"),
        clean_object(data, "event data"),
    )


def event_params(db: Database, e: Event) -> Row:
    return (
        e.drill_id, e.seq, db.time_param(e.at), e.phase, e.kind, dump_json(e.data),
        e.prev_hash, e.hash,
    )  # fmt: skip


def event_from_row(db: Database, r: Row) -> Event:
    return Event(r[0], r[1], db.read_time(r[2]), r[3], r[4], load_json(r[5]), r[6], r[7])


# -- experiments ---------------------------------------------------------------------------------


def clean_experiment(x: ExperimentRecord) -> ExperimentRecord:
    return dataclasses.replace(
        x,
        id=_id(x.id, "experiment id"),
        drill_id=None if x.drill_id is None else _id(x.drill_id, "drill id"),
        title=required_text(x.title, "experiment title"),
        path=required_text(x.path, "experiment path"),
        kind=required_text(x.kind, "experiment kind"),
        status=required_text(x.status, "experiment status"),
        deviated=bool(x.deviated),
        started_at=to_utc(x.started_at, "experiment started_at"),
        ended_at=None if x.ended_at is None else to_utc(x.ended_at, "experiment ended_at"),
        measures=clean_object(x.measures, "experiment measures"),
        series=None if x.series is None else clean_object(x.series, "experiment series"),
        journal=None if x.journal is None else clean_object(x.journal, "experiment journal"),
    )


def experiment_params(db: Database, x: ExperimentRecord) -> Row:
    return (
        x.id, x.drill_id, x.title, x.path, x.kind, x.status, x.deviated,
        db.time_param(x.started_at), _opt_time(db, x.ended_at), dump_json(x.measures),
        None if x.series is None else dump_json(x.series),
        None if x.journal is None else dump_json(x.journal),
    )  # fmt: skip


def experiment_select(*, series: bool, journal: bool, alias: str = "x") -> str:
    """The experiment columns, with ``NULL`` in place of the large ones not asked for."""
    names = [f"{alias}.{name}" for name in EXPERIMENT_COLUMNS]
    if not series:
        names[-2] = "NULL"
    if not journal:
        names[-1] = "NULL"
    return ", ".join(names)


def experiment_from_row(db: Database, r: Row) -> ExperimentRecord:
    return ExperimentRecord(
        id=r[0], drill_id=r[1], title=r[2], path=r[3], kind=r[4], status=r[5],
        deviated=bool(r[6]), started_at=db.read_time(r[7]), ended_at=_read_opt_time(db, r[8]),
        measures=load_json(r[9]), series=load_json(r[10]), journal=load_json(r[11]),
    )  # fmt: skip


# -- channel results -----------------------------------------------------------------------------


def clean_channel_result(c: ChannelResult) -> ChannelResult:
    return dataclasses.replace(
        c,
        drill_id=_id(c.drill_id, "drill id"),
        channel=required_text(c.channel, "channel"),
        outcome=choice(c.outcome, CHANNEL_OUTCOMES, "channel outcome"),
        expectation=clean_object(c.expectation, "channel expectation"),
        delivered_share=share(c.delivered_share, "delivered_share"),
        acknowledged_share=share(c.acknowledged_share, "acknowledged_share"),
        cause=clean_text(c.cause, "channel cause", optional=True),
        details=clean_object(c.details, "channel details"),
        recorded_at=to_utc(c.recorded_at, "channel recorded_at"),
    )


def channel_params(db: Database, c: ChannelResult) -> Row:
    return (
        c.drill_id, c.channel, c.outcome, dump_json(c.expectation), c.delivered_share,
        c.acknowledged_share, c.cause, dump_json(c.details), db.time_param(c.recorded_at),
    )  # fmt: skip


def channel_from_row(db: Database, r: Row) -> ChannelResult:
    return ChannelResult(
        r[0], r[1], r[2], load_json(r[3]), r[4], r[5], r[6], load_json(r[7]), db.read_time(r[8])
    )


# -- ledger --------------------------------------------------------------------------------------


def clean_ledger_entry(e: LedgerEntry) -> LedgerEntry:
    return dataclasses.replace(
        e,
        id=_id(e.id, "ledger entry id"),
        drill_id=_id(e.drill_id, "drill id"),
        person=required_text(e.person, "ledger person"),
        channel=required_text(e.channel, "ledger channel"),
        state=choice(e.state, LEDGER_STATES, "ledger state"),
        at=to_utc(e.at, "ledger at"),
        group=clean_text(e.group, "ledger group", optional=True),
        evidence=clean_object(e.evidence, "ledger evidence"),
    )


def ledger_params(db: Database, e: LedgerEntry) -> Row:
    return (
        e.id, e.drill_id, e.person, e.group, e.channel, e.state, db.time_param(e.at),
        dump_json(e.evidence),
    )  # fmt: skip


def ledger_from_row(db: Database, r: Row) -> LedgerEntry:
    return LedgerEntry(
        id=r[0], drill_id=r[1], person=r[2], group=r[3], channel=r[4], state=r[5],
        at=db.read_time(r[6]), evidence=load_json(r[7]),
    )  # fmt: skip


# -- findings ------------------------------------------------------------------------------------


def clean_finding(f: Finding) -> Finding:
    return dataclasses.replace(
        f,
        id=_id(f.id, "finding id"),
        drill_id=_id(f.drill_id, "drill id"),
        severity=choice(f.severity, SEVERITIES, "finding severity"),
        title=required_text(f.title, "finding title"),
        detail=clean_text(f.detail, "finding detail") or "",
        owner=clean_text(f.owner, "finding owner", optional=True),
        status=choice(f.status, FINDING_STATUSES, "finding status"),
        created_at=to_utc(f.created_at, "finding created_at"),
        closed_at=None if f.closed_at is None else to_utc(f.closed_at, "finding closed_at"),
        resolution=clean_text(f.resolution, "finding resolution", optional=True),
        key=clean_text(f.key, "finding key", optional=True),
    )


def finding_params(db: Database, f: Finding) -> Row:
    return (
        f.id, f.drill_id, f.key, f.severity, f.title, f.detail, f.owner, f.status,
        db.time_param(f.created_at), _opt_time(db, f.closed_at), f.resolution,
    )  # fmt: skip


def finding_from_row(db: Database, r: Row) -> Finding:
    return Finding(
        id=r[0], drill_id=r[1], key=r[2], severity=r[3], title=r[4], detail=r[5], owner=r[6],
        status=r[7], created_at=db.read_time(r[8]), closed_at=_read_opt_time(db, r[9]),
        resolution=r[10],
    )  # fmt: skip
