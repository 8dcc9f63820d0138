"""The review as one self-contained HTML page (pure): inline CSS and SVG, no script, no font,
no image fetched; light colours, page breaks and repeated table headers when printed.

Key figures carry ``data-figure="NAME"`` (``overall-score``, ``score-login``,
``login-held-multiple``, ``ack-share-slack``...), so scripts and tests can read them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from html import escape
from importlib.resources import files

from entdrill import __version__
from entdrill.review import charts
from entdrill.review import headlines as hl
from entdrill.review import wording as say
from entdrill.review.charts import Figure, Table
from entdrill.review.model import PersonCount, Review
from entdrill.review.svg import OUTCOME_WORDS

MAX_FINDINGS = 50
MAX_NAMES = 30
GRADE_CLASS = {"ready": "ok", "at risk": "warn", "not ready": "bad"}
GRADE_MARK = {"ready": "✓", "at risk": "~", "not ready": "✗"}
OUTCOME_CLASS = {"worked": "ok", "degraded": "warn", "failed": "bad"}


@cache
def stylesheet() -> str:
    return files("entdrill.review").joinpath("review.css").read_text(encoding="utf-8")


def render_html(review: Review) -> str:
    """The whole page."""
    title = f"{review.title}: {hl.period(review)}"
    body = [_header(review)]
    if review.empty:
        body.append(
            '<section id="summary"><h2>Summary</h2>'
            '<p class="empty" data-figure="no-drills">No drills in this period.</p>'
            f"<p>{escape(_empty_hint(review))}</p></section>"
        )
        body.append(_findings(review))
    else:
        body += [
            _summary(review),
            _services(review),
            _channels(review),
            _trends(review),
            _findings(review),
            _drills(review),
        ]
    body.append(_method(review))
    body.append(
        f"<footer>entdrill {escape(__version__)} · generated {escape(say.when(review.generated_at))}"
        f" (Europe/Paris) · records: {escape(review.source or 'unknown')}</footer>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light">\n'
        f"<title>{escape(title)}</title>\n<style>\n{stylesheet()}</style>\n</head>\n"
        f"<body>\n<main>\n{''.join(body)}\n</main>\n</body>\n</html>\n"
    )


# -- sections -------------------------------------------------------------------------------


def _header(review: Review) -> str:
    return (
        f"<header><h1>{escape(review.title)}</h1>"
        f'<p class="meta" data-figure="period">{escape(hl.period(review))}</p>'
        f'<p class="meta">{escape(hl.drill_counts(review))}</p></header>'
    )


def _summary(review: Review) -> str:
    grade = review.overall.grade
    card = (
        '<div class="score-card" role="group" aria-label="Overall readiness score">'
        '<div><div class="meta">Overall readiness</div>'
        f'<span class="score" data-figure="overall-score">{say.score(review.overall.value)}</span>'
        '<span class="out-of"> / 100</span></div>'
        f'<div class="grade {GRADE_CLASS.get(grade or "", "muted")}" data-figure="overall-grade">'
        f"{escape(_grade(grade))}</div>"
        f'<div class="meta">mean of {len([s for s in review.services if s.score.value is not None])}'
        f" service scores over {say.count(review.overall.tests, 'test')}</div></div>"
    )
    rows = [
        (
            f'<th scope="row">{escape(s.name)}</th>'
            f'<td class="num" data-figure="score-{hl.slug(s.service)}">{say.score(s.score.value)}</td>'
            f'<td class="{GRADE_CLASS.get(s.score.grade or "", "muted")}">{escape(_grade(s.score.grade))}</td>'
            f'<td class="num">{s.score.tests:,}</td>'
            f"<td>{escape(hl.service_figure(review, s.service))}</td>"
        )
        for s in review.services
    ]
    table = _html_table(
        "Readiness score per service (0 to 100)",
        ("service", "score", "grade", "tests", "what it rests on"),
        rows,
        numeric=(1, 3),
    )
    items = "".join(f"<li>{_sentence(s)}</li>" for s in hl.headlines(review))
    return (
        f'<section id="summary"><h2>Summary</h2>{card}{table}'
        f'<h3>Key figures</h3><ul class="headlines">{items}</ul>'
        f'<h3>How the score is computed</h3><div class="formula">'
        + "".join(f"<p>{escape(line)}</p>" for line in review.formula)
        + "</div></section>"
    )


def _services(review: Review) -> str:
    login = review.login
    parts = ['<section id="services"><h2>Readiness per service</h2>', "<h3>Login under storm</h3>"]
    parts.append(f"<p>{_sentence(hl.login_sentence(login))}</p>")
    parts.append(
        "<p>A storm <strong>held</strong> when at least 99% of its logins succeeded and its login "
        "p95 stayed within the experiment's budget. At each load the latest storm of the period "
        "decides.</p>"
    )
    if login.not_concluded:
        parts.append(
            f'<p class="muted">{say.count(login.not_concluded, "storm")} did not conclude '
            "(aborted, interrupted or without measures) and are left out.</p>"
        )
    parts.extend(_figure(f) for f in charts.login_figures(login))
    parts.append("<h3>Server loss, session store and video</h3>")
    rows = []
    for t in review.trials:
        latest, failure = t.latest, t.latest_failure
        rows.append(
            f'<th scope="row">{escape(t.name)}</th><td>{escape(t.question)}</td>'
            f'<td class="num">{say.ratio(t.passed, t.tests) if t.tests else "not tested"}</td>'
            + (
                f"<td>{escape(say.day(latest.at))}: {_verdict(latest.passed, 'survived', 'failed')}"
                f"{_detail(latest.detail)}</td>"
                if latest
                else "<td>–</td>"
            )
            + (
                f"<td>{escape(say.day(failure.at))}{_detail(failure.detail)}</td>"
                if failure
                else "<td>none</td>"
            )
            + f'<td class="num">{say.score(t.score.value)}</td>'
        )
    parts.append(
        _html_table(
            "Pass/fail services (a run counts when it concluded)",
            ("service", "question", "passed", "latest run", "latest failure", "score"),
            rows,
            numeric=(2, 5),
        )
    )
    parts.append("</section>")
    return "".join(parts)


def _channels(review: Review) -> str:
    parts = ['<section id="channels"><h2>Readiness per channel</h2>']
    if not review.channels:
        parts.append("<p>No fallback channel was used in this period.</p></section>")
        return "".join(parts)
    rows = []
    for c in review.channels:
        name = hl.slug(c.name)
        outcomes = "".join(
            f'<td class="num {OUTCOME_CLASS[o] if n else "muted"}">{n:,}</td>'
            for o, n in c.outcomes.items()
        )
        rows.append(
            f'<th scope="row">{escape(c.name)}{" <span class=muted>(channel-wide)</span>" if c.wide else ""}</th>'
            f'<td class="num">{c.drills:,}</td>{outcomes}'
            f'<td class="num" data-figure="delivery-share-{name}">{say.pct(c.delivery_share)}</td>'
            f'<td class="num" data-figure="ack-share-{name}">{say.pct(c.ack_share) if c.asks_ack else "not asked"}</td>'
            f'<td class="num">{say.duration(c.median_ack_s)}</td>'
            f'<td class="num">{say.duration(c.p90_ack_s)}</td>'
            f'<td class="num">{c.never_reached_people:,}</td>'
            f'<td class="num">{say.score(c.score.value)}</td>'
        )
    parts.append(
        _html_table(
            "Fallback channels over the period (shares of the people sent to)",
            say.CHANNEL_COLUMNS,
            rows,
            numeric=tuple(range(1, 11)),
        )
    )
    parts.append(
        '<p class="muted">Delivered counts delivered or acknowledged; a channel-wide channel '
        "(status page, backup room) counts the drills where it was done at all. Time to "
        "acknowledge runs from the person's first message on the channel.</p>"
    )
    parts.extend(_figure(f) for f in charts.channel_figures(review))
    parts.append("<h3>Who was never reached</h3>")
    parts.append(f"<p>{_sentence(hl.reach_sentence(review))}</p>")
    if review.never_reached:
        parts.append(_people(review.never_reached, "reached on no channel"))
    missed = [c for c in review.channels if c.never_reached]
    if missed:
        rows = [
            f'<th scope="row">{escape(c.name)}</th><td class="num">{c.never_reached_people:,}</td>'
            f"<td>{escape(_names(c.never_reached, 12))}</td>"
            for c in missed
        ]
        parts.append(
            _html_table(
                "Sent to but neither delivered nor acknowledged, per channel (drills in brackets)",
                ("channel", "people", "who"),
                rows,
                numeric=(1,),
            )
        )
    parts.append("</section>")
    return "".join(parts)


def _trends(review: Review) -> str:
    found = charts.trend_figures(review)
    parts = ['<section id="trends"><h2>Trends across drills</h2>']
    if not found:
        parts.append("<p>Trends need drills at two different times at least.</p>")
    else:
        bucket = review.trends[0].bucket
        parts.append(
            f"<p>One point per {escape(bucket)}: each point is computed from its own tests "
            "only (no weighting).</p>"
        )
        parts.extend(_figure(f) for f in found)
    parts.append("</section>")
    return "".join(parts)


def _findings(review: Review) -> str:
    parts = ['<section id="findings"><h2>Open findings</h2>']
    parts.append(f"<p>{_sentence(hl.findings_sentence(review))}</p>")
    if review.drill_id is None and review.findings:
        parts.append(
            '<p class="muted">Every finding still open, whichever drill found it; the same '
            "finding found by several drills is one line.</p>"
        )
    rows = []
    for g in review.findings[:MAX_FINDINGS]:
        owners = ", ".join(g.owners)
        rows.append(
            f'<td class="{"bad" if g.severity in ("critical", "high") else ""}">{escape(g.severity)}</td>'
            f'<th scope="row">{escape(g.title)}'
            + (f'<br><span class="muted">{escape(g.detail)}</span>' if g.detail else "")
            + "</th>"
            + (f"<td>{escape(owners)}</td>" if owners else '<td class="bad">no owner</td>')
            + f'<td class="num">{g.open_count:,}</td><td>{escape(say.day(g.first_opened))}</td>'
            f"<td>{escape(say.day(g.last_opened))}"
            + ("" if g.in_period else ' <span class="muted">(before this period)</span>')
            + "</td>"
        )
    if rows:
        parts.append(
            _html_table(
                "Open findings, most severe and oldest first",
                ("severity", "finding", "owner", "open in drills", "first opened", "last opened"),
                rows,
                numeric=(3,),
            )
        )
    if len(review.findings) > MAX_FINDINGS:
        parts.append(f"<p>…and {len(review.findings) - MAX_FINDINGS:,} more distinct findings.</p>")
    parts.append("</section>")
    return "".join(parts)


def _drills(review: Review) -> str:
    shown = len(review.drill_rows)
    scope = (
        f"The {shown} most recent of {review.drills:,} drills, newest first."
        if shown < review.drills
        else "Every drill of the period, newest first."
    )
    rows = []
    for d in review.drill_rows:
        storms = "; ".join(
            f"{say.multiple(s.multiple)} {_verdict(s.held, 'held', 'broke')} (p95 {escape(say.latency(s.p95_ms))})"
            for s in d.storms
        )
        trials = "; ".join(
            f"{escape(t.service.replace('_', ' '))} {_verdict(t.passed, 'survived', 'failed')}"
            for t in d.trials
        )
        chans = ", ".join(
            f'<span class="{OUTCOME_CLASS.get(o, "")}">{escape(c)} {escape(OUTCOME_WORDS.get(o, o).split()[-1])}</span>'
            for c, o in d.channels.items()
        )
        rows.append(
            f'<th scope="row">{escape(say.when(d.at))}</th><td>{escape(d.plan_name)}</td>'
            f"<td>{escape(d.status.replace('_', ' '))}</td><td>{storms or '–'}</td>"
            f"<td>{trials or '–'}</td><td>{chans or '–'}</td>"
            f'<td class="num">{d.open_findings:,}</td><td class="id">{escape(d.drill_id)}</td>'
        )
    return (
        f'<section id="drills"><h2>Drills</h2><p>{escape(scope)}</p>'
        + _html_table(
            "Drills",
            say.DRILL_COLUMNS,
            rows,
            numeric=(6,),
        )
        + "</section>"
    )


def _method(review: Review) -> str:
    body = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in hl.DEFINITIONS)
    formula = "".join(f"<p>{escape(line)}</p>" for line in review.formula)
    return (
        f'<section id="method"><h2>How to read this review</h2><dl>{body}</dl>'
        f'<h3>Readiness score</h3><div class="formula">{formula}</div></section>'
    )


# -- pieces ---------------------------------------------------------------------------------


def _figure(figure: Figure) -> str:
    return (
        f'<figure id="{escape(figure.key)}"><figcaption><strong>{escape(figure.title)}</strong>. '
        f"{escape(figure.description)}</figcaption>"
        + "".join(figure.svgs)
        + _plain_table(figure.table)
        + "</figure>"
    )


def _plain_table(table: Table) -> str:
    rows = [
        f'<th scope="row">{escape(row[0])}</th>' + "".join(f"<td>{escape(c)}</td>" for c in row[1:])
        for row in table.rows
    ]
    return _html_table(table.caption, table.headers, rows, css="figure-data")


def _html_table(
    caption: str,
    headers: Sequence[str],
    rows: Iterable[str],
    *,
    numeric: Sequence[int] = (),
    css: str = "",
) -> str:
    head = "".join(
        f'<th scope="col"{" class=num" if i in numeric else ""}>{escape(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    cls = f' class="{css}"' if css else ""
    return (
        f"<table{cls}><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _sentence(bits: hl.Sentence) -> str:
    return "".join(
        f'<strong data-figure="{escape(b.figure)}">{escape(b.text)}</strong>'
        if b.figure
        else escape(b.text)
        for b in bits
    )


def _grade(grade: str | None) -> str:
    return "not tested" if grade is None else f"{GRADE_MARK[grade]} {grade}"


def _verdict(passed: bool, yes: str, no: str) -> str:
    return f'<span class="ok">✓ {yes}</span>' if passed else f'<span class="bad">✗ {no}</span>'


def _detail(detail: str) -> str:
    return f' <span class="muted">({escape(detail)})</span>' if detail else ""


def _names(people: Sequence[PersonCount], limit: int) -> str:
    shown = [f"{p.person} ({p.drills})" for p in people[:limit]]
    more = len(people) - limit
    return ", ".join(shown) + (f" and {more:,} others" if more > 0 else "")


def _people(people: Sequence[PersonCount], what: str) -> str:
    items = "".join(
        f"<li>{escape(p.person)} <span class=muted>({escape(p.group or 'no group')}; "
        f"{say.count(p.drills, 'drill')})</span></li>"
        for p in people[:MAX_NAMES]
    )
    more = len(people) - MAX_NAMES
    tail = f"<p>…and {more:,} others {escape(what)}.</p>" if more > 0 else ""
    return f'<ul class="people">{items}</ul>{tail}'


def _empty_hint(review: Review) -> str:
    return (
        "The records hold no drill started in this period. Check --since and --until (dates "
        "are Europe/Paris days, --until included), or the records database: "
        f"{review.source or 'unknown'}."
    )
