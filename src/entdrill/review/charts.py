"""The review's figures (pure): each an inline SVG chart and the same figures as a table.

Both renderers show these: the HTML inlines the SVG above its table, the Markdown shows the
table (and links the SVG written next to the page when there is a page to write next to).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from entdrill.review import svg
from entdrill.review import wording as say
from entdrill.review.model import (
    AckCurve,
    ChannelMatrix,
    LoginReadiness,
    Review,
    StormSeries,
    Trend,
)
from entdrill.review.svg import Axis, Line, Mark, Rule

MAX_X_LABELS = 8
SERIES_TABLE_ROWS = 12


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    title: str
    description: str
    svgs: tuple[str, ...]
    table: Table


def login_figures(login: LoginReadiness) -> list[Figure]:
    if not login.steps:
        return []
    found = [_storm_latency(login), _storm_errors(login)]
    found.extend(_storm_seconds(i, s) for i, s in enumerate(login.series, start=1))
    return found


def channel_figures(review: Review) -> list[Figure]:
    found = []
    if review.ack_curves:
        found.append(_ack_curves(review.ack_curves))
    if review.matrix.columns:
        found.append(_matrix(review.matrix))
    return found


def trend_figures(review: Review) -> list[Figure]:
    return [
        _trend(t)
        for t in review.trends
        if len(t.labels) >= 2 and any(v is not None for s in t.series for v in s.values)
    ]


# -- login ----------------------------------------------------------------------------------


def _multiple_axis(login: LoginReadiness) -> Axis:
    multiples = [s.multiple for s in login.steps]
    low, high = min(multiples) / 1.6, max(multiples) * 1.6
    return Axis(
        "storm load, multiple of normal (log scale)",
        low,
        high,
        tuple((m, say.multiple(m)) for m in multiples),
        log=True,
    )


def _budget(login: LoginReadiness) -> float:
    budgets = Counter(s.latest.budget_ms for s in login.steps)
    return budgets.most_common(1)[0][0]


def _storm_latency(login: LoginReadiness) -> Figure:
    steps = login.steps
    budget = _budget(login)
    values = [v for s in steps for v in (s.median_p50_ms, s.median_p95_ms, s.latest.p95_ms) if v]
    low, high = min([*values, budget]) / 1.5, max([*values, budget]) * 1.5
    y = Axis(
        "login latency (log scale)",
        low,
        high,
        tuple((v, say.latency(v)) for v in svg.log_ticks(low, high)),
        log=True,
    )
    lines = (
        Line("median p50", tuple((s.multiple, s.median_p50_ms) for s in steps)),
        Line("median p95", tuple((s.multiple, s.median_p95_ms) for s in steps)),
        Line("latest storm's p95", tuple((s.multiple, s.latest.p95_ms) for s in steps), False),
    )
    first, last = steps[0], steps[-1]
    description = (
        f"Median login p95 is {say.latency(first.median_p95_ms)} at {say.multiple(first.multiple)} "
        f"and {say.latency(last.median_p95_ms)} at {say.multiple(last.multiple)}; "
        f"the budget is {say.latency(budget)}."
    )
    title = "Login latency against offered load"
    chart = svg.line_chart(
        "fig-storm-latency",
        title,
        description,
        _multiple_axis(login),
        y,
        lines,
        (Rule(budget, f"p95 budget {say.latency(budget)}"),),
    )
    rows = tuple(
        (
            say.multiple(s.multiple),
            f"{s.storms:,}",
            say.ratio(s.held, s.storms),
            say.latency(s.median_p50_ms),
            say.latency(s.median_p95_ms),
            say.day(s.latest.at),
            say.latency(s.latest.p95_ms),
            "✓ held" if s.latest.held else "✗ broke",
        )
        for s in steps
    )
    table = Table(
        "Login storms by multiple of normal load (the latest storm decides)",
        (
            "load",
            "storms",
            "held",
            "median p50",
            "median p95",
            "latest storm",
            "its p95",
            "its verdict",
        ),
        rows,
    )
    return Figure("storm-latency", title, description, (chart,), table)


def _storm_errors(login: LoginReadiness) -> Figure:
    steps = login.steps
    y = _share_axis("failed logins")
    lines = (
        Line("median share failed", tuple((s.multiple, s.median_error_share) for s in steps)),
        Line("latest storm", tuple((s.multiple, s.latest.error_share) for s in steps), False),
    )
    worst = max(steps, key=lambda s: s.median_error_share)
    description = (
        f"The median share of failed logins is highest at {say.multiple(worst.multiple)}: "
        f"{say.pct(worst.median_error_share)}. A storm held only if at most 1% failed."
    )
    title = "Login errors against offered load"
    chart = svg.line_chart(
        "fig-storm-errors",
        title,
        description,
        _multiple_axis(login),
        y,
        lines,
        (Rule(0.01, "1% failed: the most a held storm allows"),),
    )
    rows = tuple(
        (
            say.multiple(s.multiple),
            say.pct(s.median_error_share),
            say.pct(s.latest.error_share),
            ", ".join(f"{k} {v:,}" for k, v in sorted(s.latest.errors.items()) if v) or "none",
        )
        for s in steps
    )
    table = Table(
        "Failed logins by multiple of normal load",
        ("load", "median failed", "latest storm failed", "latest storm's errors by cause"),
        rows,
    )
    return Figure("storm-errors", title, description, (chart,), table)


def _storm_seconds(index: int, series: StormSeries) -> Figure:
    storm = series.storm
    verdict = "held" if storm.held else "broke"
    title = f"Storm at {say.multiple(storm.multiple)} on {say.when(storm.at)}, second by second"
    description = (
        f"{series.why.capitalize()}: it {verdict} (p95 {say.latency(storm.p95_ms)}, "
        f"{say.pct(storm.error_share)} of logins failed). Offered and failed logins per second"
        + (", and the p95 of each second." if any(series.p95_ms) else ".")
    )
    t = series.t_s
    top = max([v for v in (*series.offered_per_s, *series.errors_per_s) if v is not None] or [1])
    x = Axis("seconds since the storm started", t[0], t[-1], _linear_ticks(t[0], t[-1], _plain))
    y = Axis(
        "logins per second",
        0,
        top * 1.05,
        tuple((v, f"{v:,.0f}") for v in svg.nice_ticks(0, top * 1.05)),
    )
    charts = [
        svg.line_chart(
            f"fig-storm-{index}-load",
            title,
            description,
            x,
            y,
            (
                Line("offered", tuple(zip(t, series.offered_per_s, strict=True))),
                Line("failed", tuple(zip(t, series.errors_per_s, strict=True))),
            ),
            height=260,
        )
    ]
    p95 = [v for v in series.p95_ms if v is not None]
    if p95:
        low, high = min([*p95, storm.budget_ms]) / 1.5, max([*p95, storm.budget_ms]) * 1.5
        y95 = Axis(
            "p95 of the second (log scale)",
            low,
            high,
            tuple((v, say.latency(v)) for v in svg.log_ticks(low, high)),
            log=True,
        )
        charts.append(
            svg.line_chart(
                f"fig-storm-{index}-p95",
                f"{title}: p95",
                description,
                x,
                y95,
                (Line("p95", tuple(zip(t, series.p95_ms, strict=True))),),
                (Rule(storm.budget_ms, f"p95 budget {say.latency(storm.budget_ms)}"),),
                height=240,
            )
        )
    step = max(1, math.ceil(len(t) / SERIES_TABLE_ROWS))
    rows = tuple(
        (
            f"{t[i]:g}",
            _number(series.offered_per_s[i]),
            _number(series.errors_per_s[i]),
            say.latency(series.p95_ms[i]),
        )
        for i in range(0, len(t), step)
    )
    caption = "Second by second" + (f" (every {step} s)" if step > 1 else "")
    table = Table(caption, ("second", "offered /s", "failed /s", "p95"), rows)
    return Figure(f"storm-{index}", title, description, tuple(charts), table)


# -- channels -------------------------------------------------------------------------------


def _ack_curves(curves: Sequence[AckCurve]) -> Figure:
    minutes = curves[0].minutes
    end = minutes[-1]
    x = Axis("minutes since the channel was activated", 0, end, _linear_ticks(0, end, _plain))
    lines = tuple(Line(c.channel, tuple(zip(c.minutes, c.shares, strict=True))) for c in curves)
    title = "Acknowledgements over time"
    overall = curves[-1]
    description = (
        f"Cumulative share of the people sent to who acknowledged, by minutes since activation; "
        f"on any channel, {say.pct(_at(overall, 5))} after 5 minutes and "
        f"{say.pct(overall.shares[-1])} after {end:g} minutes."
    )
    chart = svg.line_chart(
        "fig-ack-curves", title, description, x, _share_axis("acknowledged"), lines
    )
    marks = sorted({m for m in (1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120) if m <= end} | {end})
    rows = tuple((f"{m:g} min", *(say.pct(_at(c, m)) for c in curves)) for m in marks)
    table = Table(
        "Share acknowledged by minutes since activation",
        ("after", *(f"{c.channel} ({c.people:,} sent)" for c in curves)),
        rows,
    )
    return Figure("ack-curves", title, description, (chart,), table)


def _matrix(matrix: ChannelMatrix) -> Figure:
    columns = [say.when(c.at) for c in matrix.columns]
    cells = [
        [
            Mark(
                cell.outcome,
                f"{columns[j]} · {matrix.channels[i]}: "
                + (cell.outcome or "not used")
                + (f" ({cell.cause})" if cell.cause else ""),
            )
            for j, cell in enumerate(row)
        ]
        for i, row in enumerate(matrix.cells)
    ]
    shown = len(matrix.columns)
    scope = (
        f"the {shown} most recent of {matrix.total:,} drills"
        if shown < matrix.total
        else say.count(shown, "drill")
    )
    title = "Channels drill by drill"
    counts = Counter(c.outcome for row in matrix.cells for c in row if c.outcome)
    description = (
        f"Outcome of each fallback channel in {scope}: "
        + ", ".join(f"{counts.get(o, 0)} {o}" for o in ("worked", "degraded", "failed"))
        + "."
    )
    chart = svg.matrix_chart(
        "fig-matrix",
        title,
        description,
        matrix.channels,
        [say.day(c.at) for c in matrix.columns],
        cells,
    )
    rows = tuple(
        (
            say.when(column.at),
            *(_outcome(matrix.cells[i][j].outcome) for i in range(len(matrix.channels))),
        )
        for j, column in enumerate(matrix.columns)
    )
    table = Table(f"Channel outcomes, {scope}", ("drill", *matrix.channels), rows)
    return Figure("channel-matrix", title, description, (chart,), table)


# -- trends ---------------------------------------------------------------------------------


def _trend(trend: Trend) -> Figure:
    xs = [s.timestamp() for s in trend.starts]
    labels = trend.labels
    keep = max(1, math.ceil(len(xs) / MAX_X_LABELS))
    ticks = tuple((xs[i], labels[i]) for i in range(0, len(xs), keep))
    span = (xs[-1] - xs[0]) or 1.0
    x = Axis(
        f"{trend.bucket} ({labels[0]} to {labels[-1]})",
        xs[0] - span * 0.02,
        xs[-1] + span * 0.02,
        ticks,
    )
    show: Callable[[float | None], str]
    if trend.unit == "multiple":
        values = [v for s in trend.series for v in s.values if v is not None]
        low, high = min(values) / 1.6, max(values) * 1.6
        y = Axis(
            "multiple of normal load (log scale)",
            low,
            high,
            tuple((v, say.multiple(v)) for v in svg.log_ticks(low, high)),
            log=True,
        )
        show = say.multiple
    else:
        y = _share_axis("share")
        show = say.pct
    lines = tuple(Line(s.name, tuple(zip(xs, s.values, strict=True))) for s in trend.series)
    description = (
        f"{trend.title}, per {trend.bucket}: "
        + "; ".join(f"{s.name} {_first_last(s.values, show)}" for s in trend.series)
        + "."
    )
    chart = svg.line_chart(f"fig-trend-{trend.key}", trend.title, description, x, y, lines)
    rows = tuple(
        (labels[i], f"{trend.drills[i]:,}", *(show(s.values[i]) for s in trend.series))
        for i in range(len(labels))
    )
    table = Table(trend.title, (trend.bucket, "drills", *(s.name for s in trend.series)), rows)
    return Figure(f"trend-{trend.key}", trend.title, description, (chart,), table)


# -- helpers --------------------------------------------------------------------------------


def _share_axis(label: str) -> Axis:
    return Axis(label, 0.0, 1.0, tuple((v / 100, f"{v}%") for v in (0, 25, 50, 75, 100)))


def _linear_ticks(
    low: float, high: float, show: Callable[[float], str]
) -> tuple[tuple[float, str], ...]:
    return tuple((v, show(v)) for v in svg.nice_ticks(low, high, 6))


def _plain(value: float) -> str:
    return f"{value:g}"


def _number(value: float | None) -> str:
    return say.NONE if value is None else f"{value:,.0f}"


def _at(curve: AckCurve, minute: float) -> float:
    found = [s for m, s in zip(curve.minutes, curve.shares, strict=True) if m <= minute]
    return found[-1] if found else 0.0


def _outcome(outcome: str | None) -> str:
    return svg.OUTCOME_WORDS.get(outcome or "", "not used")


def _first_last(values: Sequence[float | None], show: Callable[[float | None], str]) -> str:
    fmt = show
    present = [v for v in values if v is not None]
    if not present:
        return "no data"
    if len(present) == 1:
        return fmt(present[0])
    return f"from {fmt(present[0])} to {fmt(present[-1])}"
