"""Readiness per fallback channel (pure): delivery and acknowledgement shares, time to
acknowledge, who was never reached, acknowledgements over time, and the channel-by-drill matrix.

Read from the records' ``reach`` rows (one per drill, person and channel, with the first time of
each ledger state) and channel results. Definitions follow the communications ledger:

- **sent to**: a person with a ``sent`` or ``failed`` state on the channel (refused only, outside
  the channel's audience, is not sent to); shares count person-drills;
- **delivered**: delivered or acknowledged (whoever answered got the message);
- **time to acknowledge**: from the person's first ``sent`` on the channel to the first
  ``acknowledged``; acknowledgements count whenever they came (the channel's outcome is what
  judges its deadline);
- **never reached** on a channel: sent to, neither delivered nor acknowledged there; never
  reached at all: sent to on some channel and reached on none;
- **activation** of a channel in a drill: its first ``sent`` (for "any channel", the drill's first
  ``sent`` on any channel).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from entdrill.records import ChannelResult, DrillRecord, PersonChannelReach
from entdrill.review.model import (
    AckCurve,
    ChannelMatrix,
    ChannelReadiness,
    MatrixCell,
    MatrixColumn,
    PersonCount,
)
from entdrill.review.quantiles import share
from entdrill.review.reach import (
    ChannelReach,
    Missed,
    ReachSummary,
    fold_rows,
)
from entdrill.review.reach import is_reached as is_reached
from entdrill.review.reach import is_sent as is_sent
from entdrill.review.score import DEGRADED_RESULT, Score, score

OUTCOME_RESULTS = {"worked": 1.0, "degraded": DEGRADED_RESULT, "failed": 0.0}
ANY_CHANNEL = "any channel"
MATRIX_DRILLS = 30
MAX_CURVE_MINUTES = 120
#: The reach rows of a period, in memory or folded (``entdrill.review.reach``).
Reach = Sequence[PersonChannelReach] | ReachSummary


def summary_of(reach: Reach) -> ReachSummary:
    """``reach`` folded (rows in memory are folded here; a summary is taken as it is)."""
    return reach if isinstance(reach, ReachSummary) else fold_rows(reach)


def channel_order(results: Iterable[ChannelResult], reach: Reach) -> list[str]:
    """Channels by the number of drills that used them (most first), then by name."""
    drills: dict[str, set[str]] = {}
    for result in results:
        drills.setdefault(result.channel, set()).add(result.drill_id)
    for name, channel in summary_of(reach).channels.items():
        drills.setdefault(name, set()).update(channel.drills)
    return sorted(drills, key=lambda name: (-len(drills[name]), name))


def channel_readiness(
    results: Sequence[ChannelResult],
    reach: Reach,
    drill_at: Mapping[str, datetime],
    as_of: datetime,
    scores: Mapping[str, Score] | None = None,
) -> tuple[ChannelReadiness, ...]:
    """Each channel's readiness, in ``channel_order``; ``scores`` are the channels' scores when
    already computed (``channel_scores``)."""
    summary = summary_of(reach)
    by_results = _by_channel(results)
    if scores is None:
        scores = channel_scores(results, drill_at, as_of)
    return tuple(
        _channel(name, by_results.get(name, []), summary.channels.get(name), scores.get(name))
        for name in channel_order(results, summary)
    )


def channel_scores(
    results: Iterable[ChannelResult], drill_at: Mapping[str, datetime], as_of: datetime
) -> dict[str, Score]:
    """The score of each channel with results (``channel_score``)."""
    return {
        name: channel_score(found, drill_at, as_of) for name, found in _by_channel(results).items()
    }


def _by_channel(results: Iterable[ChannelResult]) -> dict[str, list[ChannelResult]]:
    """``results`` grouped by channel, in their order."""
    by_channel: dict[str, list[ChannelResult]] = {}
    for result in results:
        by_channel.setdefault(result.channel, []).append(result)
    return by_channel


def _channel(
    name: str,
    results: list[ChannelResult],
    folded: ChannelReach | None,
    score: Score | None,
) -> ChannelReadiness:
    folded = folded or ChannelReach()
    sent, delivered, acked = folded.sent, folded.delivered, folded.acknowledged
    outcomes: Counter[str] = Counter(r.outcome for r in results)
    wide = not sent
    asks_ack = bool(acked) or any("acknowledged_share" in r.expectation for r in results)
    return ChannelReadiness(
        name=name,
        drills=len({r.drill_id for r in results} | folded.sent_drills),
        outcomes={o: outcomes.get(o, 0) for o in OUTCOME_RESULTS},
        wide=wide,
        sent=sent,
        delivered=delivered,
        acknowledged=acked,
        asks_ack=asks_ack and not wide,
        delivery_share=share(outcomes["worked"] + outcomes["degraded"], len(results))
        if wide
        else share(delivered, sent),
        ack_share=share(acked, sent) if asks_ack and not wide else None,
        median_ack_s=folded.median_wait_s,
        p90_ack_s=folded.p90_wait_s,
        never_reached=_counted(folded.missed),
        never_reached_people=len(folded.missed),
        score=score or Score(None, 0),
    )


def channel_score(
    results: Iterable[ChannelResult], drill_at: Mapping[str, datetime], as_of: datetime
) -> Score:
    return score(
        [(drill_at.get(r.drill_id, r.recorded_at), OUTCOME_RESULTS[r.outcome]) for r in results],
        as_of,
    )


def latest_results(
    results: Iterable[ChannelResult], drill_at: Mapping[str, datetime]
) -> dict[str, ChannelResult]:
    """Each channel's result in the latest drill that used it."""
    latest: dict[str, ChannelResult] = {}
    for result in results:
        moment = drill_at.get(result.drill_id, result.recorded_at)
        known = latest.get(result.channel)
        if known is None or moment >= drill_at.get(known.drill_id, known.recorded_at):
            latest[result.channel] = result
    return latest


def channels_score(
    results: Iterable[ChannelResult], drill_at: Mapping[str, datetime], as_of: datetime
) -> Score:
    """The *fallback channels* service: per drill, the mean result of its channels."""
    per_drill: dict[str, list[float]] = {}
    moments: dict[str, datetime] = {}
    for r in results:
        per_drill.setdefault(r.drill_id, []).append(OUTCOME_RESULTS[r.outcome])
        moments[r.drill_id] = drill_at.get(r.drill_id, r.recorded_at)
    return score([(moments[d], sum(v) / len(v)) for d, v in per_drill.items()], as_of)


def never_reached_anywhere(reach: Reach) -> tuple[PersonCount, ...]:
    """The people reached on no channel, with the number of drills where that happened (what
    ``entdrill.records.never_reached`` says, computed without building each person's record)."""
    return _counted(summary_of(reach).nowhere)


def people_sent(reach: Reach) -> int:
    """Person-drills sent to on at least one channel."""
    return summary_of(reach).people_sent


def ack_curves(reach: Reach, order: Sequence[str] | None = None) -> tuple[AckCurve, ...]:
    """Per channel that collects acknowledgements (in ``order``, by default ``channel_order``)
    and for any channel: the cumulative share acknowledged by each minute after activation."""
    summary = summary_of(reach)
    by_minute: dict[str, Mapping[int, int]] = {
        name: channel.ack_minutes
        for name, channel in summary.channels.items()
        if channel.ack_minutes
    }
    if not by_minute:
        return ()
    by_minute[ANY_CHANNEL] = summary.any_ack_minutes
    people = {name: channel.sent for name, channel in summary.channels.items()}
    people[ANY_CHANNEL] = summary.people_sent
    everyone: Counter[int] = Counter()
    for counts in by_minute.values():
        everyone.update(counts)
    horizon = _horizon(everyone)
    step = 1 if horizon <= 60 else 2
    grid = range(0, horizon + 1, step)
    if order is None:
        used = {name: c.sent_drills for name, c in summary.channels.items() if c.sent_drills}
        names: Sequence[str] = sorted(used, key=lambda name: (-len(used[name]), name))
    else:
        names = order
    curves = []
    for channel in [c for c in names if c in by_minute] + [ANY_CHANNEL]:
        found = _cumulative(by_minute[channel], grid)
        total = people[channel]
        curves.append(
            AckCurve(
                channel=channel,
                people=total,
                minutes=tuple(float(m) for m in grid),
                shares=tuple(count / total for count in found),
            )
        )
    return tuple(curves)


def _cumulative(counts: Mapping[int, int], grid: range) -> list[int]:
    """How many were counted by each minute of ``grid`` (in a minute at or before it)."""
    minutes = sorted(counts)
    found, total, i = [], 0, 0
    for m in grid:
        while i < len(minutes) and minutes[i] <= m:
            total += counts[minutes[i]]
            i += 1
        found.append(total)
    return found


def channel_matrix(
    results: Sequence[ChannelResult],
    drills: Sequence[DrillRecord],
    channels: Sequence[str],
    limit: int = MATRIX_DRILLS,
) -> ChannelMatrix:
    """The channel outcomes of the most recent ``limit`` drills that have any."""
    cells: dict[tuple[str, str], ChannelResult] = {(r.drill_id, r.channel): r for r in results}
    used = {r.drill_id for r in results}
    with_results = [d for d in drills if d.id in used]
    shown = with_results[-limit:] if limit else with_results
    rows = []
    for channel in channels:
        row = []
        for drill in shown:
            found = cells.get((drill.id, channel))
            row.append(MatrixCell(found.outcome, found.cause) if found else MatrixCell(None, None))
        rows.append(tuple(row))
    return ChannelMatrix(
        channels=tuple(channels),
        columns=tuple(MatrixColumn(d.id, d.started_at) for d in shown),
        cells=tuple(rows),
        total=len(with_results),
    )


def _counted(missed: Mapping[str, Missed]) -> tuple[PersonCount, ...]:
    return tuple(
        PersonCount(person, m.group, m.drills)
        for person, m in sorted(missed.items(), key=lambda item: (-item[1].drills, item[0]))
    )


def _horizon(by_minute: Mapping[int, int]) -> int:
    """Where the curves end: the 99th percentile of acknowledgement times (nearest rank),
    rounded up to 5 minutes, between 5 and 120 (from the minutes the times fall in, rounded up:
    a time is at most ``5k`` minutes when its minute is)."""
    total = sum(by_minute.values())
    rank = max(1, math.ceil(round(0.99 * total, 9)))
    seen = 0
    minute = 0
    for minute in sorted(by_minute):
        seen += by_minute[minute]
        if seen >= rank:
            break
    return int(min(MAX_CURVE_MINUTES, max(5, 5 * math.ceil(minute / 5))))
