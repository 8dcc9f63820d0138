"""Reading records back: one drill in full, lists of drills, and the review's bulk load.

Every reader issues a fixed number of queries whatever the number of drills (one per table,
joined to the drills of the window), streams the rows, and orders them the same way on both
backends (times first, then ids compared byte-wise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from entdrill.errors import UnknownDrill
from entdrill.records.database import Database
from entdrill.records.encoding import load_json, to_utc
from entdrill.records.models import (
    DRILL_STATUSES,
    DrillDetail,
    DrillRecord,
    Event,
    ExperimentRecord,
    LedgerEntry,
    PersonChannelReach,
    ReachFact,
    ReviewData,
)
from entdrill.records.tables import (
    CHANNEL_COLUMNS,
    DRILL_COLUMNS,
    EVENT_COLUMNS,
    FINDING_COLUMNS,
    LEDGER_COLUMNS,
    JsonReader,
    channel_from_row,
    choice,
    columns,
    drill_from_row,
    event_from_row,
    experiment_from_row,
    experiment_select,
    finding_from_row,
    keyed_json,
    shared_json,
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
        raise UnknownDrill(
            f"no drill with id {drill_id!r} in the records database {db.where}; "
            "`entdrill drill list` shows them"
        )
    return drill


def drill_events(db: Database, drill_id: str) -> list[Event]:
    rows = db.stream(
        f"SELECT {columns(EVENT_COLUMNS)} FROM events WHERE drill_id = ? ORDER BY seq",  # noqa: S608
        (drill_id,),
    )
    return [event_from_row(db, row) for row in rows]


def events_after(db: Database, drill_id: str, after_seq: int) -> list[Event]:
    rows = db.stream(
        f"SELECT {columns(EVENT_COLUMNS)} FROM events WHERE drill_id = ? AND seq > ? "  # noqa: S608
        "ORDER BY seq",
        (drill_id, after_seq),
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
                channel_from_row(db, r) for r in _children(db, "channel_results", one, [drill_id])
            ],
            ledger=ledger_entries(db, one, [drill_id]),
            findings=[finding_from_row(db, r) for r in _children(db, "findings", one, [drill_id])],
        )


def list_drills(
    db: Database,
    since: datetime | None,
    until: datetime | None,
    status: str | Iterable[str] | None,
    json: JsonReader = load_json,
    keep: Callable[[Any, Any], Any] | None = None,
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
    rows = db.stream(sql, params)
    return [drill_from_row(db, row, json) for row in _shared(rows, keep, _DRILL_TEXTS)]


def review_data(
    db: Database,
    since: datetime | None,
    until: datetime | None,
    *,
    ledger: bool,
    series: bool,
    journals: bool,
    with_reach: bool = True,
) -> ReviewData:
    """The drills of ``[since, until)`` with what the review needs, in six to eight queries
    (without the reach rows when not ``with_reach``: ``reach_facts`` streams them)."""
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
        json = shared_json()
        measures = keyed_json()
        keep = _sharing()
        drills = list_drills(db, since, until, None, json, keep)
        position = {drill.id: index for index, drill in enumerate(drills)}

        def ordered(items: list[Any]) -> list[Any]:
            return sorted(items, key=lambda item: position[item.drill_id])

        return ReviewData(
            since=since,
            until=until,
            drills=drills,
            experiments=ordered(
                _experiments(
                    db, where, params, series=series, journal=journals, keep=keep, json=measures
                )
            ),
            standalone_experiments=[
                experiment_from_row(db, r, measures) for r in db.stream(standalone_sql, own_params)
            ],
            channel_results=ordered(
                [
                    channel_from_row(db, r, json)
                    for r in _shared(
                        _children(db, "channel_results", where, params), keep, _CHANNEL_TEXTS
                    )
                ]
            ),
            reach=ordered(reach(db, where, params)) if with_reach else [],
            findings=ordered(
                [
                    finding_from_row(db, r)
                    for r in _shared(_children(db, "findings", where, params), keep, _FINDING_TEXTS)
                ]
            ),
            open_findings=[finding_from_row(db, r) for r in db.stream(open_sql)],
            ledger=ordered(ledger_entries(db, where, params)) if ledger else [],
        )


def reach(db: Database, where: str, params: Sequence[Any]) -> list[PersonChannelReach]:
    """The ledger folded per drill, person and channel: the first time of each state (drills
    in id order; the caller puts them in start order)."""
    firsts = ", ".join(
        f"MIN(CASE WHEN l.state = '{state}' THEN l.at END)"
        for state in ("sent", "delivered", "acknowledged", "failed", "refused")
    )
    sql = (
        f"SELECT l.drill_id, l.person, MAX(l.staff_group), l.channel, {firsts} "  # noqa: S608
        f"FROM ledger_entries l WHERE {_of_drills('l', where)} "
        "GROUP BY l.drill_id, l.person, l.channel "
        "ORDER BY l.drill_id{C}, l.person{C}, l.channel{C}"
    )
    t = db.time_reader()
    keep = _sharing()
    return [
        PersonChannelReach(
            keep(drill, drill),
            keep(person, person),
            keep(group, group),
            keep(channel, channel),
            sent and t(sent),
            delivered and t(delivered),
            acked and t(acked),
            failed and t(failed),
            refused and t(refused),
        )
        for drill, person, group, channel, sent, delivered, acked, failed, refused in db.stream(
            sql, params
        )
    ]


def reach_facts(db: Database, where: str, params: Sequence[Any]) -> Iterator[ReachFact]:
    """The ledger folded per drill, person and channel, compactly (``ReachFact``: what the
    review reads of ``reach``), row after row, a drill's rows together (drills in id order)."""
    reached = "MAX(CASE WHEN l.state IN ('delivered', 'acknowledged') THEN 1 ELSE 0 END)"
    first = "MIN(CASE WHEN l.state IN ('sent', 'failed') THEN l.at END)"
    sent = "MIN(CASE WHEN l.state = 'sent' THEN l.at END)"
    # The group only where the person was not reached, the first send only where it is not the
    # first attempt: fewer values to carry over, the same facts.
    sql = (
        f"SELECT l.drill_id, l.person, CASE WHEN {reached} = 0 THEN MAX(l.staff_group) END, "  # noqa: S608
        f"l.channel, {first}, CASE WHEN {sent} = {first} THEN 1 ELSE 0 END, "
        f"CASE WHEN {sent} = {first} THEN NULL ELSE {sent} END, {reached}, "
        "MIN(CASE WHEN l.state = 'acknowledged' THEN l.at END) "
        f"FROM ledger_entries l WHERE {_of_drills('l', where)} "
        "GROUP BY l.drill_id, l.person, l.channel "
        "ORDER BY l.drill_id{C}, l.person{C}, l.channel{C}"
    )
    t = db.time_reader()
    for drill, person, group, channel, first_at, same, sent_at, reached_at, acked in db.stream(
        sql, params
    ):
        first_time = first_at and t(first_at)
        yield (
            drill,
            person,
            group,
            channel,
            first_time,
            first_time if same else sent_at and t(sent_at),
            reached_at == 1,
            acked and t(acked),
        )


def ledger_entries(db: Database, where: str, params: Sequence[Any]) -> list[LedgerEntry]:
    """The raw ledger entries of the drills selected by ``where`` (repeated texts shared)."""
    t = db.time_reader()
    keep = _sharing()
    return [
        LedgerEntry(
            r[0],
            keep(r[1], r[1]),
            keep(r[2], r[2]),
            keep(r[4], r[4]),
            keep(r[5], r[5]),
            t(r[6]),
            keep(r[3], r[3]),
            load_json(r[7]),
        )
        for r in _children(db, "ledger_entries", where, params)
    ]


#: The columns whose texts repeat across rows (drill ids, kinds, statuses, names, titles).
_DRILL_TEXTS = (1, 2, 3, 4, 7, 11)
_EXPERIMENT_TEXTS = (1, 2, 3, 4, 5)
_CHANNEL_TEXTS = (0, 1, 2, 6)
_FINDING_TEXTS = (1, 2, 3, 4, 5, 6, 7)


def _shared(
    rows: Iterable[Any], keep: Callable[[Any, Any], Any] | None, texts: Sequence[int]
) -> Iterable[Any]:
    """``rows`` with the texts of columns ``texts`` shared through ``keep`` (rows as they are
    without it)."""
    if keep is None:
        yield from rows
        return
    for row in rows:
        values = list(row)
        for index in texts:
            values[index] = keep(values[index], values[index])
        yield values


def _sharing() -> Callable[[Any, Any], Any]:
    """``keep(text, text)``: one shared object per distinct text (drill ids, people, channels
    repeat across hundreds of thousands of rows)."""
    same: dict[Any, Any] = {}
    return same.setdefault


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


_CHILDREN = {
    "channel_results": ("c", CHANNEL_COLUMNS, "c.channel{C}"),
    "ledger_entries": ("l", LEDGER_COLUMNS, "l.at, l.id{C}"),
    "findings": ("f", FINDING_COLUMNS, "f.created_at, f.id{C}"),
}


def _of_drills(alias: str, where: str) -> str:
    """Rows of the drills that ``where`` selects: the child table's drill index drives it."""
    return f"{alias}.drill_id IN (SELECT d.id FROM drills d WHERE {where})"  # noqa: S608


def _children(db: Database, table: str, where: str, params: Sequence[Any]) -> Iterable[Any]:
    """A child table's rows for the drills ``where`` selects, by drill id then ``order``."""
    alias, names, order = _CHILDREN[table]
    sql = (
        f"SELECT {columns(names, alias)} FROM {table} {alias} "  # noqa: S608
        f"WHERE {_of_drills(alias, where)} ORDER BY {alias}.drill_id{{C}}, {order}"
    )
    return db.stream(sql, params)


def _experiments(
    db: Database,
    where: str,
    params: Sequence[Any],
    *,
    series: bool,
    journal: bool,
    keep: Callable[[Any, Any], Any] | None = None,
    json: JsonReader = load_json,
) -> list[ExperimentRecord]:
    sql = (
        f"SELECT {experiment_select(series=series, journal=journal)} FROM experiments x "  # noqa: S608
        f"WHERE {_of_drills('x', where)} ORDER BY x.drill_id{{C}}, x.started_at, x.id{{C}}"
    )
    rows = _shared(db.stream(sql, params), keep, _EXPERIMENT_TEXTS)
    return [experiment_from_row(db, row, json) for row in rows]
