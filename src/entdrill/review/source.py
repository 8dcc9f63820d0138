"""The review's inputs read from the records: the one module of the review that touches a
database (the rest is pure).

::

    where, (data, series, reach, detections) = read_review(url, since, until)
    review = build_review(data, series, reach=reach, detections=detections, generated_at=now)

The period's data (drills, experiments, channel results, findings) is loaded whole; the reach
rows (one per drill, person and channel: most of the rows) are never held: the database folds
them (``Records.reach_totals``), on a second connection, while the first loads the rest (on
SQLite the query runs outside the interpreter's lock; on PostgreSQL in the server), so reading
the reach costs no more time than loading the rest.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import Any

from entdrill.records import DetectionRecord, Records, ReviewData, open_records
from entdrill.records.reach_totals import ReachTotals
from entdrill.review.build import only_drill, reach_of, series_wanted
from entdrill.review.reach import ReachSummary, from_totals

Inputs = tuple[ReviewData, dict[str, dict[str, Any]], ReachSummary, list[DetectionRecord]]


def load_review(
    records: Records,
    since: datetime | None,
    until: datetime | None,
    drill_id: str | None = None,
) -> Inputs:
    """What ``build_review`` needs, read from ``records``: the period's data without its reach
    rows (or one drill's, with ``drill_id``), the charted storms' series, the reach folded by
    the database (on a second connection, at the same time), and the drills' detection results.

    When the reach was read from other drills than the data (a drill ended in between), the
    reach rows are folded again on ``records``' own connection as they stream (``reach_of``)."""
    since, until = _period(records, since, until, drill_id)
    with ExitStack() as stack:
        twin = records.twin()
        pending: Future[ReachTotals] | None = None
        if twin is not None:
            stack.enter_context(twin)
            pool = stack.enter_context(ThreadPoolExecutor(1, "entdrill-reach"))
            pending = pool.submit(twin.reach_totals, since, until, drill_id)
        data = _data(records, since, until, drill_id)
        series = records.load_series(series_wanted(data))
        detections = records.detection_results([d.id for d in data.drills])
        totals = None if pending is None else pending.result()
        reach = _reach(records, data, since, until, drill_id, totals)
    return data, series, reach, detections


def read_review(
    url: str | None,
    since: datetime | None,
    until: datetime | None,
    drill_id: str | None = None,
    *,
    option: str = "--db",
) -> tuple[str, Inputs]:
    """``load_review`` of the records at ``url``, opened read-only; with the records' ``where``."""
    with open_records(url, mode="read", option=option) as records:
        return records.where, load_review(records, since, until, drill_id)


def _reach(
    records: Records,
    data: ReviewData,
    since: datetime | None,
    until: datetime | None,
    drill_id: str | None,
    totals: ReachTotals | None,
) -> ReachSummary:
    """The reach of ``data``'s ended drills: ``totals`` when they are of those drills."""
    rank = {d.id: i for i, d in enumerate(data.drills) if d.status != "running"}
    if totals is None:
        totals = records.reach_totals(since, until, drill_id)
    if totals.ended == rank.keys():
        return from_totals(totals, rank)
    return records.scan_reach(since, until, lambda rows: reach_of(data, rows))


def _period(
    records: Records, since: datetime | None, until: datetime | None, drill_id: str | None
) -> tuple[datetime | None, datetime | None]:
    if drill_id is None:
        return since, until
    started = records.get_drill(drill_id).drill.started_at
    return started, started + timedelta(milliseconds=1)


def _data(
    records: Records, since: datetime | None, until: datetime | None, drill_id: str | None
) -> ReviewData:
    data = records.load_review_data(since, until, reach=False)
    return data if drill_id is None else only_drill(data, drill_id)
