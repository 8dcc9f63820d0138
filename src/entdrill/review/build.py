"""``build_review``: the records of a period in, the readiness review out (pure).

::

    data = records.load_review_data(since, until)
    series = records.load_series(series_wanted(data))
    review = build_review(data, series, generated_at=now)

Only the per-second series of the storms the review charts are loaded (``series_wanted``), so
the review of 10,000 drills reads a handful of series, not 10,000.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from entdrill.calendar.first_morning import Return, next_return_in_zone
from entdrill.errors import InvalidInput
from entdrill.records import (
    DRILL_STATUSES,
    DetectionRecord,
    DrillRecord,
    ReviewData,
)
from entdrill.review import channels as ch
from entdrill.review import detection, trends
from entdrill.review import wording as say
from entdrill.review.decision import decide, requirement
from entdrill.review.findings import open_groups
from entdrill.review.headroom import read_capacity
from entdrill.review.measures import (
    SERVICE_NAMES,
    StormRun,
    Trial,
    read_storm,
    read_trial,
    service_of,
)
from entdrill.review.model import CapacityRun, Coverage, DrillRow, Review, ServiceScore
from entdrill.review.reach import ReachSummary, fold_rows
from entdrill.review.score import FORMULA, overall
from entdrill.review.services import (
    TRIAL_SERVICES,
    charted_storms,
    login_readiness,
    storm_steps,
    trial_readiness,
)
from entdrill.review.wording import PARIS, TITLE

RECENT_DRILLS = 40
#: Services the review always reports, tested or not (the others only when tested).
REQUIRED = ("login", "server_loss", "session_store", "video_fallback")
CHANNELS = "channels"


def only_drill(data: ReviewData, drill_id: str) -> ReviewData:
    """``data`` cut down to one drill: its experiments, channels, reach and findings (open
    findings are that drill's; standalone experiments are left out)."""
    mine = [f for f in data.findings if f.drill_id == drill_id]
    return replace(
        data,
        drills=[d for d in data.drills if d.id == drill_id],
        experiments=[x for x in data.experiments if x.drill_id == drill_id],
        standalone_experiments=[],
        channel_results=[c for c in data.channel_results if c.drill_id == drill_id],
        reach=[r for r in data.reach if r.drill_id == drill_id],
        findings=mine,
        open_findings=[f for f in mine if f.status == "open"],
        ledger=[e for e in data.ledger if e.drill_id == drill_id],
    )


def readings(data: ReviewData) -> tuple[list[StormRun], list[Trial], Counter[str]]:
    """The concluded storms and service trials of the period, and per service how many runs did
    not conclude (aborted, interrupted, or a storm without its measures)."""
    storms: list[StormRun] = []
    trials: list[Trial] = []
    missing: Counter[str] = Counter()
    for experiment in [*data.experiments, *data.standalone_experiments]:
        service = service_of(experiment.kind)
        if service is None:
            continue
        if experiment.kind.startswith("capacity"):
            if read_capacity(experiment) is None:
                missing[service] += 1
        elif service == "login":
            storm = read_storm(experiment)
            if storm is None:
                missing[service] += 1
            else:
                storms.append(storm)
        else:
            trial = read_trial(experiment)
            if trial is None:
                missing[service] += 1
            else:
                trials.append(trial)
    return storms, trials, missing


def series_wanted(data: ReviewData) -> list[str]:
    """The experiment ids whose per-second series the review charts (the storms of
    ``readings``, read without the other experiments)."""
    found = (
        read_storm(x)
        for x in [*data.experiments, *data.standalone_experiments]
        if x.kind.startswith("login_storm")
    )
    storms = [storm for storm in found if storm is not None]
    return [storm.experiment_id for storm, _ in charted_storms(storm_steps(storms))]


def searches_of(data: ReviewData) -> list[CapacityRun]:
    """The concluded capacity searches of the period."""
    found = (read_capacity(x) for x in [*data.experiments, *data.standalone_experiments])
    return [run for run in found if run is not None]


def without_running(data: ReviewData) -> tuple[ReviewData, list[DrillRecord]]:
    """``data`` without the drills still running (not evidence yet), and those drills."""
    running = [d for d in data.drills if d.status == "running"]
    if not running:
        return data, []
    ids = {d.id for d in running}
    return (
        replace(
            data,
            drills=[d for d in data.drills if d.id not in ids],
            experiments=[x for x in data.experiments if x.drill_id not in ids],
            channel_results=[c for c in data.channel_results if c.drill_id not in ids],
            reach=[r for r in data.reach if r.drill_id not in ids],
            findings=[f for f in data.findings if f.drill_id not in ids],
            ledger=[e for e in data.ledger if e.drill_id not in ids],
        ),
        running,
    )


def build_review(
    data: ReviewData,
    series: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    generated_at: datetime,
    as_of: datetime | None = None,
    required_multiple: float | None = None,
    normal_rate: float | None = None,
    zone: str | None = None,
    drill_id: str | None = None,
    source: str = "",
    title: str = TITLE,
    recent_drills: int = RECENT_DRILLS,
    reach: ReachSummary | Callable[[], ReachSummary] | None = None,
    detections: Sequence[DetectionRecord] = (),
) -> Review:
    """The review of ``data`` (already cut to one drill with ``only_drill`` when ``drill_id``).

    Ages are counted to ``as_of`` (default ``generated_at``); the requirement and the zone come
    from the arguments, else from the latest ended drill's plan (see ``decision.requirement``).
    Drills still running are listed apart and count for nothing until they end. ``reach`` is
    the period's reach rows already folded, or the fold pending (``source.PendingReach``,
    called once everything else is computed), for ``data`` loaded without them.
    """
    as_of = as_of or generated_at
    data, running = without_running(data)
    drills = data.drills
    required = requirement(
        drills, required_multiple=required_multiple, normal_rate=normal_rate, zone=zone
    )
    drill_at = {d.id: d.started_at for d in drills}
    storms, trials, missing = readings(data)
    login = login_readiness(
        storms,
        missing["login"],
        series or {},
        as_of=as_of,
        required=required.required_multiple,
        searches=searches_of(data),
    )
    tested = {t.service for t in trials}
    trial_views = tuple(
        trial_readiness(s, [t for t in trials if t.service == s], missing[s], as_of=as_of)
        for s in TRIAL_SERVICES
        if s in REQUIRED or s in tested or missing[s]
    )
    results = data.channel_results
    services = (
        ServiceScore("login", SERVICE_NAMES["login"], login.score),
        *(ServiceScore(t.service, t.name, t.score) for t in trial_views),
        ServiceScore(
            CHANNELS, trends.CHANNELS_SERVICE, ch.channels_score(results, drill_at, as_of)
        ),
    )
    covered = coverage(services)
    total = overall(s.score for s in services)
    detected = detection.detection_view(
        detections, {d.id: f"{d.plan_name} {say.day(d.started_at)}" for d in drills}
    )
    periods = trends.periods(drills)
    service_trend = trends.service_trend(periods, drills, storms, trials, results, drill_at)
    multiple_trend = trends.multiple_trend(periods, drills, storms)
    open_source = data.open_findings
    groups = open_groups(open_source, drill_at.keys())
    statuses: Counter[str] = Counter(d.status for d in drills)
    drill_rows = _drill_rows(data, storms, trials, recent_drills, login.searches)
    channel_scores = ch.channel_scores(results, drill_at, as_of)
    latest_results = ch.latest_results(results, drill_at)
    worked = trends.worked_shares(periods, results, drill_at)
    # The reach last: the records may still be folding it (``source.PendingReach``).
    if reach is None:
        reach = fold_rows(data.reach)
    elif not isinstance(reach, ReachSummary):
        reach = reach()
    channels = ch.channel_readiness(results, reach, drill_at, as_of, channel_scores)
    decision = decide(
        back=_return(required.zone, as_of),
        requirement=required,
        login=login,
        trials=trial_views,
        channels=channels,
        latest_results=latest_results,
        services=services,
        overall=total,
        coverage=covered,
        as_of=as_of,
    )
    decision = detection.with_reasons(decision, detection.reasons(detected))
    names = [c.name for c in channels]
    trend_views = (
        service_trend,
        multiple_trend,
        *trends.channel_trends(
            periods,
            drills,
            names,
            [c.name for c in channels if c.asks_ack],
            results,
            reach,
            drill_at,
            worked,
        ),
    )
    missed = ch.never_reached_anywhere(reach)
    return Review(
        title=title,
        generated_at=generated_at,
        since=data.since,
        until=data.until,
        drill_id=drill_id,
        source=source,
        drills=len(drills),
        statuses={s: statuses[s] for s in DRILL_STATUSES if statuses[s]},
        first_at=drills[0].started_at if drills else None,
        last_at=drills[-1].started_at if drills else None,
        standalone_experiments=len(data.standalone_experiments),
        overall=total,
        services=services,
        login=login,
        trials=trial_views,
        channels=channels,
        never_reached=missed,
        never_reached_people=len(missed),
        people_sent=ch.people_sent(reach),
        ack_curves=ch.ack_curves(reach, names),
        matrix=ch.channel_matrix(results, drills, names),
        trends=trend_views,
        findings=groups,
        open_findings=len([f for f in open_source if f.status == "open"]),
        unowned_findings=len([f for f in open_source if f.status == "open" and not f.owner]),
        drill_rows=drill_rows,
        formula=FORMULA,
        as_of=as_of,
        requirement=required,
        decision=decision,
        coverage=covered,
        running=tuple(_running_row(d) for d in running),
        detection=detected,
    )


def coverage(services: tuple[ServiceScore, ...]) -> Coverage:
    """Services tested in the period out of every service of the readiness model."""
    return Coverage(
        tested=tuple(s.service for s in services if s.score.tested),
        untested=tuple(s.service for s in services if not s.score.tested),
        stale=tuple(s.service for s in services if s.score.stale),
    )


def _return(zone: str | None, as_of: datetime) -> Return | None:
    """The next holiday of ``zone`` after the review date and the first morning back (None when
    no zone is known or the holiday data does not reach that far)."""
    if zone is None:
        return None
    try:
        day = (as_of - timedelta(microseconds=1)).astimezone(PARIS).date()
        return next_return_in_zone(zone, day)
    except InvalidInput:
        return None


def _running_row(drill: DrillRecord) -> DrillRow:
    return DrillRow(
        drill_id=drill.id,
        at=drill.started_at,
        plan_name=drill.plan_name,
        target=drill.target,
        status=drill.status,
        storms=(),
        trials=(),
        channels={},
        open_findings=0,
    )


def _drill_rows(
    data: ReviewData,
    storms: list[StormRun],
    trials: list[Trial],
    limit: int,
    searches: tuple[CapacityRun, ...] = (),
) -> tuple[DrillRow, ...]:
    shown = data.drills[-limit:][::-1] if limit else data.drills[::-1]
    ids = {d.id for d in shown}
    storms_of: dict[str, list[StormRun]] = {}
    trials_of: dict[str, list[Trial]] = {}
    channels_of: dict[str, dict[str, str]] = {}
    open_of: Counter[str] = Counter()
    for storm in storms:
        if storm.drill_id in ids:
            storms_of.setdefault(storm.drill_id, []).append(storm)
    for trial in trials:
        if trial.drill_id in ids:
            trials_of.setdefault(trial.drill_id, []).append(trial)
    for result in data.channel_results:
        if result.drill_id in ids:
            channels_of.setdefault(result.drill_id, {})[result.channel] = result.outcome
    for finding in data.findings:
        if finding.drill_id in ids and finding.status == "open":
            open_of[finding.drill_id] += 1
    return tuple(
        DrillRow(
            drill_id=d.id,
            at=d.started_at,
            plan_name=d.plan_name,
            target=d.target,
            status=d.status,
            storms=tuple(storms_of.get(d.id, ())),
            trials=tuple(trials_of.get(d.id, ())),
            channels=channels_of.get(d.id, {}),
            open_findings=open_of[d.id],
            searches=tuple(s for s in searches if s.drill_id == d.id),
        )
        for d in shown
    )
