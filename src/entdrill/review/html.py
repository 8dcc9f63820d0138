"""The review as one self-contained HTML page (pure): inline CSS and SVG, no script, no font,
no image fetched; light colours, page breaks and repeated table headers when printed.

Key figures carry ``data-figure="NAME"`` (``overall-score``, ``score-login``,
``login-held-multiple``, ``ack-share-slack``...), so scripts and tests can read them back.
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib.resources import files

from entdrill import __version__
from entdrill.review import charts, detection
from entdrill.review import headlines as hl
from entdrill.review import html_blocks as hb
from entdrill.review import wording as say
from entdrill.review.model import Review
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
    body = [_header(review), _decision(review)]
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
            _detection(review),
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


def _decision(review: Review) -> str:
    """The question, the answer, the headroom and the reasons, each linking to its section."""
    decision = review.decision
    if decision is None:
        return ""
    css = GRADE_CLASS[decision.answer]
    reasons = "".join(
        f'<li class="{"bad" if r.severity == "blocker" else "warn"}">'
        f'<a href="#{escape(r.anchor)}">{escape(r.text)}</a></li>'
        for r in decision.reasons
    )
    extra = [hl.coverage_sentence(review), hl.requirement_sentence(review)]
    return (
        f'<section id="decision" class="decision decision-{css}"><h2 data-figure="decision-question">'
        f"{escape(decision.question)}</h2>"
        f'<p class="answer {css}" data-figure="decision">{escape(hb.grade_text(decision.answer))}</p>'
        f'<p data-figure="headroom-sentence">{escape(decision.headroom)}</p>'
        + (f'<ol class="reasons" data-figure="reasons">{reasons}</ol>' if reasons else "")
        + "".join(f'<p class="meta">{escape(t)}</p>' for t in extra if t)
        + (
            f'<p class="warn" data-figure="running">{escape(hl.running_sentence(review))}</p>'
            if review.running
            else ""
        )
        + "</section>"
    )


def _summary(review: Review) -> str:
    answer = review.decision.answer if review.decision else review.overall.grade
    covered = review.coverage
    card = (
        '<div class="score-card" role="group" aria-label="Overall readiness score">'
        '<div><div class="meta">Overall readiness</div>'
        f'<span class="score" data-figure="overall-score">{say.score(review.overall.value)}</span>'
        '<span class="out-of"> / 100</span></div>'
        f'<div class="grade {GRADE_CLASS.get(answer or "", "muted")}" data-figure="overall-grade">'
        f"{escape(hb.grade_text(answer))}</div>"
        f'<div class="meta" id="coverage">mean over {len(review.services)} services, '
        f"{say.count(review.overall.tests, 'test')}; coverage "
        f'<span data-figure="coverage">{len(covered.tested) if covered else 0}/'
        f"{covered.total if covered else len(review.services)}</span> tested</div></div>"
    )
    rows = [
        (
            f'<th scope="row">{escape(s.name)}</th>'
            f'<td class="num" data-figure="score-{hl.slug(s.service)}">{say.score(s.score.value)}</td>'
            f'<td class="{GRADE_CLASS.get(s.score.grade or "", "muted")}">{escape(hb.grade_text(s.score.grade))}</td>'
            f'<td class="num">{s.score.tests:,}</td>'
            f"<td>{escape(hl.latest_test(review, s.score))}</td>"
            f"<td>{escape(hl.service_figure(review, s.service))}</td>"
        )
        for s in review.services
    ]
    table = hb.table(
        "Readiness score per service (0 to 100; a service not tested counts 0)",
        ("service", "score", "grade", "tests", "latest test", "what it rests on"),
        rows,
        numeric=(1, 3),
    )
    items = "".join(f"<li>{hb.sentence(s)}</li>" for s in hl.headlines(review))
    return (
        f'<section id="summary"><h2>Summary</h2>{card}{table}'
        f'<h3>Key figures</h3><ul class="headlines">{items}</ul>'
        f'<h3>How the score is computed</h3><div class="formula">'
        + "".join(f"<p>{escape(line)}</p>" for line in review.formula)
        + "</div></section>"
    )


def _services(review: Review) -> str:
    login = review.login
    parts = [
        '<section id="services"><h2>Readiness per service</h2>',
        '<h3 id="login">Login under storm</h3>',
    ]
    if review.decision is not None:
        parts.append(f"<p><strong>{escape(review.decision.headroom)}</strong></p>")
    capacity = hl.capacity_sentence(login)
    if capacity is not None:
        parts.append(f"<p>{hb.sentence(capacity)}</p>")
        parts.append(hb.plain_table(hl.capacity_table(login)))
    parts.append(f"<p>{hb.sentence(hl.login_sentence(login))}</p>")
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
    parts.extend(hb.figure(f) for f in charts.login_figures(login))
    parts.append("<h3>Server loss, session store and video</h3>")
    rows = []
    for t in review.trials:
        latest, failure = t.latest, t.latest_failure
        rows.append(
            f'<th scope="row">{escape(t.name)}</th><td>{escape(t.question)}</td>'
            f'<td class="num">{say.ratio(t.passed, t.tests) if t.tests else "not tested"}</td>'
            + (
                f"<td>{escape(say.day(latest.at))}: {hb.verdict(latest.passed, 'survived', 'failed')}"
                f"{hb.detail(latest.detail)}</td>"
                if latest
                else "<td>–</td>"
            )
            + (
                f"<td>{escape(say.day(failure.at))}{hb.detail(failure.detail)}</td>"
                if failure
                else "<td>none</td>"
            )
            + f'<td class="num">{say.score(t.score.value)}</td>'
        )
    parts.append(
        hb.table(
            "Pass/fail services (a run counts when it concluded)",
            ("service", "question", "passed", "latest run", "latest failure", "score"),
            rows,
            numeric=(2, 5),
            ids=[f"service-{t.service}" for t in review.trials],
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
        hb.table(
            "Fallback channels over the period (shares of the people sent to)",
            say.CHANNEL_COLUMNS,
            rows,
            numeric=tuple(range(1, 11)),
            ids=[f"channel-{hl.slug(c.name)}" for c in review.channels],
        )
    )
    parts.append(
        '<p class="muted">Delivered counts delivered or acknowledged; a channel-wide channel '
        "(status page, backup room) counts the drills where it was done at all. Time to "
        "acknowledge runs from the person's first message on the channel.</p>"
    )
    parts.extend(hb.figure(f) for f in charts.channel_figures(review))
    parts.append("<h3>Who was never reached</h3>")
    parts.append(f"<p>{hb.sentence(hl.reach_sentence(review))}</p>")
    if review.never_reached:
        parts.append(hb.people(review.never_reached, "reached on no channel"))
    missed = [c for c in review.channels if c.never_reached]
    if missed:
        rows = [
            f'<th scope="row">{escape(c.name)}</th><td class="num">{c.never_reached_people:,}</td>'
            f"<td>{escape(hb.names(c.never_reached, 12))}</td>"
            for c in missed
        ]
        parts.append(
            hb.table(
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
        parts.extend(hb.figure(f) for f in found)
    parts.append("</section>")
    return "".join(parts)


def _detection(review: Review) -> str:
    """Time to detect: per service, then per drill with the chart over the period."""
    view = review.detection
    if view is None:
        return ""
    parts = [
        f'<section id="{detection.ANCHOR}"><h2>Time to detect</h2>'
        "<p>For each fault and storm the drills injected: how long until the first alert fired "
        "in Alertmanager. Unknown: Alertmanager could not be read, so silence proves nothing.</p>",
        hb.plain_table(detection.service_table(view)),
    ]
    found = detection.figure(view)
    if found is not None:
        parts.append(hb.figure(found))
    parts.append("</section>")
    return "".join(parts)


def _findings(review: Review) -> str:
    parts = ['<section id="findings"><h2>Open findings</h2>']
    parts.append(f"<p>{hb.sentence(hl.findings_sentence(review))}</p>")
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
            hb.table(
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
            [escape(hl.search_cell(c)) for c in d.searches]
            + [
                f"{say.multiple(s.multiple)} {hb.verdict(s.held, 'held', 'broke')} (p95 {escape(say.latency(s.p95_ms))})"
                for s in d.storms
            ]
        )
        trials = "; ".join(
            f"{escape(t.service.replace('_', ' '))} {hb.verdict(t.passed, 'survived', 'failed')}"
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
        + hb.table(
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


def _empty_hint(review: Review) -> str:
    return (
        "The records hold no drill started in this period. Check --since and --until (dates "
        "are Europe/Paris days, --until included), or the records database: "
        f"{review.source or 'unknown'}."
    )
