"""The end of a drill: its verdict, channel outcomes and findings recorded, the debrief posted.

:func:`conclude` records each channel's outcome (worked, degraded or failed; a channel still
pending when an aborted drill stopped gets none) with the cause of a shortfall in the servers'
own words, the findings with the owners the plan names, posts the debrief in Slack (a debrief
that cannot be posted is an event with its text), and ends the drill with its status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from entdrill.channels.slack_client import SlackConnection, SlackFailure
from entdrill.drill import debrief, findings, readiness
from entdrill.drill.ledger import ChannelResult, Ledger
from entdrill.drill.message import render
from entdrill.drill.prepare import Prepared
from entdrill.drill.timeline import Timeline
from entdrill.records import DrillStatus, Records


@dataclass
class RunFacts:
    """What the run itself learned, beyond the ledger and the experiments."""

    aborted: str = ""  # why the drill was stopped ("" when it ran to its end)
    failed: bool = False  # the runner itself failed (an error, not a stop)
    announcement_problem: str = ""
    recovery_problems: list[str] = field(default_factory=list)
    ignored_stops: list[str] = field(default_factory=list)  # who posted STOP DRILL, ignored
    stop_problem: str = ""  # why STOP DRILL could not be read from Slack
    matrix_announcement_problem: str = ""
    matrix_stop_problem: str = ""  # why STOP DRILL could not be read from the Matrix room
    detection_misses: list[str] = field(default_factory=list)  # expect.detected_within not met
    detection_findings: list[findings.DrillFinding] = field(default_factory=list)


@dataclass
class DrillResult:
    drill_id: str
    status: DrillStatus
    exit_code: int
    reason: str
    where: str
    report: debrief.DrillReport | None = None
    findings: list[findings.DrillFinding] = field(default_factory=list)


def cause_of(result: ChannelResult) -> str:
    """Why a channel fell short: the verdict's reason, and what failed (the servers' words)."""
    failures = "; ".join(
        f"{cause} ({count})"
        for cause, count in sorted(result.failures.items(), key=lambda kv: -kv[1])[:3]
        if cause not in result.reason
    )
    return f"{result.reason}; failed: {failures}" if failures else result.reason


def conclude(
    prepared: Prepared,
    records: Records,
    timeline: Timeline,
    *,
    ledger: Ledger,
    verdicts: list[findings.ExperimentVerdict],
    facts: RunFacts,
    slack: SlackConnection | None,
    started: datetime,
) -> DrillResult:
    """Record the outcomes and findings, post the debrief, end the drill; its result."""
    plan, drill_id = prepared.plan, prepared.drill_id
    verdict = debrief.verdict(
        ledger,
        verdicts,
        aborted=facts.aborted,
        announced=not facts.announcement_problem,
        recovered=not facts.recovery_problems,
        interrupted=not facts.failed,
    )
    if facts.detection_misses and verdict.status in ("met", "not_met"):
        verdict = debrief.with_misses(verdict, facts.detection_misses)
    for name, result in ledger.channels.items():
        if result.outcome not in ("worked", "degraded", "failed"):
            continue
        records.add_channel_result(
            drill_id,
            name,
            result.outcome,
            expectation=result.to_dict()["expect"] or {},
            delivered_share=result.delivered_share,
            acknowledged_share=result.acknowledged_share,
            cause=None if result.outcome == "worked" else cause_of(result),
            details=result.to_dict(),
        )
        timeline.record(
            "verify",
            "channel_outcome",
            {"channel": name, "outcome": result.outcome, "reason": result.reason},
            text=f"{name}: {result.outcome} ({result.reason})",
        )
    found = findings.ordered(
        findings.run_findings(
            announcement_problem=facts.announcement_problem,
            recovery_problems=facts.recovery_problems,
            ignored_stops=facts.ignored_stops,
            stop_unreadable=facts.stop_problem,
            matrix_announcement_problem=facts.matrix_announcement_problem,
            matrix_stop_unreadable=facts.matrix_stop_problem,
        )
        + findings.experiment_findings(verdicts)
        + findings.channel_findings(ledger, [s.name for s in plan.manual_steps])
        + facts.detection_findings
    )
    for finding in found:
        records.add_finding(
            drill_id,
            finding.severity,
            finding.title,
            detail=finding.detail,
            owner=plan.debrief.owner_of(finding.subject) if plan.debrief else None,
            key=finding.key,
        )
    timeline.record(
        "debrief",
        "findings",
        {"count": len(found), "keys": [f.key for f in found]},
        text=f"{len(found)} finding(s)",
    )
    mention = [
        p.slack
        for group in (plan.debrief.mention if plan.debrief else ())
        for p in prepared.groups.get(group, [])
        if p.slack
    ]
    report = debrief.DrillReport(
        drill_id=drill_id,
        plan_name=plan.name,
        started_at=started,
        ended_at=datetime.now(UTC),
        verdict=verdict,
        ledger=ledger,
        experiments=verdicts,
        findings=found,
        manual_steps=[s.name for s in plan.manual_steps],
        timeline=list(timeline.highlights),
        record=records.where,
        mention=list(dict.fromkeys(mention)),
        names=prepared.names,
    )
    post_debrief(prepared, timeline, report, slack)
    summary = {
        "channels": {n: r.outcome for n, r in ledger.channels.items()},
        "experiments": {v.kind: v.summary.status for v in verdicts},
        "findings": len(found),
        "people": len(ledger.people),
        "never_reached": len(ledger.never_reached),
        "readiness": readiness.record(
            plan.readiness, plan.schedule.zone if plan.schedule else None
        ),
    }
    records.finish_drill(
        drill_id, verdict.status, verdict.exit_code, summary, reason=verdict.reason
    )
    return DrillResult(
        drill_id, verdict.status, verdict.exit_code, verdict.reason, records.where, report, found
    )


def post_debrief(
    prepared: Prepared,
    timeline: Timeline,
    report: debrief.DrillReport,
    slack: SlackConnection | None,
) -> None:
    target = prepared.plan.debrief
    if target is None:
        return
    text = render(debrief.debrief_text(report, target.include), {"drill": prepared.plan.name})
    cause = "no Slack connection"
    if slack is not None:
        try:
            posted = slack.post(
                target.post_in, text, drill_id=prepared.drill_id, notification_id="debrief"
            )
        except SlackFailure as failure:
            cause = failure.cause
        else:
            timeline.record(
                "debrief",
                "posted",
                {"channel": target.post_in, **posted.evidence()},
                text=f"debrief posted in {target.post_in}",
            )
            return
    timeline.record(
        "debrief",
        "failed",
        {"channel": target.post_in, "cause": cause, "text": text[:4000]},
        text=f"could not post the debrief in {target.post_in}: {cause}",
    )
