"""Detection results in the records: per fault or storm a drill injected, what monitoring said.

One row per injection (table ``detections``, migration 3), written when the drill ends (an alert
resolves after the rollback, so not before): the experiment it belongs to, what was injected
and where, when, the status (``detected``, ``not_detected``, ``unknown``), the first matching
alert, ``detected_after_s``, ``resolved_after_s`` and the plan's ``detected_within_s``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from entdrill.records.database import Database
from entdrill.records.encoding import check_text
from entdrill.records.tables import choice

STATUSES = ("detected", "not_detected", "unknown")
COLUMNS = (
    "drill_id", "experiment_id", "seq", "experiment", "fault_kind", "component", "service",
    "injected_at", "status", "alert", "detected_after_s", "resolved_after_s",
    "expected_within_s", "why",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DetectionRecord:
    """What monitoring said about one injection of a drill's experiment."""

    drill_id: str
    experiment_id: str
    seq: int
    experiment: str
    fault_kind: str
    component: str
    service: str
    injected_at: datetime
    status: str
    alert: str
    detected_after_s: float | None
    resolved_after_s: float | None
    expected_within_s: float | None
    why: str


def clean(record: DetectionRecord) -> DetectionRecord:
    choice(record.status, STATUSES, "detection status")
    for name in ("experiment", "fault_kind", "service"):
        check_text(getattr(record, name), f"detection {name}", empty=False)
    for name in ("component", "alert", "why"):
        check_text(getattr(record, name), f"detection {name}")
    return record


def add(db: Database, records: Sequence[DetectionRecord]) -> None:
    marks = ", ".join("?" for _ in COLUMNS)
    sql = f"INSERT INTO detections ({', '.join(COLUMNS)}) VALUES ({marks})"  # noqa: S608
    for r in records:
        db.execute(
            sql,
            (
                r.drill_id,
                r.experiment_id,
                r.seq,
                r.experiment,
                r.fault_kind,
                r.component,
                r.service,
                db.time_param(r.injected_at),
                r.status,
                r.alert,
                r.detected_after_s,
                r.resolved_after_s,
                r.expected_within_s,
                r.why,
            ),
        )


#: Drill ids per query (SQLite and PostgreSQL cap the parameters of one statement).
CHUNK = 500


def read(db: Database, drill_ids: Iterable[str]) -> list[DetectionRecord]:
    """The detections of these drills, by drill, experiment and order of injection."""
    ids = list(dict.fromkeys(drill_ids))
    rows = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        rows += db.query(
            f"SELECT {', '.join(COLUMNS)} FROM detections WHERE drill_id IN ({marks})",  # noqa: S608
            tuple(chunk),
        )
    found = [
        DetectionRecord(
            drill_id=r[0],
            experiment_id=r[1],
            seq=int(r[2]),
            experiment=r[3],
            fault_kind=r[4],
            component=r[5],
            service=r[6],
            injected_at=db.read_time(r[7]),
            status=r[8],
            alert=r[9],
            detected_after_s=_real(r[10]),
            resolved_after_s=_real(r[11]),
            expected_within_s=_real(r[12]),
            why=r[13],
        )
        for r in rows
    ]
    return sorted(found, key=lambda d: (d.drill_id, d.injected_at, d.experiment_id, d.seq))


def _real(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
