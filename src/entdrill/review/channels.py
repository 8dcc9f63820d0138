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

import bisect
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
from entdrill.review.quantiles import median, nearest_rank, share
from entdrill.review.score import DEGRADED_RESULT, Score, score

OUTCOME_RESULTS = {"worked": 1.0, "degraded": DEGRADED_RESULT, "failed": 0.0}
ANY_CHANNEL = "any channel"
MATRIX_DRILLS = 30
MAX_CURVE_MINUTES = 120


def is_sent(row: PersonChannelReach) -> bool:
    return row.sent_at is not None or row.failed_at is not None


def is_reached(row: PersonChannelReach) -> bool:
    return row.delivered_at is not None or row.acknowledged_at is not None


def channel_order(
    results: Iterable[ChannelResult], reach: Iterable[PersonChannelReach]
) -> list[str]:
    """Channels by the number of drills that used them (most first), then by name."""
    drills: dict[str, set[str]] = {}
    for result in results:
        drills.setdefault(result.channel, set()).add(result.drill_id)
    for row in reach:
        drills.setdefault(row.channel, set()).add(row.drill_id)
    return sorted(drills, key=lambda name: (-len(drills[name]), name))


def channel_readiness(
    results: Sequence[ChannelResult],
    reach: Sequence[PersonChannelReach],
    drill_at: Mapping[str, datetime],
    as_of: datetime,
) -> tuple[ChannelReadiness, ...]:
    by_results: dict[str, list[ChannelResult]] = {}
    by_rows: dict[str, list[PersonChannelReach]] = {}
    for result in results:
        by_results.setdefault(result.channel, []).append(result)
    for row in reach:
        if is_sent(row):
            by_rows.setdefault(row.channel, []).append(row)
    return tuple(
        _channel(name, by_results.get(name, []), by_rows.get(name, []), drill_at, as_of)
        for name in channel_order(results, reach)
    )


def _channel(
    name: str,
    results: list[ChannelResult],
    sent: list[PersonChannelReach],
    drill_at: Mapping[str, datetime],
    as_of: datetime,
) -> ChannelReadiness:
    delivered = sum(1 for r in sent if is_reached(r))
    acked = [r for r in sent if r.acknowledged_at is not None]
    waits = [max(0.0, t) for r in acked if (t := r.time_to_ack_s) is not None]
    missed = [r for r in sent if not is_reached(r)]
    outcomes: Counter[str] = Counter(r.outcome for r in results)
    wide = not sent
    asks_ack = bool(acked) or any("acknowledged_share" in r.expectation for r in results)
    return ChannelReadiness(
        name=name,
        drills=len({r.drill_id for r in results} | {r.drill_id for r in sent}),
        outcomes={o: outcomes.get(o, 0) for o in OUTCOME_RESULTS},
        wide=wide,
        sent=len(sent),
        delivered=delivered,
        acknowledged=len(acked),
        asks_ack=asks_ack and not wide,
        delivery_share=share(outcomes["worked"] + outcomes["degraded"], len(results))
        if wide
        else share(delivered, len(sent)),
        ack_share=share(len(acked), len(sent)) if asks_ack and not wide else None,
        median_ack_s=median(waits),
        p90_ack_s=nearest_rank(waits, 0.9),
        never_reached=_counted(missed),
        never_reached_people=len({r.person for r in missed}),
        score=channel_score(results, drill_at, as_of),
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


def never_reached_anywhere(reach: Iterable[PersonChannelReach]) -> tuple[PersonCount, ...]:
    """The people reached on no channel, with the number of drills where that happened (what
    ``entdrill.records.never_reached`` says, computed without building each person's record)."""
    sent: dict[tuple[str, str], str | None] = {}
    reached: set[tuple[str, str]] = set()
    for r in reach:
        if is_sent(r):
            key = (r.drill_id, r.person)
            if sent.get(key) is None:
                sent[key] = r.group
            if is_reached(r):
                reached.add(key)
    counts: Counter[str] = Counter()
    groups: dict[str, str | None] = {}
    for key, group in sent.items():
        if key not in reached:
            counts[key[1]] += 1
            groups.setdefault(key[1], group)
    return tuple(
        PersonCount(person, groups[person], n)
        for person, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def people_sent(reach: Iterable[PersonChannelReach]) -> int:
    """Person-drills sent to on at least one channel."""
    return len({(r.drill_id, r.person) for r in reach if is_sent(r)})


def ack_curves(
    reach: Sequence[PersonChannelReach], order: Sequence[str] | None = None
) -> tuple[AckCurve, ...]:
    """Per channel that collects acknowledgements (in ``order``, by default ``channel_order``)
    and for any channel: the cumulative share acknowledged by each minute after activation."""
    sent = [r for r in reach if is_sent(r)]
    starts: dict[tuple[str, str], datetime] = {}
    firsts: dict[str, datetime] = {}
    for r in sent:
        moment = _first_time(r)
        key = (r.drill_id, r.channel)
        known = starts.get(key)
        if known is None or moment < known:
            starts[key] = moment
        known = firsts.get(r.drill_id)
        if known is None or moment < known:
            firsts[r.drill_id] = moment
    offsets: dict[str, list[float]] = {}
    people: Counter[str] = Counter(r.channel for r in sent)
    first_ack: dict[tuple[str, str], datetime] = {}
    for r in sent:
        acked = r.acknowledged_at
        if acked is not None:
            start = starts[(r.drill_id, r.channel)]
            offsets.setdefault(r.channel, []).append(_minutes(acked, start))
            key = (r.drill_id, r.person)
            known = first_ack.get(key)
            if known is None or acked < known:
                first_ack[key] = acked
    if not offsets:
        return ()
    offsets[ANY_CHANNEL] = [_minutes(at, firsts[drill]) for (drill, _), at in first_ack.items()]
    people[ANY_CHANNEL] = len({(r.drill_id, r.person) for r in sent})
    horizon = _horizon([m for values in offsets.values() for m in values])
    step = 1 if horizon <= 60 else 2
    grid = tuple(float(m) for m in range(0, horizon + 1, step))
    names = channel_order((), sent) if order is None else order
    curves = []
    for channel in [c for c in names if c in offsets] + [ANY_CHANNEL]:
        found = sorted(offsets[channel])
        total = people[channel]
        curves.append(
            AckCurve(
                channel=channel,
                people=total,
                minutes=grid,
                shares=tuple(bisect.bisect_right(found, m) / total for m in grid),
            )
        )
    return tuple(curves)


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


def _counted(rows: Iterable[PersonChannelReach]) -> tuple[PersonCount, ...]:
    counts: Counter[str] = Counter()
    groups: dict[str, str | None] = {}
    for r in rows:
        counts[r.person] += 1
        groups.setdefault(r.person, r.group)
    return tuple(
        PersonCount(person, groups[person], n)
        for person, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def _first_time(row: PersonChannelReach) -> datetime:
    sent, failed = row.sent_at, row.failed_at
    if sent is None or (failed is not None and failed < sent):
        assert failed is not None
        return failed
    return sent


def _minutes(at: datetime, start: datetime) -> float:
    return max(0.0, (at - start).total_seconds() / 60)


def _horizon(minutes: Sequence[float]) -> int:
    """Where the curves end: the 99th percentile of acknowledgement times, rounded up to
    5 minutes, between 5 and 120."""
    p99 = nearest_rank(minutes, 0.99) or 0.0
    return int(min(MAX_CURVE_MINUTES, max(5, 5 * math.ceil(p99 / 5))))
