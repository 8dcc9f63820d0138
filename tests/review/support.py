"""Hand-made records for the review's tests: drills, experiments, channel results, reach rows
and findings with exactly the values a test states."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from entdrill.records import (
    ChannelResult,
    DrillRecord,
    ExperimentRecord,
    Finding,
    PersonChannelReach,
    ReviewData,
)

T0 = datetime(2026, 3, 2, 6, 45, tzinfo=UTC)
NOW = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def at(days: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(days=days, seconds=seconds)


def drill(drill_id: str, day: float = 0, status: str = "met", **extra: Any) -> DrillRecord:
    values: dict[str, Any] = {
        "plan_name": "pre_holiday",
        "plan_path": "drills/pre_holiday.yaml",
        "plan_digest": "0" * 64,
        "target": "sandbox",
    }
    values.update(extra)
    return DrillRecord(id=drill_id, started_at=at(day), status=status, **values)  # type: ignore[arg-type]


def experiment(
    experiment_id: str,
    drill_id: str | None,
    kind: str,
    measures: dict[str, Any],
    day: float = 0,
    *,
    status: str = "completed",
    deviated: bool = False,
) -> ExperimentRecord:
    return ExperimentRecord(
        id=experiment_id,
        drill_id=drill_id,
        title=kind,
        path=f"experiments/{kind}.json",
        kind=kind,
        status=status,
        deviated=deviated,
        started_at=at(day, 60),
        ended_at=at(day, 120),
        measures=measures,
    )


def storm(
    experiment_id: str,
    drill_id: str | None,
    multiple: float,
    p95_ms: float,
    success: float = 1.0,
    day: float = 0,
    **measures: Any,
) -> ExperimentRecord:
    values = {
        "storm_multiple": multiple,
        "login_p95_ms": p95_ms,
        "login_p50_ms": p95_ms / 2,
        "success_ratio": success,
        "offered_rate_per_s": multiple * 2,
        "errors": {"timeout": round((1 - success) * 1000)},
    }
    values.update(measures)
    return experiment(experiment_id, drill_id, "login_storm", values, day)


def result(
    drill_id: str,
    channel: str,
    outcome: str,
    *,
    ack: bool = False,
    cause: str | None = None,
    day: float = 0,
) -> ChannelResult:
    expectation: dict[str, Any] = {"delivered_share": 0.9}
    if ack:
        expectation["acknowledged_share"] = 0.7
    return ChannelResult(
        drill_id=drill_id,
        channel=channel,
        outcome=outcome,  # type: ignore[arg-type]
        expectation=expectation,
        delivered_share=None,
        acknowledged_share=None,
        cause=cause,
        details={},
        recorded_at=at(day, 3600),
    )


def reach(
    drill_id: str,
    person: str,
    channel: str,
    *,
    day: float = 0,
    sent: float | None = 0,
    delivered: float | None = None,
    acked: float | None = None,
    failed: float | None = None,
    refused: float | None = None,
    group: str | None = "enseignants",
) -> PersonChannelReach:
    """A reach row; times are seconds after the drill day's 07:45."""

    def moment(offset: float | None) -> datetime | None:
        return None if offset is None else at(day, offset)

    return PersonChannelReach(
        drill_id,
        person,
        group,
        channel,
        moment(sent),
        moment(delivered),
        moment(acked),
        moment(failed),
        moment(refused),
    )


def finding(
    finding_id: str,
    drill_id: str,
    title: str,
    *,
    severity: str = "high",
    owner: str | None = "dsi",
    key: str | None = None,
    status: str = "open",
    day: float = 0,
) -> Finding:
    return Finding(
        id=finding_id,
        drill_id=drill_id,
        severity=severity,  # type: ignore[arg-type]
        title=title,
        detail="",
        owner=owner,
        status=status,  # type: ignore[arg-type]
        created_at=at(day, 7200),
        key=key,
    )


def data(
    drills: Sequence[DrillRecord],
    experiments: Sequence[ExperimentRecord] = (),
    results: Sequence[ChannelResult] = (),
    rows: Sequence[PersonChannelReach] = (),
    findings: Sequence[Finding] = (),
    *,
    standalone: Sequence[ExperimentRecord] = (),
    open_findings: Sequence[Finding] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ReviewData:
    return ReviewData(
        since=since,
        until=until,
        drills=list(drills),
        experiments=list(experiments),
        standalone_experiments=list(standalone),
        channel_results=list(results),
        reach=list(rows),
        findings=list(findings),
        open_findings=list(
            open_findings
            if open_findings is not None
            else [f for f in findings if f.status == "open"]
        ),
    )
