"""The debrief posted in Slack at the end of a drill, and the verdict behind it (pure).

:func:`verdict` turns what happened into the drill's status and exit code: ``met`` (0) when
every activated channel and manual step worked, every experiment held and the drill could be
announced; ``not_met`` (1) otherwise; ``aborted`` when something stopped it: 4 (interrupted,
docs/exit-codes.md) for the kill switch, STOP DRILL, Ctrl-C or the plan's max_duration, 1 for
an error of the runner itself. :func:`debrief_text` writes the sections the plan's ``debrief.include`` asks for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from entdrill.drill.findings import DrillFinding, ExperimentVerdict
from entdrill.drill.ledger import Ledger
from entdrill.errors import EXIT_INTERRUPTED, EXIT_NOT_MET
from entdrill.records import DrillStatus

MAX_LISTED = 12


@dataclass(frozen=True)
class Verdict:
    status: DrillStatus
    exit_code: int
    reason: str


@dataclass(frozen=True)
class DrillReport:
    """Everything the debrief says."""

    drill_id: str
    plan_name: str
    started_at: datetime
    ended_at: datetime
    verdict: Verdict
    ledger: Ledger
    experiments: Sequence[ExperimentVerdict]
    findings: Sequence[DrillFinding]
    manual_steps: Sequence[str] = ()
    timeline: Sequence[tuple[float, str]] = ()  # (seconds since the start, what happened)
    record: str = ""  # where the record is
    mention: Sequence[str] = ()  # Slack ids to mention
    names: dict[str, str] = field(default_factory=dict)  # person id -> name


def verdict(
    ledger: Ledger,
    experiments: Sequence[ExperimentVerdict],
    *,
    aborted: str = "",
    announced: bool = True,
    recovered: bool = True,
    interrupted: bool = True,
) -> Verdict:
    """The drill's status, exit code and reason (see the module docstring); ``interrupted``
    False means ``aborted`` comes from an error, not from someone or something stopping it."""
    if aborted:
        return Verdict("aborted", EXIT_INTERRUPTED if interrupted else EXIT_NOT_MET, aborted)
    misses = [
        f"{name} {result.outcome}"
        for name, result in ledger.channels.items()
        if result.outcome not in ("worked", "unused")
    ]
    misses += [f"{e.kind} {_held(e)}" for e in experiments if not e.summary.held]
    if not announced:
        misses.append("the announcement was not posted")
    if not recovered:
        misses.append("faults left in place")
    if misses:
        return Verdict("not_met", 1, "not met: " + ", ".join(misses))
    return Verdict("met", 0, "every expectation met")


def with_misses(verdict: Verdict, misses: Sequence[str]) -> Verdict:
    """``verdict`` with more expectations not met (a met drill becomes not met)."""
    if verdict.status == "met":
        return Verdict("not_met", 1, "not met: " + ", ".join(misses))
    return Verdict(verdict.status, verdict.exit_code, verdict.reason + ", " + ", ".join(misses))


def _held(verdict: ExperimentVerdict) -> str:
    return "deviated" if verdict.summary.deviated else verdict.summary.status


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s" if whole >= 60 else f"{whole} s"


def debrief_text(report: DrillReport, include: Sequence[str]) -> str:
    """The debrief's text (Slack mrkdwn); the drill label is added when it is sent."""
    sections = {
        "summary": _summary,
        "timeline": _timeline,
        "experiments": _experiments,
        "channels": _channels,
        "acknowledgements": _acknowledgements,
        "manual_steps": _manual_steps,
        "findings": _findings,
        "record": _record,
    }
    parts = [f"*Debrief of the drill {report.plan_name}*"]
    for name in include:
        text = sections[name](report)
        if text:
            parts.append(text)
    if report.mention:
        parts.append(" ".join(f"<@{slack}>" for slack in report.mention[:MAX_LISTED]))
    return "\n\n".join(parts)


def _summary(r: DrillReport) -> str:
    took = _duration((r.ended_at - r.started_at).total_seconds())
    word = {"met": "MET", "not_met": "NOT MET", "aborted": "ABORTED"}.get(r.verdict.status, "")
    return f"*Verdict: {word or r.verdict.status}* ({r.verdict.reason}); the drill took {took}."


def _timeline(r: DrillReport) -> str:
    if not r.timeline:
        return ""
    lines = [f"`+{int(at) // 60:02d}:{int(at) % 60:02d}` {text}" for at, text in r.timeline]
    return "*Timeline*\n" + "\n".join(lines[-20:])


def _experiments(r: DrillReport) -> str:
    if not r.experiments:
        return ""
    lines = []
    for e in r.experiments:
        word = "held" if e.summary.held else _held(e)
        lines.append(f"• {e.title or e.kind}: *{word}*")
    return "*Experiments*\n" + "\n".join(lines)


def _channels(r: DrillReport) -> str:
    steps = set(r.manual_steps)
    lines = [
        f"• {name}: *{result.outcome}* ({result.reason})"
        for name, result in r.ledger.channels.items()
        if name not in steps and result.outcome != "unused"
    ]
    return "*Channels*\n" + "\n".join(lines) if lines else ""


def _acknowledgements(r: DrillReport) -> str:
    people = r.ledger.people
    if not people:
        return ""
    acked = [p for p in people.values() if p.acknowledged_on]
    by_channel: dict[str, int] = {}
    for person in acked:
        assert person.acknowledged_on is not None
        by_channel[person.acknowledged_on] = by_channel.get(person.acknowledged_on, 0) + 1
    split = ", ".join(f"{n} on {c}" for c, n in sorted(by_channel.items()))
    text = f"*Acknowledgements*\n{len(acked)} of {len(people)} people acknowledged"
    text += f" ({split})." if split else "."
    never = r.ledger.never_reached
    if never:
        names = [r.names.get(p, p) for p in never[:MAX_LISTED]]
        more = f" and {len(never) - MAX_LISTED} more" if len(never) > MAX_LISTED else ""
        text += f"\nNever reached ({len(never)}): {', '.join(names)}{more}."
    return text


def _manual_steps(r: DrillReport) -> str:
    lines = []
    for step in r.manual_steps:
        result = r.ledger.channels.get(step)
        if result is None or result.outcome == "unused":
            continue
        lines.append(
            f"• {step}: {result.acknowledged_final} of {result.sent_to} confirmed "
            f"(*{result.outcome}*)"
        )
    return "*Manual steps*\n" + "\n".join(lines) if lines else ""


def _findings(r: DrillReport) -> str:
    if not r.findings:
        return "*Findings*\nNone."
    lines = [f"• [{f.severity}] {f.title}" for f in r.findings[:MAX_LISTED]]
    if len(r.findings) > MAX_LISTED:
        lines.append(f"… and {len(r.findings) - MAX_LISTED} more in the record")
    return "*Findings*\n" + "\n".join(lines)


def _record(r: DrillReport) -> str:
    where = f" in {r.record}" if r.record else ""
    return f"*Record*\nDrill `{r.drill_id}`{where}: `entdrill drill show {r.drill_id}`"
