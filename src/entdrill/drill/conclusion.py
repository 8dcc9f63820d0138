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
    record_channel_outcomes(drill_id, records, timeline, ledger)
    found = drill_findings(prepared, ledger, verdicts, facts)
    record_findings(prepared, records, timeline, found)
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
        mention=debrief_mentions(prepared),
        names=prepared.names,
    )
    post_debrief(prepared, timeline, report, slack)
    records.finish_drill(
        drill_id,
        verdict.status,
        verdict.exit_code,
        drill_summary(prepared, ledger, verdicts, found),
        reason=verdict.reason,
    )
    return DrillResult(
        drill_id, verdict.status, verdict.exit_code, verdict.reason, records.where, report, found
    )


def record_channel_outcomes(
    drill_id: str, records: Records, timeline: Timeline, ledger: Ledger
) -> None:
    """Record each channel's outcome (none for a channel still pending when the drill stopped),
    with the cause of a shortfall, and note it in the timeline."""
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


def drill_findings(
    prepared: Prepared,
    ledger: Ledger,
    verdicts: list[findings.ExperimentVerdict],
    facts: RunFacts,
) -> list[findings.DrillFinding]:
    """The drill's findings, most severe first: the run's own, the experiments', the channels'."""
    return findings.ordered(
        findings.run_findings(
            announcement_problem=facts.announcement_problem,
            recovery_problems=facts.recovery_problems,
            ignored_stops=facts.ignored_stops,
            stop_unreadable=facts.stop_problem,
            matrix_announcement_problem=facts.matrix_announcement_problem,
            matrix_stop_unreadable=facts.matrix_stop_problem,
        )
        + findings.experiment_findings(verdicts)
        + findings.channel_findings(ledger, [s.name for s in prepared.plan.manual_steps])
        + facts.detection_findings
    )


def record_findings(
    prepared: Prepared, records: Records, timeline: Timeline, found: list[findings.DrillFinding]
) -> None:
    """Record the findings with the owners the plan's debrief names, and count them in the
    timeline."""
    target = prepared.plan.debrief
    for finding in found:
        records.add_finding(
            prepared.drill_id,
            finding.severity,
            finding.title,
            detail=finding.detail,
            owner=target.owner_of(finding.subject) if target else None,
            key=finding.key,
        )
    timeline.record(
        "debrief",
        "findings",
        {"count": len(found), "keys": [f.key for f in found]},
        text=f"{len(found)} finding(s)",
    )


def debrief_mentions(prepared: Prepared) -> list[str]:
    """The Slack users the debrief mentions: the members of the plan's ``mention`` groups, each
    once, in order."""
    target = prepared.plan.debrief
    mention = [
        p.slack
        for group in (target.mention if target else ())
        for p in prepared.groups.get(group, [])
        if p.slack
    ]
    return list(dict.fromkeys(mention))


def drill_summary(
    prepared: Prepared,
    ledger: Ledger,
    verdicts: list[findings.ExperimentVerdict],
    found: list[findings.DrillFinding],
) -> dict[str, object]:
    """The summary recorded with the drill's end: outcomes, counts and the readiness values."""
    plan = prepared.plan
    return {
        "channels": {n: r.outcome for n, r in ledger.channels.items()},
        "experiments": {v.kind: v.summary.status for v in verdicts},
        "findings": len(found),
        "people": len(ledger.people),
        "never_reached": len(ledger.never_reached),
        "readiness": readiness.record(
            plan.readiness, plan.schedule.zone if plan.schedule else None
        ),
    }


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
