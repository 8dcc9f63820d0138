"""The review's inputs read from the records: the one module of the review that touches a
database (the rest is pure).

::

    where, (data, series, reach, detections) = read_review(url, since, until)
    review = build_review(data, series, reach=reach, detections=detections, generated_at=now)

The period's data (drills, experiments, channel results, findings) is loaded whole; the reach
rows (one per drill, person and channel: most of the rows) are never held: the database folds
them (``Records.reach_totals``) on a second connection, started first, while the first
connection loads the rest and ``build_review`` computes what does not depend on the reach (on
SQLite the query runs outside the interpreter's lock; on PostgreSQL in the server). ``reach``
is that fold, pending: ``build_review`` waits for it when it needs it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from entdrill.errors import RecordsError
from entdrill.records import (
    DetectionRecord,
    ReachFact,
    ReachTotals,
    Records,
    ReviewData,
    open_records,
)
from entdrill.review.reach import ReachSummary, fold_reach, from_totals

logger = logging.getLogger(__name__)


class PendingReach:
    """The reach of a period being folded by the database, in a thread, on a connection of its
    own; calling it waits for the fold (``close`` when it may never be called).

    One connection, one query: two at once (drills split by id) held twice the memory on SQLite
    and were no faster on two cores; on PostgreSQL, once the ledger was kept folded
    (``ledger_reach``), two server processes folding beside the review's own load slowed that
    load more than they gained (10,000 drills: 3.06 to 3.48 s in one part, 3.69 to 4.25 s in two).
    """

    def __init__(
        self,
        twin: Records | None,
        since: datetime | None,
        until: datetime | None,
        drill_id: str | None,
    ) -> None:
        self._twin, self._since, self._until = twin, since, until
        self._summary: ReachSummary | None = None
        self._data: ReviewData | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._totals: Future[ReachTotals] | None = None
        if twin is not None:
            self._pool = ThreadPoolExecutor(1, "entdrill-reach")
            self._totals = self._pool.submit(twin.reach_totals, since, until, drill_id)

    @classmethod
    def start(
        cls,
        records: Records,
        since: datetime | None,
        until: datetime | None,
        drill_id: str | None,
    ) -> PendingReach | None:
        """The fold started beside ``records``; None when no other connection opens (the
        server takes no more, say): ``records`` then folds it itself."""
        try:
            twin = records.twin()
        except RecordsError as error:
            logger.warning("the reach is read on the review's own connection: %s", error)
            return None
        return None if twin is None else cls(twin, since, until, drill_id)

    @classmethod
    def ready(cls, summary: ReachSummary) -> PendingReach:
        pending = cls(None, None, None, None)
        pending._summary = summary
        return pending

    def of(self, data: ReviewData) -> PendingReach:
        """The reach of ``data``'s ended drills (the ranks of its drills)."""
        self._data = data
        return self

    def __call__(self) -> ReachSummary:
        if self._summary is None:
            assert self._data is not None and self._twin is not None
            assert self._totals is not None
            try:
                self._summary = _summary(
                    self._twin, self._data, self._since, self._until, self._totals.result()
                )
            finally:
                self.close()
        return self._summary

    def close(self) -> None:
        """Wait for the query and close the connection (the summary stays if it was read)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        if self._twin is not None:
            self._twin.close()
            self._twin = None


Inputs = tuple[ReviewData, dict[str, dict[str, Any]], PendingReach, list[DetectionRecord]]


def load_review(
    records: Records,
    since: datetime | None,
    until: datetime | None,
    drill_id: str | None = None,
) -> Inputs:
    """What ``build_review`` needs, read from ``records``: the period's data without its reach
    rows (or one drill's, with ``drill_id``), the charted storms' series, the drills' detection
    results, and the reach, folded by the database on a second connection (pending)."""
    since, until = _period(records, since, until, drill_id)
    reach = PendingReach.start(records, since, until, drill_id)
    try:
        # The review's model is imported while the database folds the reach.
        from entdrill.review.build import only_drill, series_wanted

        data = records.load_review_data(since, until, reach=False)
        if drill_id is not None:
            data = only_drill(data, drill_id)
        series = records.load_series(series_wanted(data))
        detections = records.detection_results([d.id for d in data.drills])
        if reach is None:
            totals = records.reach_totals(since, until, drill_id)
            reach = PendingReach.ready(_summary(records, data, since, until, totals))
    except BaseException:
        if reach is not None:
            reach.close()
        raise
    return data, series, reach.of(data), detections


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


def reach_of(data: ReviewData, rows: Iterable[ReachFact]) -> ReachSummary:
    """The reach rows of ``data``'s ended drills folded, read as they stream from the records
    (grouped by drill, as ``Records.scan_reach`` gives them), ranked by drill start order."""
    position = _ranks(data)
    get = position.get
    return fold_reach(((get(fact[0], 0), fact) for fact in rows), position)


def _ranks(data: ReviewData) -> dict[str, int]:
    return {d.id: i for i, d in enumerate(data.drills) if d.status != "running"}


def _summary(
    records: Records,
    data: ReviewData,
    since: datetime | None,
    until: datetime | None,
    totals: ReachTotals,
) -> ReachSummary:
    """The reach of ``data``'s ended drills: ``totals`` when they are of those drills, else
    (a drill ended between the two reads) the reach rows folded as they stream, on the same
    connection as ``totals``."""
    rank = _ranks(data)
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
