"""What a drill found that someone must fix (pure): from its verdicts to findings with owners.

A finding has a ``key`` that relates the same problem across drills (``channel:staff-sms:failed``,
``experiment:login_storm:deviated``), a severity, a title, a detail and the ``subject`` it is
about (a channel, manual step or experiment name), whose owner the plan's ``debrief.owners``
names. Sources, most serious first:

- faults that could not be reverted, sandbox components not back as configured (critical);
- a channel that failed (high) or degraded (medium), a manual step not confirmed (medium);
- an experiment that deviated (high) or did not run through (medium);
- the announcement that could not be posted (high); people never reached (medium);
- recipients refused because they are outside a channel's audience (low);
- ``STOP DRILL`` posted by someone who is not an organiser (info), the kill switch unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from entdrill.drill.journal import ExperimentSummary
from entdrill.drill.ledger import Ledger
from entdrill.records import Severity

SEVERITY_ORDER: dict[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass(frozen=True)
class DrillFinding:
    key: str
    severity: Severity
    title: str
    detail: str
    subject: str = "default"


@dataclass(frozen=True)
class ExperimentVerdict:
    """One experiment as the findings see it: its plan name (file stem) and summary."""

    kind: str
    title: str
    summary: ExperimentSummary


def channel_findings(ledger: Ledger, manual_steps: Iterable[str]) -> list[DrillFinding]:
    steps = set(manual_steps)
    found = []
    for name, result in ledger.channels.items():
        if result.outcome in ("worked", "unused", "pending"):
            continue
        if name in steps:
            severity: Severity = "medium"
            key, title = f"manual:{name}:{result.outcome}", f"manual step {name} not confirmed"
        else:
            severity = "high" if result.outcome == "failed" else "medium"
            key, title = f"channel:{name}:{result.outcome}", f"{name} channel {result.outcome}"
        found.append(DrillFinding(key, severity, title, result.reason, name))
        if result.refused:
            found.append(
                DrillFinding(
                    f"channel:{name}:refused",
                    "low",
                    f"{len(result.refused)} recipient(s) refused by {name}: outside its audience",
                    ", ".join(result.refused[:20]),
                    name,
                )
            )
    never = ledger.never_reached
    if never:
        shown = ", ".join(never[:20]) + (f" and {len(never) - 20} more" if len(never) > 20 else "")
        found.append(
            DrillFinding(
                "people:never_reached",
                "medium",
                f"{len(never)} person(s) never reached on any channel",
                shown,
            )
        )
    return found


def experiment_findings(verdicts: Sequence[ExperimentVerdict]) -> list[DrillFinding]:
    found = []
    for verdict in verdicts:
        summary = verdict.summary
        if summary.deviated:
            multiple = summary.measures.get("storm_multiple")
            load = f" at {multiple}x normal logins" if multiple else ""
            found.append(
                DrillFinding(
                    f"experiment:{verdict.kind}:deviated",
                    "high",
                    f"{verdict.title or verdict.kind} did not hold{load}",
                    "; ".join(summary.problems) or "its steady-state hypothesis deviated",
                    verdict.kind,
                )
            )
        elif summary.status != "completed":
            found.append(
                DrillFinding(
                    f"experiment:{verdict.kind}:{summary.status}",
                    "medium",
                    f"{verdict.title or verdict.kind} did not run through ({summary.status})",
                    "; ".join(summary.problems),
                    verdict.kind,
                )
            )
    return found


def run_findings(
    *,
    announcement_problem: str = "",
    recovery_problems: Sequence[str] = (),
    ignored_stops: Sequence[str] = (),
    stop_unreadable: str = "",
    matrix_announcement_problem: str = "",
    matrix_stop_unreadable: str = "",
) -> list[DrillFinding]:
    title = "the drill left the staging ENT broken"
    found = [DrillFinding("recovery:incomplete", "critical", title, p) for p in recovery_problems]
    if announcement_problem:
        found.append(
            DrillFinding(
                "announcement:failed",
                "high",
                "the drill could not be announced in Slack",
                announcement_problem,
            )
        )
    if stop_unreadable:
        found.append(
            DrillFinding(
                "killswitch:slack_unreadable",
                "low",
                "STOP DRILL could not be read from Slack during the drill",
                stop_unreadable,
            )
        )
    if matrix_announcement_problem:
        found.append(
            DrillFinding(
                "announcement:matrix_failed",
                "high",
                "the drill could not be announced in its Matrix room",
                matrix_announcement_problem,
            )
        )
    if matrix_stop_unreadable:
        found.append(
            DrillFinding(
                "killswitch:matrix_unreadable",
                "low",
                "STOP DRILL could not be read from the Matrix room during the drill",
                matrix_stop_unreadable,
            )
        )
    for who in ignored_stops:
        found.append(
            DrillFinding(
                "killswitch:stop_ignored",
                "info",
                "STOP DRILL posted by someone who is not an organiser (ignored)",
                who,
            )
        )
    return found


def ordered(findings: Iterable[DrillFinding]) -> list[DrillFinding]:
    """Most serious first; the same key once."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for finding in findings:
        if (finding.key, finding.detail) not in seen:
            seen.add((finding.key, finding.detail))
            unique.append(finding)
    return sorted(unique, key=lambda f: SEVERITY_ORDER[f.severity])
