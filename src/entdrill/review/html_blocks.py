"""The HTML building blocks of the review (pure): tables, figures, sentences with key figures,
grades and verdict marks, lists of people. ``html`` assembles the page from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from entdrill.review import headlines as hl
from entdrill.review import wording as say
from entdrill.review.charts import Figure, Table
from entdrill.review.model import PersonCount

MAX_NAMES = 30
GRADE_MARK = {"ready": "✓", "at risk": "~", "not ready": "✗"}


def figure(chart: Figure) -> str:
    return (
        f'<figure id="{escape(chart.key)}"><figcaption><strong>{escape(chart.title)}</strong>. '
        f"{escape(chart.description)}</figcaption>"
        + "".join(chart.svgs)
        + plain_table(chart.table)
        + "</figure>"
    )


def plain_table(data: Table) -> str:
    rows = [
        f'<th scope="row">{escape(row[0])}</th>' + "".join(f"<td>{escape(c)}</td>" for c in row[1:])
        for row in data.rows
    ]
    return table(data.caption, data.headers, rows, css="figure-data")


def table(
    caption: str,
    headers: Sequence[str],
    rows: Iterable[str],
    *,
    numeric: Sequence[int] = (),
    css: str = "",
    ids: Sequence[str] = (),
) -> str:
    """A table; ``ids`` gives the rows ``id`` attributes (the decision's reasons link to them)."""
    head = "".join(
        f'<th scope="col"{" class=num" if i in numeric else ""}>{escape(h)}</th>'
        for i, h in enumerate(headers)
    )
    anchors = list(ids)
    body = "".join(
        f'<tr id="{escape(anchors[i])}">{row}</tr>' if i < len(anchors) else f"<tr>{row}</tr>"
        for i, row in enumerate(rows)
    )
    cls = f' class="{css}"' if css else ""
    return (
        f"<table{cls}><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def sentence(bits: hl.Sentence) -> str:
    return "".join(
        f'<strong data-figure="{escape(b.figure)}">{escape(b.text)}</strong>'
        if b.figure
        else escape(b.text)
        for b in bits
    )


def grade_text(grade: str | None) -> str:
    return "not tested" if grade is None else f"{GRADE_MARK[grade]} {grade}"


def verdict(passed: bool, yes: str, no: str) -> str:
    return f'<span class="ok">✓ {yes}</span>' if passed else f'<span class="bad">✗ {no}</span>'


def detail(detail: str) -> str:
    return f' <span class="muted">({escape(detail)})</span>' if detail else ""


def names(people: Sequence[PersonCount], limit: int) -> str:
    shown = [f"{p.person} ({p.drills})" for p in people[:limit]]
    more = len(people) - limit
    return ", ".join(shown) + (f" and {more:,} others" if more > 0 else "")


def people(people: Sequence[PersonCount], what: str) -> str:
    items = "".join(
        f"<li>{escape(p.person)} <span class=muted>({escape(p.group or 'no group')}; "
        f"{say.count(p.drills, 'drill')})</span></li>"
        for p in people[:MAX_NAMES]
    )
    more = len(people) - MAX_NAMES
    tail = f"<p>…and {more:,} others {escape(what)}.</p>" if more > 0 else ""
    return f'<ul class="people">{items}</ul>{tail}'
