"""What the review page says, as plain data (pure): every text already worded, every figure
already formatted, in the order the page shows them. ``build_view`` reads the review model once;
the HTML template (``templates/review.html.j2``) and the Markdown template
(``templates/review.md.j2``) only lay it out, so the two formats cannot drift apart.

Every string here is text, never markup: the HTML environment escapes it (autoescape), the
Markdown environment escapes it with its ``md`` and ``code`` filters. The one exception is
``FigureView.svgs``, drawn and escaped by ``svg``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from entdrill import __version__
from entdrill.review import charts, detection
from entdrill.review import headlines as hl
from entdrill.review import wording as say
from entdrill.review.charts import Figure, Table
from entdrill.review.model import FindingGroup, PersonCount, Review, TrialReadiness
from entdrill.review.svg import OUTCOME_WORDS

MAX_FINDINGS = 50
MAX_NAMES = 30
#: Never-reached people named in the per-channel table's "who" cell.
MAX_CELL_NAMES = 12
GRADE_CLASS = {"ready": "ok", "at risk": "warn", "not ready": "bad"}
GRADE_MARK = {"ready": "✓", "at risk": "~", "not ready": "✗"}
OUTCOME_CLASS = {"worked": "ok", "degraded": "warn", "failed": "bad"}
SUMMARY_COLUMNS = ("service", "score", "grade", "tests", "latest test", "what it rests on")
TRIAL_COLUMNS = ("service", "question", "passed", "latest run", "latest failure", "score")
MISSED_COLUMNS = ("channel", "people", "who")
FINDING_COLUMNS = ("severity", "finding", "owner", "open in drills", "first opened", "last opened")


@dataclass(frozen=True)
class Bit:
    """A piece of a sentence; a key figure names itself (``data-figure``) and stands out."""

    text: str
    figure: str = ""


@dataclass(frozen=True)
class PlainTable:
    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class FigureView:
    """A chart: its SVG drawings (markup from ``svg``) and the same data as a table."""

    key: str
    title: str
    description: str
    svgs: list[str]
    table: PlainTable


@dataclass(frozen=True)
class Header:
    title: str
    period: str
    counts: str


@dataclass(frozen=True)
class ReasonView:
    text: str
    anchor: str
    blocker: bool


@dataclass(frozen=True)
class DecisionView:
    question: str
    grade: str
    grade_class: str
    headroom: str
    reasons: list[ReasonView]
    notes: list[str]
    running: str


@dataclass(frozen=True)
class ServiceRow:
    name: str
    slug: str
    score: str
    grade: str
    grade_class: str
    tests: str
    latest: str
    rests_on: str


@dataclass(frozen=True)
class SummaryView:
    score: str
    grade: str
    grade_class: str
    services: str
    tests: str
    tested: str
    total: str
    rows: list[ServiceRow]
    headlines: list[list[Bit]]


@dataclass(frozen=True)
class Run:
    """A dated run in the pass/fail table: its day, its verdict, its detail."""

    day: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class TrialRow:
    anchor: str
    name: str
    question: str
    passed: str
    latest: Run | None
    failure: Run | None
    score: str


@dataclass(frozen=True)
class LoginView:
    capacity: list[Bit]
    capacity_table: PlainTable | None
    sentence: list[Bit]
    not_concluded: str
    figures: list[FigureView]
    trials: list[TrialRow]


@dataclass(frozen=True)
class Outcome:
    count: str
    css: str


@dataclass(frozen=True)
class ChannelRow:
    name: str
    slug: str
    anchor: str
    wide: bool
    drills: str
    outcomes: list[Outcome]
    delivered: str
    acknowledged: str
    median_ack: str
    p90_ack: str
    never_reached: str
    score: str


@dataclass(frozen=True)
class Person:
    name: str
    group: str
    drills: str


@dataclass(frozen=True)
class MissedRow:
    channel: str
    people: str
    who: str


@dataclass(frozen=True)
class ChannelsView:
    rows: list[ChannelRow]
    figures: list[FigureView]
    reach: list[Bit]
    people: list[Person]
    more_people: str
    missed: list[MissedRow]


@dataclass(frozen=True)
class TrendsView:
    bucket: str
    figures: list[FigureView]


@dataclass(frozen=True)
class DetectionSection:
    """Time to detect: the table per service, and the chart over the period with its per-drill
    table (None when nothing was injected)."""

    anchor: str
    table: PlainTable
    figure: FigureView | None


@dataclass(frozen=True)
class FindingRow:
    severity: str
    severe: bool
    title: str
    detail: str
    owners: str
    open_count: str
    first_opened: str
    last_opened: str
    in_period: bool


@dataclass(frozen=True)
class FindingsView:
    sentence: list[Bit]
    across_drills: bool
    rows: list[FindingRow]
    more: str


@dataclass(frozen=True)
class StormCell:
    multiple: str
    held: bool
    p95: str


@dataclass(frozen=True)
class TrialCell:
    service: str
    passed: bool


@dataclass(frozen=True)
class ChannelCell:
    name: str
    word: str
    css: str


@dataclass(frozen=True)
class DrillRow:
    at: str
    plan: str
    status: str
    searches: list[str]
    storms: list[StormCell]
    trials: list[TrialCell]
    channels: list[ChannelCell]
    open_findings: str
    drill_id: str


@dataclass(frozen=True)
class DrillsView:
    scope: str
    rows: list[DrillRow]


@dataclass(frozen=True)
class Definition:
    term: str
    text: str


@dataclass(frozen=True)
class ReviewView:
    """The whole page. ``empty``: no drill in the period (only the decision, the findings and
    the method are shown, with ``source`` named in the hint)."""

    page_title: str
    header: Header
    decision: DecisionView | None
    empty: bool
    summary: SummaryView
    login: LoginView
    channels: ChannelsView | None
    trends: TrendsView | None
    detection: DetectionSection | None
    findings: FindingsView
    drills: DrillsView
    formula: list[str]
    definitions: list[Definition]
    version: str
    generated: str
    source: str
    #: Column headers shared by both formats.
    columns: dict[str, list[str]] = field(default_factory=dict)


def build_view(review: Review) -> ReviewView:
    """The review model read once into what the page says."""
    return ReviewView(
        page_title=f"{review.title}: {hl.period(review)}",
        header=Header(review.title, hl.period(review), hl.drill_counts(review)),
        decision=_decision(review),
        empty=review.empty,
        summary=_summary(review),
        login=_login(review),
        channels=_channels(review) if review.channels else None,
        trends=_trends(review),
        detection=_detection(review),
        findings=_findings(review),
        drills=_drills(review),
        formula=list(review.formula),
        definitions=[Definition(term, text) for term, text in hl.DEFINITIONS],
        version=__version__,
        generated=say.when(review.generated_at),
        source=review.source or "unknown",
        columns={
            "summary": list(SUMMARY_COLUMNS),
            "trials": list(TRIAL_COLUMNS),
            "channels": list(say.CHANNEL_COLUMNS),
            "missed": list(MISSED_COLUMNS),
            "findings": list(FINDING_COLUMNS),
            "drills": list(say.DRILL_COLUMNS),
        },
    )


def grade_text(grade: str | None) -> str:
    return "not tested" if grade is None else f"{GRADE_MARK[grade]} {grade}"


def sentence(bits: hl.Sentence) -> list[Bit]:
    return [Bit(b.text, b.figure or "") for b in bits]


def plain_table(table: Table) -> PlainTable:
    return PlainTable(table.caption, list(table.headers), [list(row) for row in table.rows])


def figure(chart: Figure) -> FigureView:
    return FigureView(
        chart.key, chart.title, chart.description, list(chart.svgs), plain_table(chart.table)
    )


# -- sections -------------------------------------------------------------------------------


def _decision(review: Review) -> DecisionView | None:
    decision = review.decision
    if decision is None:
        return None
    notes = [hl.coverage_sentence(review), hl.requirement_sentence(review)]
    return DecisionView(
        question=decision.question,
        grade=grade_text(decision.answer),
        grade_class=GRADE_CLASS[decision.answer],
        headroom=decision.headroom,
        reasons=[ReasonView(r.text, r.anchor, r.severity == "blocker") for r in decision.reasons],
        notes=[n for n in notes if n],
        running=hl.running_sentence(review) if review.running else "",
    )


def _summary(review: Review) -> SummaryView:
    answer = review.decision.answer if review.decision else review.overall.grade
    covered = review.coverage
    return SummaryView(
        score=say.score(review.overall.value),
        grade=grade_text(answer),
        grade_class=GRADE_CLASS.get(answer or "", "muted"),
        services=str(len(review.services)),
        tests=say.count(review.overall.tests, "test"),
        tested=str(len(covered.tested) if covered else 0),
        total=str(covered.total if covered else len(review.services)),
        rows=[
            ServiceRow(
                name=s.name,
                slug=hl.slug(s.service),
                score=say.score(s.score.value),
                grade=grade_text(s.score.grade),
                grade_class=GRADE_CLASS.get(s.score.grade or "", "muted"),
                tests=f"{s.score.tests:,}",
                latest=hl.latest_test(review, s.score),
                rests_on=hl.service_figure(review, s.service),
            )
            for s in review.services
        ],
        headlines=[sentence(s) for s in hl.headlines(review)],
    )


def _login(review: Review) -> LoginView:
    login = review.login
    capacity = hl.capacity_sentence(login)
    return LoginView(
        capacity=sentence(capacity) if capacity is not None else [],
        capacity_table=plain_table(hl.capacity_table(login)) if capacity is not None else None,
        sentence=sentence(hl.login_sentence(login)),
        not_concluded=say.count(login.not_concluded, "storm") if login.not_concluded else "",
        figures=[figure(f) for f in charts.login_figures(login)],
        trials=[_trial(t) for t in review.trials],
    )


def _trial(trial: TrialReadiness) -> TrialRow:
    latest, failure = trial.latest, trial.latest_failure
    return TrialRow(
        anchor=f"service-{trial.service}",
        name=trial.name,
        question=trial.question,
        passed=say.ratio(trial.passed, trial.tests) if trial.tests else "not tested",
        latest=Run(say.day(latest.at), latest.passed, latest.detail) if latest else None,
        failure=Run(say.day(failure.at), failure.passed, failure.detail) if failure else None,
        score=say.score(trial.score.value),
    )


def _channels(review: Review) -> ChannelsView:
    more = len(review.never_reached) - MAX_NAMES
    return ChannelsView(
        rows=[
            ChannelRow(
                name=c.name,
                slug=hl.slug(c.name),
                anchor=f"channel-{hl.slug(c.name)}",
                wide=c.wide,
                drills=f"{c.drills:,}",
                outcomes=[
                    Outcome(f"{n:,}", OUTCOME_CLASS[o] if n else "muted")
                    for o, n in c.outcomes.items()
                ],
                delivered=say.pct(c.delivery_share),
                acknowledged=say.pct(c.ack_share) if c.asks_ack else "not asked",
                median_ack=say.duration(c.median_ack_s),
                p90_ack=say.duration(c.p90_ack_s),
                never_reached=f"{c.never_reached_people:,}",
                score=say.score(c.score.value),
            )
            for c in review.channels
        ],
        figures=[figure(f) for f in charts.channel_figures(review)],
        reach=sentence(hl.reach_sentence(review)),
        people=[_person(p) for p in review.never_reached[:MAX_NAMES]],
        more_people=f"{more:,}" if more > 0 else "",
        missed=[
            MissedRow(c.name, f"{c.never_reached_people:,}", _names(c.never_reached))
            for c in review.channels
            if c.never_reached
        ],
    )


def _person(person: PersonCount) -> Person:
    return Person(person.person, person.group or "no group", say.count(person.drills, "drill"))


def _names(people: tuple[PersonCount, ...]) -> str:
    shown = [f"{p.person} ({p.drills})" for p in people[:MAX_CELL_NAMES]]
    more = len(people) - MAX_CELL_NAMES
    return ", ".join(shown) + (f" and {more:,} others" if more > 0 else "")


def _trends(review: Review) -> TrendsView | None:
    found = charts.trend_figures(review)
    if not found:
        return None
    return TrendsView(review.trends[0].bucket, [figure(f) for f in found])


def _detection(review: Review) -> DetectionSection | None:
    found = review.detection
    if found is None:
        return None
    chart = detection.figure(found)
    return DetectionSection(
        detection.ANCHOR,
        plain_table(detection.service_table(found)),
        None if chart is None else figure(chart),
    )


def _findings(review: Review) -> FindingsView:
    more = len(review.findings) - MAX_FINDINGS
    return FindingsView(
        sentence=sentence(hl.findings_sentence(review)),
        across_drills=review.drill_id is None and bool(review.findings),
        rows=[_finding(g) for g in review.findings[:MAX_FINDINGS]],
        more=f"{more:,}" if more > 0 else "",
    )


def _finding(group: FindingGroup) -> FindingRow:
    return FindingRow(
        severity=group.severity,
        severe=group.severity in ("critical", "high"),
        title=group.title,
        detail=group.detail,
        owners=", ".join(group.owners),
        open_count=f"{group.open_count:,}",
        first_opened=say.day(group.first_opened),
        last_opened=say.day(group.last_opened),
        in_period=group.in_period,
    )


def _drills(review: Review) -> DrillsView:
    shown = len(review.drill_rows)
    scope = (
        f"The {shown} most recent of {review.drills:,} drills, newest first."
        if shown < review.drills
        else "Every drill of the period, newest first."
    )
    return DrillsView(
        scope=scope,
        rows=[
            DrillRow(
                at=say.when(d.at),
                plan=d.plan_name,
                status=d.status.replace("_", " "),
                searches=[hl.search_cell(c) for c in d.searches],
                storms=[
                    StormCell(say.multiple(s.multiple), s.held, say.latency(s.p95_ms))
                    for s in d.storms
                ],
                trials=[TrialCell(t.service.replace("_", " "), t.passed) for t in d.trials],
                channels=[
                    ChannelCell(c, OUTCOME_WORDS.get(o, o).split()[-1], OUTCOME_CLASS.get(o, ""))
                    for c, o in d.channels.items()
                ],
                open_findings=f"{d.open_findings:,}",
                drill_id=d.drill_id,
            )
            for d in review.drill_rows
        ],
    )
