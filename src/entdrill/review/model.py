"""The readiness review as data: what ``build_review`` computes and the renderers show.

Every figure is computed here once, so the HTML and the Markdown say the same thing; shares
are between 0 and 1, times are UTC ``datetime`` values, durations are seconds unless named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from entdrill.review.measures import StormRun, Trial
from entdrill.review.score import Score

if TYPE_CHECKING:
    from entdrill.review.detection import DetectionView


@dataclass(frozen=True, slots=True)
class StormStep:
    """The storms of the period at one multiple of normal load."""

    multiple: float
    storms: int
    held: int
    latest: StormRun
    median_p50_ms: float | None
    median_p95_ms: float
    median_error_share: float


@dataclass(frozen=True, slots=True)
class StormSeries:
    """One storm second by second (the experiment's per-second series)."""

    storm: StormRun
    t_s: tuple[float, ...]
    offered_per_s: tuple[float | None, ...]
    errors_per_s: tuple[float | None, ...]
    p95_ms: tuple[float | None, ...]
    why: str  # why this storm is shown ("latest at the highest multiple held")


@dataclass(frozen=True, slots=True)
class CapacityStep:
    rate: float
    multiple: float | None
    held: bool
    p95_ms: float | None
    error_share: float | None
    refine: bool


@dataclass(frozen=True, slots=True)
class CapacityRun:
    """One concluded capacity search."""

    experiment_id: str
    drill_id: str | None
    at: datetime
    outcome: str  # knee, held_to_max, broke_at_min
    sustained_multiple: float | None
    breaking_multiple: float | None
    required_multiple: float | None  # as the search was told
    sustained_rate: float | None
    breaking_rate: float | None
    why: str  # why the breaking step broke, in words
    steps: tuple[CapacityStep, ...]

    def result(self, required: float) -> float:
        """This search's score result: its headroom against ``required``, at most 1."""
        if self.outcome == "broke_at_min" or self.sustained_multiple is None:
            return 0.0
        return min(1.0, self.sustained_multiple / required)


@dataclass(frozen=True, slots=True)
class Headroom:
    """The login headroom against the requirement, and what it rests on."""

    required_multiple: float
    value: float | None  # sustained ÷ required (a lower bound with ``partial`` evidence)
    sustained_multiple: float | None
    breaking_multiple: float | None
    evidence: str  # measured, partial or none
    source: str  # "capacity search", "storms" or ""
    at: datetime | None
    search: CapacityRun | None

    @property
    def short(self) -> bool:
        """Measured below the requirement."""
        return self.evidence == "measured" and self.value is not None and self.value < 1


@dataclass(frozen=True, slots=True)
class LoginReadiness:
    """Up to which load logins hold: per multiple, the latest storm decides.

    ``highest_held`` is the highest multiple whose latest storm held (its p95 there is that
    storm's); ``first_broken`` the lowest multiple whose latest storm broke.
    """

    storms: int
    not_concluded: int
    steps: tuple[StormStep, ...]
    highest_held: StormStep | None
    first_broken: StormStep | None
    series: tuple[StormSeries, ...]
    score: Score
    searches: tuple[CapacityRun, ...] = ()
    headroom: Headroom | None = None


@dataclass(frozen=True, slots=True)
class TrialReadiness:
    """A pass/fail service over the period: server loss, session store, video."""

    service: str
    name: str
    question: str
    tests: int
    passed: int
    not_concluded: int
    latest: Trial | None
    latest_failure: Trial | None
    score: Score


@dataclass(frozen=True, slots=True)
class ServiceScore:
    service: str
    name: str
    score: Score


@dataclass(frozen=True, slots=True)
class PersonCount:
    """A person and in how many drills something happened to them."""

    person: str
    group: str | None
    drills: int


@dataclass(frozen=True, slots=True)
class ChannelReadiness:
    """One fallback channel over the period.

    For channels that message people, ``sent`` counts person-drills sent to (a person refused
    by the audience allow-list is not sent to); *delivered* means delivered or acknowledged.
    A *channel-wide* channel (status page, backup room) reaches nobody in person: its delivery
    share is the share of drills where it was done at all (shown, joinable), in time or late.
    """

    name: str
    drills: int
    outcomes: dict[str, int]
    wide: bool
    sent: int
    delivered: int
    acknowledged: int
    asks_ack: bool
    delivery_share: float | None
    ack_share: float | None
    median_ack_s: float | None
    p90_ack_s: float | None
    never_reached: tuple[PersonCount, ...]
    never_reached_people: int
    score: Score


@dataclass(frozen=True, slots=True)
class AckCurve:
    """Cumulative share of the people sent to who acknowledged, by minutes since activation."""

    channel: str
    people: int
    minutes: tuple[float, ...]
    shares: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class MatrixColumn:
    drill_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class MatrixCell:
    outcome: str | None  # worked, degraded, failed, or None (not used in that drill)
    cause: str | None


@dataclass(frozen=True, slots=True)
class ChannelMatrix:
    """Channels (rows) by drills (columns, the most recent ``len(columns)`` of ``total``)."""

    channels: tuple[str, ...]
    columns: tuple[MatrixColumn, ...]
    cells: tuple[tuple[MatrixCell, ...], ...]
    total: int


@dataclass(frozen=True, slots=True)
class TrendSeries:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class Trend:
    """Values per period (bucket) of the review: per drill, week, month, quarter or year."""

    key: str
    title: str
    unit: str  # "share" (0 to 1) or "multiple"
    bucket: str
    labels: tuple[str, ...]
    starts: tuple[datetime, ...]
    drills: tuple[int, ...]
    series: tuple[TrendSeries, ...]


@dataclass(frozen=True, slots=True)
class FindingGroup:
    """Open findings that are the same finding (same key, else same title) across drills."""

    key: str
    title: str
    severity: str
    owners: tuple[str, ...]
    open_count: int
    first_opened: datetime
    last_opened: datetime
    latest_drill_id: str
    detail: str
    in_period: bool


@dataclass(frozen=True, slots=True)
class DrillRow:
    drill_id: str
    at: datetime
    plan_name: str
    target: str
    status: str
    storms: tuple[StormRun, ...]
    trials: tuple[Trial, ...]
    channels: dict[str, str]
    open_findings: int
    searches: tuple[CapacityRun, ...] = ()


@dataclass(frozen=True, slots=True)
class Requirement:
    """The load the ENT must hold and the zone whose holidays the decision is about, each from
    the review's options, else the latest ended drill's plan, else the default."""

    required_multiple: float
    normal_rate: float | None
    zone: str | None
    source: str  # where they came from, in words


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason of the decision: ``blocker`` (something measured broke) or ``risk`` (evidence
    missing or weak), with the section of the page that shows it (``anchor``)."""

    severity: str
    text: str
    anchor: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The review's answer: will the ENT hold the first morning after the next holiday?"""

    question: str
    answer: str  # ready, at risk, not ready
    reasons: tuple[Reason, ...]
    headroom: str  # the headroom in one sentence
    holiday: str | None
    first_morning: date | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """Services of the readiness model tested in the period, out of all of them."""

    tested: tuple[str, ...]
    untested: tuple[str, ...]
    stale: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.tested) + len(self.untested)


@dataclass(frozen=True, slots=True)
class Review:
    """The whole readiness review."""

    title: str
    generated_at: datetime
    since: datetime | None
    until: datetime | None
    drill_id: str | None
    source: str
    drills: int
    statuses: dict[str, int]
    first_at: datetime | None
    last_at: datetime | None
    standalone_experiments: int
    overall: Score
    services: tuple[ServiceScore, ...]
    login: LoginReadiness
    trials: tuple[TrialReadiness, ...]
    channels: tuple[ChannelReadiness, ...]
    never_reached: tuple[PersonCount, ...]
    never_reached_people: int
    people_sent: int
    ack_curves: tuple[AckCurve, ...]
    matrix: ChannelMatrix
    trends: tuple[Trend, ...]
    findings: tuple[FindingGroup, ...]
    open_findings: int
    unowned_findings: int
    drill_rows: tuple[DrillRow, ...]
    formula: tuple[str, ...]
    as_of: datetime | None = None
    requirement: Requirement | None = None
    decision: Decision | None = None
    coverage: Coverage | None = None
    running: tuple[DrillRow, ...] = ()
    detection: DetectionView | None = None  # time to detect (None: no detection recorded)

    @property
    def empty(self) -> bool:
        return self.drills == 0
