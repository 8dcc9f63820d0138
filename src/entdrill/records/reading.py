"""Reading records back: one drill in full, lists of drills, and the review's bulk load.

Every reader issues a fixed number of queries whatever the number of drills (one per table,
joined to the drills of the window), streams the rows, and orders them the same way on both
backends (times first, then ids compared byte-wise).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from entdrill.errors import RecordsError
from entdrill.records.database import Database
from entdrill.records.encoding import load_json, to_utc
from entdrill.records.models import (
    DRILL_STATUSES,
    DrillDetail,
    DrillRecord,
    Event,
    ExperimentRecord,
    PersonChannelReach,
    ReviewData,
)
from entdrill.records.tables import (
    CHANNEL_COLUMNS,
    DRILL_COLUMNS,
    EVENT_COLUMNS,
    FINDING_COLUMNS,
    LEDGER_COLUMNS,
    channel_from_row,
    choice,
    columns,
    drill_from_row,
    event_from_row,
    experiment_from_row,
    experiment_select,
    finding_from_row,
    ledger_from_row,
)

ID_BATCH = 500


def find_drill(db: Database, drill_id: str, *, lock: bool = False) -> DrillRecord | None:
    suffix = db.for_update if lock else ""
    row = db.query_one(
        f"SELECT {columns(DRILL_COLUMNS)} FROM drills WHERE id = ?{suffix}",  # noqa: S608
        (drill_id,),
    )
    return None if row is None else drill_from_row(db, row)


def require_drill(db: Database, drill_id: str, *, lock: bool = False) -> DrillRecord:
    drill = find_drill(db, drill_id, lock=lock)
    if drill is None:
        raise RecordsError(f"no drill with id {drill_id!r} in the records database {db.where}")
    return drill


def drill_events(db: Database, drill_id: str) -> list[Event]:
    rows = db.stream(
        f"SELECT {columns(EVENT_COLUMNS)} FROM events WHERE drill_id = ? ORDER BY seq",  # noqa: S608
        (drill_id,),
    )
    return [event_from_row(db, row) for row in rows]


def drill_detail(db: Database, drill_id: str) -> DrillDetail:
    """Everything about one drill: six queries in one snapshot."""
    with db.transaction(write=False):
        drill = require_drill(db, drill_id)
        one = "d.id = ?"
        return DrillDetail(
            drill=drill,
            events=drill_events(db, drill_id),
            experiments=_experiments(db, one, [drill_id], series=True, journal=True),
            channel_results=[
                channel_from_row(db, r) for r in _joined(db, "channel_results", one, [drill_id])
            ],
            ledger=[ledger_from_row(db, r) for r in _joined(db, "ledger_entries", one, [drill_id])],
            findings=[finding_from_row(db, r) for r in _joined(db, "findings", one, [drill_id])],
        )


def list_drills(
    db: Database,
    since: datetime | None,
    until: datetime | None,
    status: str | Iterable[str] | None,
) -> list[DrillRecord]:
    where, params = window(db, "d.started_at", since, until)
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        for value in statuses:
            choice(value, DRILL_STATUSES, "status")
        where += f" AND d.status IN ({', '.join('?' for _ in statuses)})"
        params.extend(statuses)
    sql = (
        f"SELECT {columns(DRILL_COLUMNS, 'd')} FROM drills d WHERE {where} "  # noqa: S608
        "ORDER BY d.started_at, d.id{C}"
    )
    return [drill_from_row(db, row) for row in db.stream(sql, params)]


def review_data(
    db: Database,
    since: datetime | None,
    until: datetime | None,
    *,
    ledger: bool,
    series: bool,
    journals: bool,
) -> ReviewData:
    """The drills of ``[since, until)`` with what the review needs, in seven or eight queries."""
    with db.transaction(write=False):
        where, params = window(db, "d.started_at", since, until)
        own, own_params = window(db, "x.started_at", since, until)
        standalone_sql = (
            f"SELECT {experiment_select(series=series, journal=journals)} "  # noqa: S608
            f"FROM experiments x WHERE x.drill_id IS NULL AND {own} "
            "ORDER BY x.started_at, x.id{C}"
        )
        open_sql = (
            f"SELECT {columns(FINDING_COLUMNS, 'f')} FROM findings f "  # noqa: S608
            "WHERE f.status = 'open' ORDER BY f.created_at, f.id{C}"
        )
        return ReviewData(
            since=since,
            until=until,
            drills=list_drills(db, since, until, None),
            experiments=_experiments(db, where, params, series=series, journal=journals),
            standalone_experiments=[
                experiment_from_row(db, r) for r in db.stream(standalone_sql, own_params)
            ],
            channel_results=[
                channel_from_row(db, r) for r in _joined(db, "channel_results", where, params)
            ],
            reach=reach(db, where, params),
            findings=[finding_from_row(db, r) for r in _joined(db, "findings", where, params)],
            open_findings=[finding_from_row(db, r) for r in db.stream(open_sql)],
            ledger=(
                [ledger_from_row(db, r) for r in _joined(db, "ledger_entries", where, params)]
                if ledger
                else []
            ),
        )


def reach(db: Database, where: str, params: Sequence[Any]) -> list[PersonChannelReach]:
    """The ledger folded per drill, person and channel: the first time of each state."""
    firsts = ", ".join(
        f"MIN(CASE WHEN l.state = '{state}' THEN l.at END)"
        for state in ("sent", "delivered", "acknowledged", "failed", "refused")
    )
    sql = (
        f"SELECT l.drill_id, l.person, MAX(l.staff_group), l.channel, {firsts} "  # noqa: S608
        f"FROM ledger_entries l JOIN drills d ON d.id = l.drill_id WHERE {where} "
        "GROUP BY d.started_at, l.drill_id, l.person, l.channel "
        "ORDER BY d.started_at, l.drill_id{C}, l.person{C}, l.channel{C}"
    )
    rows = db.stream(sql, params)
    t = db.read_time
    return [
        PersonChannelReach(r[0], r[1], r[2], r[3], *(None if v is None else t(v) for v in r[4:9]))
        for r in rows
    ]


def series_of(db: Database, experiment_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The per-second series of the given experiments (those that have one), in batches."""
    ids = list(dict.fromkeys(experiment_ids))
    found: dict[str, dict[str, Any]] = {}
    with db.transaction(write=False):
        for start in range(0, len(ids), ID_BATCH):
            batch = ids[start : start + ID_BATCH]
            marks = ", ".join("?" for _ in batch)
            sql = f"SELECT id, series FROM experiments WHERE id IN ({marks}) AND series IS NOT NULL"  # noqa: S608
            for experiment_id, text in db.stream(sql, batch):
                found[experiment_id] = load_json(text)
    return found


def window(
    db: Database, column: str, since: datetime | None, until: datetime | None
) -> tuple[str, list[Any]]:
    """A ``since <= column < until`` condition (either bound optional) and its parameters."""
    clauses = ["1 = 1"]
    params: list[Any] = []
    if since is not None:
        clauses.append(f"{column} >= ?")
        params.append(db.time_param(to_utc(since, "since")))
    if until is not None:
        clauses.append(f"{column} < ?")
        params.append(db.time_param(to_utc(until, "until")))
    return " AND ".join(clauses), params


_JOINED = {
    "channel_results": ("c", CHANNEL_COLUMNS, "c.channel{C}"),
    "ledger_entries": ("l", LEDGER_COLUMNS, "l.at, l.id{C}"),
    "findings": ("f", FINDING_COLUMNS, "f.created_at, f.id{C}"),
}


def _joined(db: Database, table: str, where: str, params: Sequence[Any]) -> Iterable[Any]:
    alias, names, order = _JOINED[table]
    sql = (
        f"SELECT {columns(names, alias)} FROM {table} {alias} "  # noqa: S608
        f"JOIN drills d ON d.id = {alias}.drill_id WHERE {where} "
        f"ORDER BY d.started_at, d.id{{C}}, {order}"
    )
    return db.stream(sql, params)


def _experiments(
    db: Database, where: str, params: Sequence[Any], *, series: bool, journal: bool
) -> list[ExperimentRecord]:
    sql = (
        f"SELECT {experiment_select(series=series, journal=journal)} FROM experiments x "  # noqa: S608
        f"JOIN drills d ON d.id = x.drill_id WHERE {where} "
        "ORDER BY d.started_at, d.id{C}, x.started_at, x.id{C}"
    )
    return [experiment_from_row(db, row) for row in db.stream(sql, params)]
