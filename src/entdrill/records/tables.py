"""Each record type's table: its columns, how a record is checked and redacted before it is
written, and how a row reads back. The single writers and the bulk import share these, so both
paths refuse and redact the same things.
"""

from __future__ import annotations

import json as json_module
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from entdrill.errors import RecordsError
from entdrill.records.database import Database, Row
from entdrill.records.encoding import (
    check_json_strict,
    check_object,
    check_text,
    dump_json,
    has_secrets,
    load_json,
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
from entdrill.redact import redact

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

#: Reads a stored JSON text (None stays None).
JsonReader = Callable[[str | None], Any]


#: Per record type, the text fields and the JSON fields that pass through ``redact``.
REDACTED: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {
    DrillRecord: (
        ("plan_name", "plan_path", "plan_digest", "target", "reason", "host"),
        ("organisers", "summary"),
    ),
    ExperimentRecord: (("title", "path", "kind", "status"), ("measures", "series", "journal")),
    ChannelResult: (("channel", "cause"), ("expectation", "details")),
    LedgerEntry: (("person", "channel", "group"), ("evidence",)),
    Finding: (("title", "detail", "owner", "resolution", "key"), ()),
    Event: (("phase", "kind"), ("data",)),
}

R = TypeVar("R")


_last_id = 0
_id_lock = threading.Lock()


def _forget_last_id() -> None:
    """A forked child draws its own ids: continuing the parent's sequence could repeat one."""
    global _last_id
    _last_id = 0


os.register_at_fork(after_in_child=_forget_last_id)


def new_id(at_ms: int | None = None, random_bits: int | None = None) -> str:
    """A UUIDv7 text id: time-ordered (new rows land at the end of the index), random below.

    Ids drawn from the clock also increase strictly within a process, so records written in
    the same millisecond keep their order.
    """
    global _last_id
    ms = time.time_ns() // 1_000_000 if at_ms is None else at_ms
    rand = int.from_bytes(os.urandom(10)) if random_bits is None else random_bits
    rand &= (1 << 74) - 1
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    if at_ms is None:
        with _id_lock:
            if value <= _last_id:
                value = _last_id + 1
            _last_id = value
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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
    check_text(value, field, empty=False)
    assert isinstance(value, str)
    if len(value) > 200:
        raise RecordsError(f"{field} must be at most 200 characters, got {len(value)}")
    return value


def _opt_int(value: object, field: str) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise RecordsError(f"{field} must be an integer, got {value!r}")
    return value


def _time(value: datetime, field: str) -> datetime:
    return to_utc(value, field)


def _opt(value: datetime | None, field: str) -> datetime | None:
    return None if value is None else to_utc(value, field)


def secret_parts(record: object) -> tuple[list[Any], list[Any]]:
    """The values of ``record`` that redaction looks at: texts, then JSON values."""
    texts, objects = REDACTED[type(record)]
    return [getattr(record, n) for n in texts], [getattr(record, n) for n in objects]


def _scrub(record: R, changes: dict[str, Any], redaction: bool) -> R:
    """``record`` with ``changes`` applied and, when ``redaction``, its text and JSON fields
    redacted (only where a registered secret occurs: the common case costs one ``redact``)."""
    texts, objects = REDACTED[type(record)]

    def current(name: str) -> Any:
        return changes[name] if name in changes else getattr(record, name)

    if redaction and has_secrets([current(n) for n in texts], [current(n) for n in objects]):
        for name in (*texts, *objects):
            value = current(name)
            if value is not None:
                changes[name] = redact(value)
        if "organisers" in changes:
            changes["organisers"] = tuple(changes["organisers"])
    changed = {k: v for k, v in changes.items() if getattr(record, k) is not v}
    return replace(record, **changed) if changed else record  # type: ignore[type-var]


def _opt_time(db: Database, value: Any) -> Any:
    return None if value is None else db.time_param(value)


def _read_opt_time(db: Database, value: Any) -> Any:
    return None if value is None else db.read_time(value)


# -- drills --------------------------------------------------------------------------------------


def clean_drill(d: DrillRecord, *, redaction: bool = True) -> DrillRecord:
    _id(d.id, "drill id")
    for name in ("plan_name", "plan_path", "plan_digest", "target"):
        check_text(getattr(d, name), name, empty=False)
    for organiser in d.organisers:
        check_text(organiser, "organisers[]", empty=False)
    check_text(d.reason, "reason", optional=True)
    check_text(d.host, "host", optional=True)
    choice(d.status, DRILL_STATUSES, "status")
    _opt_int(d.exit_code, "exit_code")
    _opt_int(d.pid, "pid")
    changes = {
        "started_at": _time(d.started_at, "started_at"),
        "ended_at": _opt(d.ended_at, "ended_at"),
        "summary": check_object(d.summary, "summary"),
        "organisers": tuple(d.organisers),
    }
    return _scrub(d, changes, redaction)


def drill_params(db: Database, d: DrillRecord) -> Row:
    return (
        d.id, d.plan_name, d.plan_path, d.plan_digest, d.target, db.time_param(d.started_at),
        _opt_time(db, d.ended_at), d.status, d.exit_code, d.reason, d.pid, d.host,
        dump_json(list(d.organisers)), dump_json(d.summary), d.last_seq, d.head_hash,
    )  # fmt: skip


def drill_from_row(db: Database, r: Row, json: JsonReader = load_json) -> DrillRecord:
    """A drill from its row (``json`` reads its JSON columns: see ``shared_json``)."""
    return DrillRecord(
        id=r[0], plan_name=r[1], plan_path=r[2], plan_digest=r[3], target=r[4],
        started_at=db.read_time(r[5]), ended_at=_read_opt_time(db, r[6]), status=r[7],
        exit_code=r[8], reason=r[9], pid=r[10], host=r[11],
        organisers=tuple(json(r[12])), summary=json(r[13]),
        last_seq=r[14], head_hash=r[15],
    )  # fmt: skip


# -- events --------------------------------------------------------------------------------------


def clean_event_fields(
    phase: object, kind: object, data: object, *, redaction: bool = True
) -> tuple[str, str, dict[str, Any]]:
    """An event's phase, kind and data checked (data strictly: it is hashed) and redacted."""
    check_text(phase, "event phase", empty=False)
    check_text(kind, "event kind", empty=False)
    clean = check_object(data, "event data")
    check_json_strict(clean, "event data")
    assert isinstance(phase, str) and isinstance(kind, str)
    if redaction and has_secrets([phase, kind], [clean]):
        return redact(phase), redact(kind), redact(clean)
    return phase, kind, clean


def event_params(db: Database, e: Event) -> Row:
    return (
        e.drill_id, e.seq, db.time_param(e.at), e.phase, e.kind, dump_json(e.data),
        e.prev_hash, e.hash,
    )  # fmt: skip


def event_from_row(db: Database, r: Row) -> Event:
    return Event(r[0], r[1], db.read_time(r[2]), r[3], r[4], load_json(r[5]), r[6], r[7])


# -- experiments ---------------------------------------------------------------------------------


def clean_experiment(x: ExperimentRecord, *, redaction: bool = True) -> ExperimentRecord:
    _id(x.id, "experiment id")
    if x.drill_id is not None:
        _id(x.drill_id, "drill id")
    for name in ("title", "path", "kind", "status"):
        check_text(getattr(x, name), f"experiment {name}", empty=False)
    changes = {
        "deviated": bool(x.deviated),
        "started_at": _time(x.started_at, "experiment started_at"),
        "ended_at": _opt(x.ended_at, "experiment ended_at"),
        "measures": check_object(x.measures, "experiment measures"),
        "series": None if x.series is None else check_object(x.series, "experiment series"),
        "journal": None if x.journal is None else check_object(x.journal, "experiment journal"),
    }
    return _scrub(x, changes, redaction)


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


def experiment_from_row(db: Database, r: Row, json: JsonReader = load_json) -> ExperimentRecord:
    """An experiment from its row (``json`` reads its measures: see ``keyed_json``)."""
    return ExperimentRecord(
        id=r[0], drill_id=r[1], title=r[2], path=r[3], kind=r[4], status=r[5],
        deviated=bool(r[6]), started_at=db.read_time(r[7]), ended_at=_read_opt_time(db, r[8]),
        measures=json(r[9]), series=load_json(r[10]), journal=load_json(r[11]),
    )  # fmt: skip


# -- channel results -----------------------------------------------------------------------------


def clean_channel_result(c: ChannelResult, *, redaction: bool = True) -> ChannelResult:
    _id(c.drill_id, "drill id")
    check_text(c.channel, "channel", empty=False)
    choice(c.outcome, CHANNEL_OUTCOMES, "channel outcome")
    check_text(c.cause, "channel cause", optional=True)
    changes = {
        "expectation": check_object(c.expectation, "channel expectation"),
        "delivered_share": share(c.delivered_share, "delivered_share"),
        "acknowledged_share": share(c.acknowledged_share, "acknowledged_share"),
        "details": check_object(c.details, "channel details"),
        "recorded_at": _time(c.recorded_at, "channel recorded_at"),
    }
    return _scrub(c, changes, redaction)


def channel_params(db: Database, c: ChannelResult) -> Row:
    return (
        c.drill_id, c.channel, c.outcome, dump_json(c.expectation), c.delivered_share,
        c.acknowledged_share, c.cause, dump_json(c.details), db.time_param(c.recorded_at),
    )  # fmt: skip


def channel_from_row(db: Database, r: Row, json: JsonReader = load_json) -> ChannelResult:
    """A channel result from its row (``json`` reads its JSON columns: see ``shared_json``)."""
    return ChannelResult(
        r[0], r[1], r[2], json(r[3]), r[4], r[5], r[6], json(r[7]), db.read_time(r[8])
    )


def shared_json() -> JsonReader:
    """``load_json`` that parses each distinct text once and hands the same value back for it
    (expectations, details and summaries repeat across thousands of rows): for readers that do
    not change what they read."""
    cache: dict[str | None, Any] = {}

    def read(text: str | None) -> Any:
        try:
            return cache[text]
        except KeyError:
            value = cache[text] = load_json(text)
            return value

    return read


def keyed_json() -> JsonReader:
    """``load_json`` whose objects share their keys across the texts it reads (``json.loads``
    shares them only within one text): 26,000 experiments' measures repeat the same dozen keys,
    and the copies weighed as much as the values."""
    keys: dict[str, str] = {}
    share_key = keys.setdefault

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        return {share_key(key, key): value for key, value in items}

    decode = json_module.JSONDecoder(object_pairs_hook=pairs).decode

    def read(text: str | None) -> Any:
        return None if text is None else decode(text)

    return read


# -- ledger --------------------------------------------------------------------------------------


def clean_ledger_entry(e: LedgerEntry, *, redaction: bool = True) -> LedgerEntry:
    _id(e.id, "ledger entry id")
    _id(e.drill_id, "drill id")
    check_text(e.person, "ledger person", empty=False)
    check_text(e.channel, "ledger channel", empty=False)
    check_text(e.group, "ledger group", optional=True)
    choice(e.state, LEDGER_STATES, "ledger state")
    changes = {
        "at": _time(e.at, "ledger at"),
        "evidence": check_object(e.evidence, "ledger evidence"),
    }
    return _scrub(e, changes, redaction)


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


def clean_finding(f: Finding, *, redaction: bool = True) -> Finding:
    _id(f.id, "finding id")
    _id(f.drill_id, "drill id")
    choice(f.severity, SEVERITIES, "finding severity")
    choice(f.status, FINDING_STATUSES, "finding status")
    check_text(f.title, "finding title", empty=False)
    check_text(f.detail, "finding detail")
    for name in ("owner", "resolution", "key"):
        check_text(getattr(f, name), f"finding {name}", optional=True)
    changes = {
        "created_at": _time(f.created_at, "finding created_at"),
        "closed_at": _opt(f.closed_at, "finding closed_at"),
    }
    return _scrub(f, changes, redaction)


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
