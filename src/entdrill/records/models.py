"""What the records store holds: drills, their hash-chained events, experiments, channel results,
the communications ledger and findings, as plain frozen dataclasses.

These are what the store returns and what ``Records.import_drills`` takes; every time is a
timezone-aware UTC ``datetime`` and every JSON value a ``dict`` of JSON-compatible values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

DrillStatus = Literal["running", "met", "not_met", "aborted", "interrupted", "dry_run"]
ChannelOutcome = Literal["worked", "degraded", "failed"]
LedgerState = Literal["sent", "delivered", "acknowledged", "failed", "refused"]
FindingStatus = Literal["open", "closed"]
Severity = Literal["critical", "high", "medium", "low", "info"]

DRILL_STATUSES: tuple[str, ...] = get_args(DrillStatus)
FINAL_STATUSES: tuple[str, ...] = tuple(s for s in DRILL_STATUSES if s != "running")
CHANNEL_OUTCOMES: tuple[str, ...] = get_args(ChannelOutcome)
LEDGER_STATES: tuple[str, ...] = get_args(LedgerState)
FINDING_STATUSES: tuple[str, ...] = get_args(FindingStatus)
SEVERITIES: tuple[str, ...] = get_args(Severity)

#: The ``prev_hash`` of a drill's first event.
GENESIS = "0" * 64

#: The phase of the events the store itself appends (created, finished, interrupted).
LIFECYCLE_PHASE = "drill"


@dataclass(frozen=True, slots=True)
class DrillRecord:
    """One drill run: what plan, against what, by which process, and how it ended."""

    id: str
    plan_name: str
    plan_path: str
    plan_digest: str
    target: str
    started_at: datetime
    status: DrillStatus
    ended_at: datetime | None = None
    exit_code: int | None = None
    reason: str | None = None
    pid: int | None = None
    host: str | None = None
    organisers: tuple[str, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    last_seq: int = 0
    head_hash: str = GENESIS


@dataclass(frozen=True, slots=True)
class Event:
    """One step of a drill, chained to the previous one by ``prev_hash``."""

    drill_id: str
    seq: int
    at: datetime
    phase: str
    kind: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ExperimentRecord:
    """One Chaos Toolkit experiment run, inside a drill or standalone (``drill_id`` None).

    ``measures`` holds the key figures (storm multiple, offered rate, login p95, success ratio,
    error counts...); ``series`` the per-second series and ``journal`` the redacted journal, both
    large, so readers leave them None unless asked (they are None too when none was recorded).
    """

    id: str
    drill_id: str | None
    title: str
    path: str
    kind: str
    status: str
    deviated: bool
    started_at: datetime
    ended_at: datetime | None
    measures: dict[str, Any]
    series: dict[str, Any] | None = None
    journal: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ChannelResult:
    """A fallback channel's outcome in one drill, judged against its expectation."""

    drill_id: str
    channel: str
    outcome: ChannelOutcome
    expectation: dict[str, Any]
    delivered_share: float | None
    acknowledged_share: float | None
    cause: str | None
    details: dict[str, Any]
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One state a message to one person on one channel went through, with its evidence."""

    id: str
    drill_id: str
    person: str
    channel: str
    state: LedgerState
    at: datetime
    group: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewLedgerEntry:
    """A ledger entry to add with ``Records.add_ledger_entries`` (time defaults to now)."""

    person: str
    channel: str
    state: LedgerState
    at: datetime | None = None
    group: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a drill found that someone must fix; ``key`` relates the same finding across
    drills (e.g. ``channel:sms:failed``)."""

    id: str
    drill_id: str
    severity: Severity
    title: str
    detail: str
    owner: str | None
    status: FindingStatus
    created_at: datetime
    closed_at: datetime | None = None
    resolution: str | None = None
    key: str | None = None


@dataclass(frozen=True, slots=True)
class DrillDetail:
    """Everything about one drill."""

    drill: DrillRecord
    events: list[Event] = field(default_factory=list)
    experiments: list[ExperimentRecord] = field(default_factory=list)
    channel_results: list[ChannelResult] = field(default_factory=list)
    ledger: list[LedgerEntry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One defect of a drill's event chain, at ``seq``."""

    seq: int
    kind: Literal["changed", "missing", "reordered", "broken_link", "head", "status"]
    message: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of ``Records.verify_chain``: ``ok`` when every event is present and intact."""

    drill_id: str
    checked: int
    problems: tuple[ChainProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        return min((p.seq for p in self.problems), default=None)

    def describe(self) -> str:
        """One line per problem, or one line saying the chain holds."""
        if self.ok:
            return f"drill {self.drill_id}: {self.checked} events, hash chain verified"
        lines = [f"drill {self.drill_id}: hash chain broken ({len(self.problems)} problems)"]
        lines.extend(f"  seq {p.seq}: {p.message}" for p in self.problems)
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class PersonChannelReach:
    """The first time a person reached each ledger state on one channel in one drill."""

    drill_id: str
    person: str
    group: str | None
    channel: str
    sent_at: datetime | None
    delivered_at: datetime | None
    acknowledged_at: datetime | None
    failed_at: datetime | None
    refused_at: datetime | None

    @property
    def time_to_ack_s(self) -> float | None:
        """Seconds from the first send to the first acknowledgement on this channel."""
        if self.sent_at is None or self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.sent_at).total_seconds()


#: A ``PersonChannelReach`` as the review reads it, compactly: drill id, person, group (None
#: when the person was reached on the channel: the review names only the people it missed),
#: channel, the first ``sent`` or ``failed`` (None when never sent to), the first ``sent``,
#: whether delivered or acknowledged, the first ``acknowledged``.
ReachFact = tuple[
    str, str, str | None, str, datetime | None, datetime | None, bool, datetime | None
]


@dataclass(slots=True)
class ReviewData:
    """What the readiness review reads, for the drills started in ``[since, until)``.

    ``experiments`` belong to those drills; ``standalone_experiments`` are runs outside any drill
    started in the window; ``reach`` has one row per drill, person and channel (the ledger folded
    by the database); ``ledger`` holds the raw entries only when asked for; ``open_findings`` is
    every open finding of any date, so the review can list what is still to fix. Lists follow the
    drills' start order.
    """

    since: datetime | None
    until: datetime | None
    drills: list[DrillRecord]
    experiments: list[ExperimentRecord]
    standalone_experiments: list[ExperimentRecord]
    channel_results: list[ChannelResult]
    reach: list[PersonChannelReach]
    findings: list[Finding]
    open_findings: list[Finding]
    ledger: list[LedgerEntry] = field(default_factory=list)

    def by_drill(self) -> dict[str, DrillDetail]:
        """Each drill with its experiments, channel results, ledger (if loaded) and findings."""
        details = {d.id: DrillDetail(drill=d) for d in self.drills}
        for experiment in self.experiments:
            if experiment.drill_id in details:
                details[experiment.drill_id].experiments.append(experiment)
        for result in self.channel_results:
            details[result.drill_id].channel_results.append(result)
        for entry in self.ledger:
            details[entry.drill_id].ledger.append(entry)
        for finding in self.findings:
            details[finding.drill_id].findings.append(finding)
        return details
