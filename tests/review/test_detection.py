"""Time to detect in the review: per service and per drill, a chart over the period, and a
service whose faults were never detected among the reasons of the decision."""

from __future__ import annotations

from datetime import timedelta

from entdrill.records import DetectionRecord
from entdrill.review import build_review, render_html, render_markdown

from .support import NOW, at
from .test_decision import AS_OF, everything


def detection(
    drill_id: str, seq: int, service: str, status: str, after: float | None
) -> DetectionRecord:
    kind = {"video": "bridge_down", "ent": "kill_replica", "session-store": "lose_session_store"}
    return DetectionRecord(
        drill_id=drill_id,
        experiment_id=f"{drill_id}-{service}",
        seq=seq,
        experiment=f"1-{service}",
        fault_kind=kind[service],
        component="bridge" if service == "video" else "ent-2",
        service=service,
        injected_at=at(29) + timedelta(minutes=seq),
        status=status,
        alert="BridgeDown" if status == "detected" else "",
        detected_after_s=after,
        resolved_after_s=4.0 if after is not None else None,
        expected_within_s=60.0,
        why="refused" if status == "unknown" else "",
    )


FOUND = [
    detection("d1", 0, "video", "detected", 2.5),
    detection("d1", 1, "video", "detected", 6.5),
    detection("d1", 2, "ent", "not_detected", None),
    detection("d1", 3, "session-store", "unknown", None),
]


def test_time_to_detect_is_summarised_per_service_and_per_drill() -> None:
    review = build_review(everything(), generated_at=NOW, as_of=AS_OF, detections=FOUND)
    view = review.detection
    assert view is not None
    rows = {r.key: r for r in view.by_service}
    assert (rows["video"].detected, rows["video"].median_s, rows["video"].worst_s) == (2, 4.5, 6.5)
    assert (rows["ent"].not_detected, rows["ent"].median_s) == (1, None)
    assert (rows["session-store"].unknown, rows["session-store"].not_detected) == (1, 0)
    [per_drill] = view.by_drill
    assert (per_drill.key, per_drill.injections, per_drill.detected) == ("d1", 4, 2)
    assert view.never == ("ent",)  # unknown is not "never detected"


def test_never_detected_is_a_reason_and_ready_becomes_at_risk() -> None:
    review = build_review(everything(), generated_at=NOW, as_of=AS_OF, detections=FOUND)
    assert review.decision is not None
    assert review.decision.answer == "at risk"
    [reason] = review.decision.reasons
    assert reason.text == (
        "ENT (login, portal): never detected; no alert fired for any of its 1 fault in this period"
    )
    assert (reason.severity, reason.anchor) == ("risk", "detection")
    quiet = build_review(everything(), generated_at=NOW, as_of=AS_OF, detections=FOUND[:2])
    assert quiet.decision is not None and quiet.decision.answer == "ready"


def test_the_page_shows_the_tables_and_the_chart_and_the_reason_links_to_it() -> None:
    review = build_review(everything(), generated_at=NOW, as_of=AS_OF, detections=FOUND)
    page = render_html(review)
    assert '<section id="detection"><h2>Time to detect</h2>' in page
    assert 'href="#detection"' in page
    assert '<figure id="detection-times">' in page and "<svg" in page.split("detection-times")[1]
    assert "<td>4.5 s</td>" in page  # the video bridge's median
    text, _ = render_markdown(review)
    assert "## Time to detect" in text
    assert "| video bridge | 2 | 2 | 0 | 0 | 4.5 s | 6.5 s |" in text


def test_a_review_without_detection_records_has_no_section() -> None:
    review = build_review(everything(), generated_at=NOW, as_of=AS_OF)
    assert review.detection is None
    assert 'id="detection"' not in render_html(review)
