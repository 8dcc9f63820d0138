"""Time to detect, in the review (pure): per service and per drill, a chart over the period,
and the services whose faults monitoring never detected (a reason of the decision).

Read from the drills' ``detections`` records (one per injected fault or storm): ``detected``
with ``detected_after_s``, ``not_detected``, or ``unknown`` (Alertmanager could not be read;
counted apart, never as "not detected").
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from entdrill.records import DetectionRecord
from entdrill.review import svg
from entdrill.review import wording as say
from entdrill.review.charts import Figure, Table
from entdrill.review.model import Decision, Reason
from entdrill.review.svg import Axis, Line

SERVICE_WORDS = {
    "ent": "ENT (login, portal)",
    "video": "video bridge",
    "session-store": "session store",
}
ANCHOR = "detection"


@dataclass(frozen=True, slots=True)
class DetectionRow:
    """The injections of one service or one drill, and how fast monitoring saw them."""

    key: str  # the service, or the drill id
    name: str
    injections: int
    detected: int
    not_detected: int
    unknown: int
    median_s: float | None
    worst_s: float | None


@dataclass(frozen=True, slots=True)
class DetectionView:
    by_service: tuple[DetectionRow, ...]
    by_drill: tuple[DetectionRow, ...]
    points: tuple[tuple[datetime, str, float | None], ...]  # when, service, seconds (None: missed)
    never: tuple[str, ...]  # services injected, checked and never detected in the period


def _row(key: str, name: str, rows: Sequence[DetectionRecord]) -> DetectionRow:
    times = [
        r.detected_after_s
        for r in rows
        if r.status == "detected" and r.detected_after_s is not None
    ]
    return DetectionRow(
        key=key,
        name=name,
        injections=len(rows),
        detected=sum(r.status == "detected" for r in rows),
        not_detected=sum(r.status == "not_detected" for r in rows),
        unknown=sum(r.status == "unknown" for r in rows),
        median_s=statistics.median(times) if times else None,
        worst_s=max(times) if times else None,
    )


def detection_view(
    records: Sequence[DetectionRecord], drill_names: Mapping[str, str]
) -> DetectionView | None:
    """The view of the period's detections (None when no drill recorded any)."""
    rows = [r for r in records if r.drill_id in drill_names]
    if not rows:
        return None
    services = sorted({r.service for r in rows})
    by_service = tuple(
        _row(s, SERVICE_WORDS.get(s, s), [r for r in rows if r.service == s]) for s in services
    )
    drills = list(dict.fromkeys(r.drill_id for r in sorted(rows, key=lambda r: r.injected_at)))
    by_drill = tuple(_row(d, drill_names[d], [r for r in rows if r.drill_id == d]) for d in drills)
    points = tuple(
        (r.injected_at, r.service, r.detected_after_s if r.status == "detected" else None)
        for r in sorted(rows, key=lambda r: r.injected_at)
        if r.status != "unknown"
    )
    never = tuple(row.key for row in by_service if row.detected == 0 and row.not_detected > 0)
    return DetectionView(by_service, by_drill, points, never)


def reasons(view: DetectionView | None) -> list[Reason]:
    """ "Never detected": a service whose faults no alert ever reported in the period."""
    if view is None:
        return []
    found = []
    for row in view.by_service:
        if row.key in view.never:
            found.append(
                Reason(
                    "risk",
                    f"{row.name}: never detected; no alert fired for any of its "
                    f"{row.not_detected} fault{'s' if row.not_detected != 1 else ''} in this period",
                    ANCHOR,
                )
            )
    return found


def with_reasons(decision: Decision, extra: Sequence[Reason]) -> Decision:
    """``decision`` with ``extra`` risks; "ready" becomes "at risk"."""
    if not extra:
        return decision
    answer = "at risk" if decision.answer == "ready" else decision.answer
    ordered = sorted((*decision.reasons, *extra), key=lambda r: r.severity != "blocker")
    return replace(decision, answer=answer, reasons=tuple(ordered))


def figure(view: DetectionView) -> Figure | None:
    """Detection times over the period, one line per service (gaps: not detected)."""
    known = [p for p in view.points if p[2] is not None]
    if not view.points:
        return None
    xs = [p[0].timestamp() for p in view.points]
    low_x, high_x = min(xs), max(xs)
    span = (high_x - low_x) or 3600.0
    ticks = tuple(
        (x, say.day(p[0]))
        for x, p in list(zip(xs, view.points, strict=True))[:: max(1, len(xs) // 6)]
    )
    x = Axis("injection (Europe/Paris day)", low_x - span * 0.05, high_x + span * 0.05, ticks)
    top = max([p[2] for p in known if p[2] is not None] or [1.0]) * 1.2
    y_ticks = tuple((v, f"{v:g} s") for v in svg.nice_ticks(0.0, top))
    y = Axis("seconds to the first alert", 0.0, max(top, y_ticks[-1][0]), y_ticks)
    services = sorted({p[1] for p in view.points})
    lines = tuple(
        Line(
            SERVICE_WORDS.get(s, s),
            tuple((p[0].timestamp(), p[2]) for p in view.points if p[1] == s),
            joined=False,
        )
        for s in services
    )
    description = (
        "Time from each injected fault or storm to the first alert: "
        + "; ".join(
            f"{row.name} median {_s(row.median_s)}, {row.not_detected} not detected"
            for row in view.by_service
        )
        + "."
    )
    chart = svg.line_chart("fig-detection", "Time to detect", description, x, y, lines)
    table = Table(
        "Time to detect per drill",
        ("drill", "injections", "detected", "not detected", "unknown", "median", "slowest"),
        tuple(_cells(row) for row in view.by_drill),
    )
    return Figure("detection-times", "Time to detect", description, (chart,), table)


def service_table(view: DetectionView) -> Table:
    return Table(
        "Time to detect per service",
        ("service", "injections", "detected", "not detected", "unknown", "median", "slowest"),
        tuple(_cells(row) for row in view.by_service),
    )


def _cells(row: DetectionRow) -> tuple[str, ...]:
    return (
        row.name,
        f"{row.injections:,}",
        f"{row.detected:,}",
        f"{row.not_detected:,}",
        f"{row.unknown:,}",
        _s(row.median_s),
        _s(row.worst_s),
    )


def _s(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.1f} s"
