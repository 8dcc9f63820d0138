"""Detection results (migration 3): one row per injected fault or storm, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from entdrill.errors import RecordsError
from entdrill.records import Records
from entdrill.records.detections import DetectionRecord

from .support import new_drill


def row(drill_id: str, seq: int, **changes: object) -> DetectionRecord:
    values: dict[str, object] = {
        "drill_id": drill_id,
        "experiment_id": "x1",
        "seq": seq,
        "experiment": "1-video_bridge_outage",
        "fault_kind": "bridge_down",
        "component": "bridge",
        "service": "video",
        "injected_at": datetime(2026, 12, 6, 9, 0, seq, tzinfo=UTC),
        "status": "detected",
        "alert": "BridgeDown",
        "detected_after_s": 3.25,
        "resolved_after_s": 4.5,
        "expected_within_s": 60.0,
        "why": "",
    }
    values.update(changes)
    return DetectionRecord(**values)  # type: ignore[arg-type]


def test_detections_are_read_back_as_written_in_injection_order(records: Records) -> None:
    drill_id = new_drill(records)
    unknown = row(
        drill_id, 1, status="unknown", alert="", detected_after_s=None,
        resolved_after_s=None, expected_within_s=None, why="cannot read Alertmanager",
    )  # fmt: skip
    records.add_detections([unknown, row(drill_id, 0)])
    found = records.detection_results([drill_id])
    assert found == [row(drill_id, 0), unknown]
    assert records.detection_results(["someone-else"]) == []


def test_a_detection_status_outside_the_three_is_refused(records: Records) -> None:
    drill_id = new_drill(records)
    with pytest.raises(RecordsError, match="detection status must be one of detected"):
        records.add_detections([row(drill_id, 0, status="maybe")])
    assert records.detection_results([drill_id]) == []


def test_detections_of_more_drills_than_one_query_takes_are_all_read(records: Records) -> None:
    from entdrill.records import detections

    drill_id = new_drill(records)
    records.add_detections([row(drill_id, 0)])
    others = [f"no-such-drill-{i}" for i in range(detections.CHUNK * 2 + 1)]
    assert records.detection_results([*others, drill_id]) == [row(drill_id, 0)]
