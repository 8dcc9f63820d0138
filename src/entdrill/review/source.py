"""The review's inputs read from the records: the one module of the review that touches a
database (the rest is pure).

::

    where, (data, series, reach, detections) = read_review(url, since, until)
    review = build_review(data, series, reach=reach, detections=detections, generated_at=now)

The period's data (drills, experiments, channel results, findings) is loaded whole; the reach
rows (one per drill, person and channel: most of the rows) are never held: the database folds
the ledger, and ``reach_of`` folds its rows drill by drill as they stream.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from entdrill.records import DetectionRecord, Records, ReviewData, open_records
from entdrill.review.build import only_drill, reach_of, series_wanted
from entdrill.review.reach import ReachSummary

Inputs = tuple[ReviewData, dict[str, dict[str, Any]], ReachSummary, list[DetectionRecord]]


def load_review(
    records: Records,
    since: datetime | None,
    until: datetime | None,
    drill_id: str | None = None,
) -> Inputs:
    """What ``build_review`` needs, read from ``records`` on its one connection: the period's
    data without its reach rows (or one drill's, with ``drill_id``), the charted storms'
    series, the reach rows folded as they stream, and the drills' detection results."""
    since, until = _period(records, since, until, drill_id)
    data = _data(records, since, until, drill_id)
    series = records.load_series(series_wanted(data))
    reach = records.scan_reach(since, until, lambda rows: reach_of(data, rows))
    return data, series, reach, records.detection_results([d.id for d in data.drills])


def read_review(
    url: str | None,
    since: datetime | None,
    until: datetime | None,
    drill_id: str | None = None,
    *,
    option: str = "--db",
) -> tuple[str, Inputs]:
    """``load_review`` of the records at ``url``, opened read-only; with the records' ``where``.

    (Streaming the reach on a second connection in a thread while the first loads the rest was
    measured: no faster on two cores, and 20 MB more at the peak.)"""
    with open_records(url, mode="read", option=option) as records:
        return records.where, load_review(records, since, until, drill_id)


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
