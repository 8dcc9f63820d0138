"""Trends across drills (pure): per service and per channel, period by period.

The period of a trend point is a drill when the review has at most 24 drills; otherwise the
finest of week, month, quarter and year that gives at most 16 points between the first and the
last drill (calendar periods in Europe/Paris time). Each point is computed from the tests of its
period only (no weighting): a share of storms held, of runs survived, of drills where a channel
worked, of people sent to who acknowledged.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from entdrill.records import ChannelResult, DrillRecord
from entdrill.review.channels import Reach, summary_of
from entdrill.review.measures import SERVICE_NAMES, StormRun, Trial
from entdrill.review.model import Trend, TrendSeries
from entdrill.review.quantiles import share
from entdrill.review.reach import ReachSummary

PARIS = ZoneInfo("Europe/Paris")
MAX_DRILL_POINTS = 24
MAX_POINTS = 16
CHANNELS_SERVICE = "Fallback channels"


@dataclass(frozen=True, slots=True)
class Periods:
    kind: str
    starts: tuple[datetime, ...]
    labels: tuple[str, ...]

    def index(self, at: datetime) -> int:
        return max(0, bisect.bisect_right(self.starts, at) - 1)


def periods(drills: Sequence[DrillRecord]) -> Periods:
    """How the review's drills are cut into trend points."""
    if not drills:
        return Periods("drill", (), ())
    if len(drills) <= MAX_DRILL_POINTS:
        starts = tuple(d.started_at for d in drills)
        dates = [_local(d).date().isoformat() for d in drills]
        labels = tuple(
            f"{day} {_local(d):%H:%M}" if dates.count(day) > 1 else day
            for day, d in zip(dates, drills, strict=True)
        )
        return Periods("drill", starts, labels)
    first, last = _local(drills[0]).date(), _local(drills[-1]).date()
    for kind, floor, step, label in _CALENDAR:
        days: list[date] = [floor(first)]
        while (following := step(days[-1])) <= last:
            days.append(following)
        if len(days) <= MAX_POINTS or kind == "year":
            starts = tuple(
                datetime(d.year, d.month, d.day, tzinfo=PARIS).astimezone(UTC) for d in days
            )
            return Periods(kind, starts, tuple(label(d) for d in days))
    raise AssertionError("unreachable: years always fit")


def service_trend(
    p: Periods,
    drills: Sequence[DrillRecord],
    storms: Sequence[StormRun],
    trials: Sequence[Trial],
    results: Sequence[ChannelResult],
    drill_at: Mapping[str, datetime],
) -> Trend:
    """Share of tests passed per service and period."""
    series = [TrendSeries(SERVICE_NAMES["login"], _shares(p, [(s.at, s.held) for s in storms]))]
    for service in sorted({t.service for t in trials}, key=list(SERVICE_NAMES).index):
        mine = [(t.at, t.passed) for t in trials if t.service == service]
        series.append(TrendSeries(SERVICE_NAMES[service], _shares(p, mine)))
    if results:
        worked = [(drill_at[r.drill_id], r.outcome == "worked") for r in results]
        series.append(TrendSeries(CHANNELS_SERVICE, _shares(p, worked)))
    return _trend(p, drills, "services", "Services: share of tests passed", "share", series)


def multiple_trend(p: Periods, drills: Sequence[DrillRecord], storms: Sequence[StormRun]) -> Trend:
    """Highest multiple held and lowest multiple broken per period."""
    held: list[float | None] = [None] * len(p.starts)
    broken: list[float | None] = [None] * len(p.starts)
    for storm in storms:
        i = p.index(storm.at)
        target, pick = (held, max) if storm.held else (broken, min)
        current = target[i]
        target[i] = storm.multiple if current is None else pick(current, storm.multiple)
    series = (
        TrendSeries("highest multiple held", tuple(held)),
        TrendSeries("lowest multiple broken", tuple(broken)),
    )
    return _trend(
        p, drills, "login_multiple", "Login: storm multiples held and broken", "multiple", series
    )


def channel_trends(
    p: Periods,
    drills: Sequence[DrillRecord],
    channels: Sequence[str],
    asks_ack: Sequence[str],
    results: Sequence[ChannelResult],
    reach: Reach,
    drill_at: Mapping[str, datetime],
    worked_by_channel: Mapping[str, tuple[float | None, ...]] | None = None,
) -> tuple[Trend, Trend]:
    """Per channel and period: the share of drills where it worked (``worked_shares``, given
    when already computed), and the share of the people sent to who acknowledged."""
    if worked_by_channel is None:
        worked_by_channel = worked_shares(p, results, drill_at)
    worked = [TrendSeries(name, worked_by_channel.get(name) or _shares(p, [])) for name in channels]
    summary = summary_of(reach)
    acks = [
        TrendSeries(name, _counted_shares(p, _per_drill(summary, name), drill_at))
        for name in asks_ack
    ]
    return (
        _trend(
            p,
            drills,
            "channels_worked",
            "Channels: share of drills where the channel worked",
            "share",
            worked,
        ),
        _trend(
            p,
            drills,
            "acknowledged",
            "Channels: share of people sent to who acknowledged",
            "share",
            acks,
        ),
    )


def worked_shares(
    p: Periods, results: Sequence[ChannelResult], drill_at: Mapping[str, datetime]
) -> dict[str, tuple[float | None, ...]]:
    """Per channel with results and period: the share of drills where it worked."""
    tests: dict[str, list[tuple[datetime, bool]]] = {}
    for r in results:
        tests.setdefault(r.channel, []).append((drill_at[r.drill_id], r.outcome == "worked"))
    return {name: _shares(p, found) for name, found in tests.items()}


def _trend(
    p: Periods,
    drills: Sequence[DrillRecord],
    key: str,
    title: str,
    unit: str,
    series: Sequence[TrendSeries],
) -> Trend:
    counts = [0] * len(p.starts)
    for drill in drills:
        counts[p.index(drill.started_at)] += 1
    return Trend(key, title, unit, p.kind, p.labels, p.starts, tuple(counts), tuple(series))


def _shares(p: Periods, tests: Sequence[tuple[datetime, bool]]) -> tuple[float | None, ...]:
    passed = [0] * len(p.starts)
    total = [0] * len(p.starts)
    for at, ok in tests:
        i = p.index(at)
        total[i] += 1
        passed[i] += ok
    return tuple(share(a, b) for a, b in zip(passed, total, strict=True))


def _per_drill(summary: ReachSummary, channel: str) -> Mapping[str, tuple[int, int]]:
    folded = summary.channels.get(channel)
    return folded.per_drill if folded is not None else {}


def _counted_shares(
    p: Periods, per_drill: Mapping[str, tuple[int, int]], drill_at: Mapping[str, datetime]
) -> tuple[float | None, ...]:
    """``_shares`` of tests counted per drill: (people sent to, who acknowledged)."""
    passed = [0] * len(p.starts)
    total = [0] * len(p.starts)
    for drill_id, (sent, acked) in per_drill.items():
        i = p.index(drill_at[drill_id])
        total[i] += sent
        passed[i] += acked
    return tuple(share(a, b) for a, b in zip(passed, total, strict=True))


def _local(drill: DrillRecord) -> datetime:
    return drill.started_at.astimezone(PARIS)


def _month_after(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _quarter_after(d: date) -> date:
    return _month_after(_month_after(_month_after(d)))


_Floor = Callable[[date], date]
_CALENDAR: tuple[tuple[str, _Floor, _Floor, Callable[[date], str]], ...] = (
    (
        "week",
        lambda d: d - timedelta(days=d.weekday()),
        lambda d: d + timedelta(days=7),
        lambda d: f"{d.isocalendar().year}-W{d.isocalendar().week:02d}",
    ),
    ("month", lambda d: d.replace(day=1), _month_after, lambda d: f"{d:%Y-%m}"),
    (
        "quarter",
        lambda d: date(d.year, 3 * ((d.month - 1) // 3) + 1, 1),
        _quarter_after,
        lambda d: f"{d.year} Q{(d.month - 1) // 3 + 1}",
    ),
    ("year", lambda d: date(d.year, 1, 1), lambda d: date(d.year + 1, 1, 1), lambda d: f"{d.year}"),
)
