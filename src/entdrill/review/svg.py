"""Small inline SVG charts (pure, no JavaScript, no external asset): line charts on linear or
logarithmic axes, and an outcome matrix.

Every chart carries ``<title>`` and ``<desc>`` (named by ``aria-labelledby``) and reads printed in
black and white: lines differ by dash pattern and marker shape as well as by colour, and matrix
cells carry a drawn mark (✓, ~, ✗) besides their fill.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#0b5cad", "#c2410c", "#047857", "#a21caf", "#b45309", "#0e7490", "#1f2937")
DASHES = ("", "7 4", "2 3", "10 3 2 3", "5 2", "1 3", "12 4 4 4")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "down", "plus")
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
MARKS_PER_LINE = 12
OUTCOME_STYLE = {
    "worked": ("#d9f2df", "#1e6b34", "M5 11 L9 15 L16 6"),
    "degraded": ("#fff0c2", "#7a4d00", "M4 11 q3.5 -6 7 0 t7 0"),
    "failed": ("#fbd5d2", "#a3231b", "M6 6 L15 15 M15 6 L6 15"),
}
OUTCOME_WORDS = {"worked": "worked ✓", "degraded": "degraded ~", "failed": "failed ✗"}


@dataclass(frozen=True, slots=True)
class Axis:
    """An axis from ``low`` to ``high`` (logarithmic when ``log``) with labelled ticks."""

    label: str
    low: float
    high: float
    ticks: tuple[tuple[float, str], ...]
    log: bool = False

    def place(self, value: float, start: float, end: float) -> float:
        """Where ``value`` falls between the pixel positions ``start`` and ``end``."""
        if self.log:
            low, high, value = math.log10(self.low), math.log10(self.high), math.log10(value)
        else:
            low, high = self.low, self.high
        span = (high - low) or 1.0
        return start + (end - start) * (min(max(value, low), high) - low) / span


@dataclass(frozen=True, slots=True)
class Line:
    """A named series of points; a None value leaves a gap. ``joined`` False draws markers only."""

    name: str
    points: tuple[tuple[float, float | None], ...]
    joined: bool = True


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal reference line (a budget, an objective)."""

    value: float
    label: str


@dataclass(frozen=True, slots=True)
class Mark:
    """A matrix cell: an outcome (worked, degraded, failed, or None) and its tooltip."""

    outcome: str | None
    tip: str


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 times a power of ten) covering [low, high]."""
    span = max(high - low, 1e-9)
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        if value >= low - step * 1e-9:
            ticks.append(round(value, 10))
        value += step
    return ticks


def log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks of each decade in [low, high] (1-10 only when that gives too many)."""
    ticks: list[float] = []
    for multipliers in ((1, 2, 5), (1,)):
        ticks = [
            m * 10.0**e
            for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
            for m in multipliers
            if low * (1 - 1e-9) <= m * 10.0**e <= high * (1 + 1e-9)
        ]
        if len(ticks) <= 9:
            break
    return ticks


def line_chart(
    key: str,
    title: str,
    description: str,
    x: Axis,
    y: Axis,
    lines: Sequence[Line],
    rules: Sequence[Rule] = (),
    width: int = 680,
    height: int = 300,
) -> str:
    """A line chart with a legend below the plot."""
    left, right, top, bottom = 68, 18, 34, 46
    legend_rows = _legend_rows([ln.name for ln in lines] + [r.label for r in rules], width - left)
    full = height + 18 * len(legend_rows) + 6
    x0, x1, y0, y1 = left, width - right, height - bottom, top
    parts = [_open(key, title, description, width, full), _heading(title, left)]
    parts.append(
        f'<rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}" fill="#fff" stroke="#9ca3af"/>'
    )
    for value, text in y.ticks:
        py = y.place(value, y0, y1)
        parts.append(f'<line x1="{x0}" x2="{x1}" y1="{py:.1f}" y2="{py:.1f}" stroke="#e5e7eb"/>')
        parts.append(_text(x0 - 6, py + 4, text, anchor="end"))
    for value, text in x.ticks:
        px = x.place(value, x0, x1)
        parts.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{y1}" y2="{y0}" stroke="#f0f1f3"/>')
        parts.append(_text(px, y0 + 15, text, anchor="middle"))
    parts.append(_text((x0 + x1) / 2, y0 + 34, x.label, anchor="middle", weight="bold"))
    parts.append(
        f'<text transform="translate(16 {(y0 + y1) / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'font-size="11" font-weight="bold">{escape(y.label)}</text>'
    )
    for rule in rules:
        py = y.place(rule.value, y0, y1)
        parts.append(
            f'<line x1="{x0}" x2="{x1}" y1="{py:.1f}" y2="{py:.1f}" stroke="#111827" '
            f'stroke-width="1.2" stroke-dasharray="3 3"><title>{escape(rule.label)}</title></line>'
        )
    for index, line in enumerate(lines):
        parts.append(_series(index, line, x, y, (x0, x1, y0, y1)))
    parts.append(_legend(lines, rules, legend_rows, left, height + 4))
    parts.append("</svg>")
    return "".join(parts)


def matrix_chart(
    key: str,
    title: str,
    description: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[Mark]],
) -> str:
    """Rows by columns of outcome cells, each with a fill, a drawn mark and a tooltip."""
    size = 22
    left = 16 + 7 * max((len(r) for r in rows), default=4)
    top = 40
    label_room = 78
    width = max(left + size * len(columns) + 70, 420)
    grid_bottom = top + size * len(rows)
    height = grid_bottom + label_room + 30
    parts = [_open(key, title, description, width, height), _heading(title, 8)]
    for r, name in enumerate(rows):
        parts.append(_text(left - 8, top + r * size + 15, name, anchor="end"))
        for c, mark in enumerate(cells[r]):
            parts.append(_cell(left + c * size, top + r * size, size, mark))
    for c, label in enumerate(columns):
        cx = left + c * size + size / 2
        parts.append(
            f'<text transform="translate({cx + 4:.1f} {grid_bottom + 6}) rotate(60)" '
            f'font-size="10">{escape(label)}</text>'
        )
    legend_y = height - 14
    lx = 8
    for outcome, words in OUTCOME_WORDS.items():
        parts.append(_cell(lx, legend_y - 15, size, Mark(outcome, words)))
        parts.append(_text(lx + size + 4, legend_y, words.split()[0]))
        lx += size + 80
    parts.append(_cell(lx, legend_y - 15, size, Mark(None, "not used")))
    parts.append(_text(lx + size + 4, legend_y, "not used"))
    parts.append("</svg>")
    return "".join(parts)


# -- pieces ---------------------------------------------------------------------------------


def _open(key: str, title: str, description: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{key}-title {key}-desc" font-family="{FONT}" font-size="11">'
        f'<title id="{key}-title">{escape(title)}</title>'
        f'<desc id="{key}-desc">{escape(description)}</desc>'
    )


def _heading(title: str, x: float) -> str:
    return _text(x, 18, title, weight="bold", size=13)


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", weight: str = "", size: int = 0
) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    extra += f' font-size="{size}"' if size else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _series(
    index: int, line: Line, x: Axis, y: Axis, box: tuple[float, float, float, float]
) -> str:
    x0, x1, y0, y1 = box
    colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
    segments: list[list[tuple[float, float]]] = [[]]
    placed: list[tuple[float, float]] = []
    for vx, vy in line.points:
        if vy is None or (y.log and vy <= 0) or (x.log and vx <= 0):
            segments.append([])
            continue
        point = (x.place(vx, x0, x1), y.place(vy, y0, y1))
        segments[-1].append(point)
        placed.append(point)
    parts = [f'<g class="series"><title>{escape(line.name)}</title>']
    if line.joined:
        for segment in segments:
            if len(segment) > 1:
                coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in segment)
                dashed = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(
                    f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dashed}/>'
                )
    stride = 1 if not line.joined else max(1, math.ceil(len(placed) / MARKS_PER_LINE))
    for px, py in placed[::stride]:
        parts.append(_marker(MARKERS[index % len(MARKERS)], px, py, colour))
    parts.append("</g>")
    return "".join(parts)


def _marker(shape: str, x: float, y: float, colour: str, r: float = 3.6) -> str:
    style = f'fill="#fff" stroke="{colour}" stroke-width="1.6"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" {style}/>'
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" {style}/>'
    shapes = {
        "triangle": ((0, -1.2), (1.1, 0.8), (-1.1, 0.8)),
        "down": ((0, 1.2), (1.1, -0.8), (-1.1, -0.8)),
        "diamond": ((0, -1.3), (1.1, 0), (0, 1.3), (-1.1, 0)),
    }
    if shape in shapes:
        points = " ".join(f"{x + dx * r:.1f},{y + dy * r:.1f}" for dx, dy in shapes[shape])
        return f'<polygon points="{points}" {style}/>'
    if shape == "cross":
        d = f"M{x - r:.1f} {y - r:.1f}L{x + r:.1f} {y + r:.1f}M{x + r:.1f} {y - r:.1f}L{x - r:.1f} {y + r:.1f}"
    else:
        d = f"M{x - r:.1f} {y:.1f}H{x + r:.1f}M{x:.1f} {y - r:.1f}V{y + r:.1f}"
    return f'<path d="{d}" stroke="{colour}" stroke-width="2" fill="none"/>'


def _legend_rows(names: Sequence[str], room: float) -> list[list[int]]:
    rows: list[list[int]] = [[]]
    used = 0.0
    for index, name in enumerate(names):
        need = 46 + 6.4 * len(name)
        if rows[-1] and used + need > room:
            rows.append([])
            used = 0.0
        rows[-1].append(index)
        used += need
    return rows if rows[0] else []


def _legend(
    lines: Sequence[Line], rules: Sequence[Rule], rows: list[list[int]], left: float, top: float
) -> str:
    parts = ['<g class="legend">']
    for r, row in enumerate(rows):
        x = left
        y = top + 18 * r + 10
        for index in row:
            if index < len(lines):
                name = lines[index].name
                colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
                if lines[index].joined:
                    dashed = f' stroke-dasharray="{dash}"' if dash else ""
                    parts.append(
                        f'<line x1="{x:.1f}" x2="{x + 28:.1f}" y1="{y - 4:.1f}" y2="{y - 4:.1f}" '
                        f'stroke="{colour}" stroke-width="2"{dashed}/>'
                    )
                parts.append(_marker(MARKERS[index % len(MARKERS)], x + 14, y - 4, colour))
            else:
                name = rules[index - len(lines)].label
                parts.append(
                    f'<line x1="{x:.1f}" x2="{x + 28:.1f}" y1="{y - 4:.1f}" y2="{y - 4:.1f}" '
                    'stroke="#111827" stroke-width="1.2" stroke-dasharray="3 3"/>'
                )
            parts.append(_text(x + 34, y, name))
            x += 46 + 6.4 * len(name)
    parts.append("</g>")
    return "".join(parts)


def _cell(x: float, y: float, size: int, mark: Mark) -> str:
    parts = [f"<g><title>{escape(mark.tip)}</title>"]
    if mark.outcome in OUTCOME_STYLE:
        fill, stroke, path = OUTCOME_STYLE[mark.outcome]
        parts.append(
            f'<rect x="{x + 1}" y="{y + 1}" width="{size - 2}" height="{size - 2}" fill="{fill}" '
            f'stroke="{stroke}"/>'
        )
        parts.append(
            f'<path transform="translate({x} {y})" d="{path}" fill="none" stroke="{stroke}" '
            'stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>'
        )
    else:
        parts.append(
            f'<rect x="{x + 1}" y="{y + 1}" width="{size - 2}" height="{size - 2}" fill="#fff" '
            'stroke="#c7cbd1" stroke-dasharray="2 2"/>'
        )
    parts.append("</g>")
    return "".join(parts)
