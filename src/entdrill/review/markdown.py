"""The review as Markdown for a wiki (pure): the same sections and figures as the HTML, each
chart given as its table; with ``chart_dir``, also as an SVG image whose file the caller writes
next to the page (``render_markdown`` returns the files' relative paths and contents).
"""

from __future__ import annotations

from collections.abc import Sequence

from entdrill import __version__
from entdrill.review import charts, detection
from entdrill.review import headlines as hl
from entdrill.review import wording as say
from entdrill.review.charts import Figure, Table
from entdrill.review.model import PersonCount, Review
from entdrill.review.svg import OUTCOME_WORDS

MAX_FINDINGS = 50
MAX_NAMES = 30
GRADE_MARK = {"ready": "✓", "at risk": "~", "not ready": "✗"}


def render_markdown(review: Review, chart_dir: str | None = None) -> tuple[str, dict[str, str]]:
    """The page, and the chart files it links (``{relative path: svg}``, empty without
    ``chart_dir``)."""
    page = _Page(chart_dir)
    page.add(f"# {review.title}", "", hl.period(review) + ".  ", hl.drill_counts(review), "")
    _decision(page, review)
    if review.empty:
        page.add("## Summary", "", "**No drills in this period.**", "")
        page.add(
            "The records hold no drill started in this period. Check `--since` and `--until` "
            "(Europe/Paris days, `--until` included), or the records database: "
            f"{review.source or 'unknown'}.",
            "",
        )
        _findings(page, review)
    else:
        _summary(page, review)
        _services(page, review)
        _channels(page, review)
        _trends(page, review)
        _detection(page, review)
        _findings(page, review)
        _drills(page, review)
    _method(page, review)
    page.add(
        "---",
        "",
        f"*entdrill {__version__} · generated {say.when(review.generated_at)} (Europe/Paris) · "
        f"records: {_cell(review.source or 'unknown')}*",
    )
    return "\n".join(page.lines) + "\n", page.files


class _Page:
    def __init__(self, chart_dir: str | None) -> None:
        self.lines: list[str] = []
        self.files: dict[str, str] = {}
        self.chart_dir = chart_dir

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def table(self, table: Table) -> None:
        self.add(f"*{table.caption}*", "", *_table(table.headers, table.rows), "")

    def figure(self, figure: Figure) -> None:
        self.add(f"#### {figure.title}", "", figure.description, "")
        if self.chart_dir is not None:
            for index, svg in enumerate(figure.svgs):
                suffix = f"-{index + 1}" if len(figure.svgs) > 1 else ""
                path = f"{self.chart_dir}/{figure.key}{suffix}.svg"
                self.files[path] = svg
                self.add(f"![{figure.title}{suffix}]({path})", "")
        self.table(figure.table)


def _decision(page: _Page, review: Review) -> None:
    """The question, the answer, the headroom and the reasons, each linking to its section."""
    decision = review.decision
    if decision is None:
        return
    page.add(f"## {decision.question}", "", f"**{_grade(decision.answer)}**", "")
    page.add(decision.headroom, "")
    for reason in decision.reasons:
        mark = "✗" if reason.severity == "blocker" else "~"
        page.add(f"- {mark} [{reason.text}](#{reason.anchor})")
    if decision.reasons:
        page.add("")
    for text in (hl.coverage_sentence(review), hl.requirement_sentence(review)):
        if text:
            page.add(f"*{text}*", "")
    if review.running:
        page.add(f"**{hl.running_sentence(review)}**", "")


def _summary(page: _Page, review: Review) -> None:
    answer = review.decision.answer if review.decision else review.overall.grade
    covered = review.coverage
    tested = len(covered.tested) if covered else 0
    page.add(
        '<a id="summary"></a>',
        "",
        "## Summary",
        "",
        f"**Overall readiness: {say.score(review.overall.value)} / 100** ({_grade(answer)}), the "
        f"mean over {len(review.services)} services (a service not tested counts 0) of "
        f"{say.count(review.overall.tests, 'test')}; coverage {tested}/{len(review.services)} "
        "tested.",
        "",
    )
    page.table(
        Table(
            "Readiness score per service (0 to 100; a service not tested counts 0)",
            ("service", "score", "grade", "tests", "latest test", "what it rests on"),
            tuple(
                (
                    s.name,
                    say.score(s.score.value),
                    _grade(s.score.grade),
                    f"{s.score.tests:,}",
                    hl.latest_test(review, s.score),
                    hl.service_figure(review, s.service),
                )
                for s in review.services
            ),
        )
    )
    page.add("### Key figures", "")
    page.add(*(f"- {_sentence(s)}" for s in hl.headlines(review)), "")
    page.add("### How the score is computed", "")
    page.add(*(f"> {line}\n>" for line in review.formula), "")


def _services(page: _Page, review: Review) -> None:
    login = review.login
    page.add("## Readiness per service", "", '<a id="login"></a>', "", "### Login under storm", "")
    if review.decision is not None:
        page.add(f"**{review.decision.headroom}**", "")
    capacity = hl.capacity_sentence(login)
    if capacity is not None:
        page.add(_sentence(capacity), "")
        page.table(hl.capacity_table(login))
    page.add(_sentence(hl.login_sentence(login)), "")
    page.add(
        "A storm **held** when at least 99% of its logins succeeded and its login p95 stayed "
        "within the experiment's budget. At each load the latest storm of the period decides.",
        "",
    )
    if login.not_concluded:
        page.add(
            f"{say.count(login.not_concluded, 'storm')} did not conclude (aborted, interrupted "
            "or without measures) and are left out.",
            "",
        )
    for figure in charts.login_figures(login):
        page.figure(figure)
    page.add("### Server loss, session store and video", "")
    rows = []
    for t in review.trials:
        latest, failure = t.latest, t.latest_failure
        rows.append(
            (
                f'<a id="service-{t.service}"></a>{t.name}',
                t.question,
                say.ratio(t.passed, t.tests) if t.tests else "not tested",
                f"{say.day(latest.at)}: {'✓ survived' if latest.passed else '✗ failed'}"
                + (f" ({latest.detail})" if latest.detail else "")
                if latest
                else say.NONE,
                f"{say.day(failure.at)}" + (f" ({failure.detail})" if failure.detail else "")
                if failure
                else "none",
                say.score(t.score.value),
            )
        )
    page.table(
        Table(
            "Pass/fail services (a run counts when it concluded)",
            ("service", "question", "passed", "latest run", "latest failure", "score"),
            tuple(rows),
        )
    )


def _channels(page: _Page, review: Review) -> None:
    page.add('<a id="channels"></a>', "", "## Readiness per channel", "")
    if not review.channels:
        page.add("No fallback channel was used in this period.", "")
        return
    page.table(
        Table(
            "Fallback channels over the period (shares of the people sent to)",
            say.CHANNEL_COLUMNS,
            tuple(
                (
                    f'<a id="channel-{hl.slug(c.name)}"></a>{c.name}'
                    + (" (channel-wide)" if c.wide else ""),
                    f"{c.drills:,}",
                    *(f"{n:,}" for n in c.outcomes.values()),
                    say.pct(c.delivery_share),
                    say.pct(c.ack_share) if c.asks_ack else "not asked",
                    say.duration(c.median_ack_s),
                    say.duration(c.p90_ack_s),
                    f"{c.never_reached_people:,}",
                    say.score(c.score.value),
                )
                for c in review.channels
            ),
        )
    )
    page.add(
        "Delivered counts delivered or acknowledged; a channel-wide channel (status page, backup "
        "room) counts the drills where it was done at all. Time to acknowledge runs from the "
        "person's first message on the channel.",
        "",
    )
    for figure in charts.channel_figures(review):
        page.figure(figure)
    page.add("### Who was never reached", "", _sentence(hl.reach_sentence(review)), "")
    for person in review.never_reached[:MAX_NAMES]:
        page.add(
            f"- {person.person} ({person.group or 'no group'}; {say.count(person.drills, 'drill')})"
        )
    if len(review.never_reached) > MAX_NAMES:
        page.add(f"- …and {len(review.never_reached) - MAX_NAMES:,} others")
    if review.never_reached:
        page.add("")
    missed = [c for c in review.channels if c.never_reached]
    if missed:
        page.table(
            Table(
                "Sent to but neither delivered nor acknowledged, per channel (drills in brackets)",
                ("channel", "people", "who"),
                tuple(
                    (c.name, f"{c.never_reached_people:,}", _names(c.never_reached, 12))
                    for c in missed
                ),
            )
        )


def _trends(page: _Page, review: Review) -> None:
    page.add("## Trends across drills", "")
    found = charts.trend_figures(review)
    if not found:
        page.add("Trends need drills at two different times at least.", "")
        return
    page.add(
        f"One point per {review.trends[0].bucket}: each point is computed from its own tests "
        "only (no weighting).",
        "",
    )
    for figure in found:
        page.figure(figure)


def _detection(page: _Page, review: Review) -> None:
    view = review.detection
    if view is None:
        return
    page.add(
        "## Time to detect",
        "",
        "For each fault and storm the drills injected: how long until the first alert fired in "
        "Alertmanager. Unknown: Alertmanager could not be read, so silence proves nothing.",
        "",
    )
    page.table(detection.service_table(view))
    found = detection.figure(view)
    if found is not None:
        page.figure(found)


def _findings(page: _Page, review: Review) -> None:
    page.add("## Open findings", "", _sentence(hl.findings_sentence(review)), "")
    if not review.findings:
        return
    if review.drill_id is None:
        page.add(
            "Every finding still open, whichever drill found it; the same finding found by "
            "several drills is one line.",
            "",
        )
    page.table(
        Table(
            "Open findings, most severe and oldest first",
            ("severity", "finding", "owner", "open in drills", "first opened", "last opened"),
            tuple(
                (
                    g.severity,
                    g.title + (f" ({g.detail})" if g.detail else ""),
                    ", ".join(g.owners) or "**no owner**",
                    f"{g.open_count:,}",
                    say.day(g.first_opened),
                    say.day(g.last_opened) + ("" if g.in_period else " (before this period)"),
                )
                for g in review.findings[:MAX_FINDINGS]
            ),
        )
    )
    if len(review.findings) > MAX_FINDINGS:
        page.add(f"…and {len(review.findings) - MAX_FINDINGS:,} more distinct findings.", "")


def _drills(page: _Page, review: Review) -> None:
    shown = len(review.drill_rows)
    scope = (
        f"The {shown} most recent of {review.drills:,} drills, newest first."
        if shown < review.drills
        else "Every drill of the period, newest first."
    )
    page.add("## Drills", "", scope, "")
    page.table(
        Table(
            "Drills",
            say.DRILL_COLUMNS,
            tuple(
                (
                    say.when(d.at),
                    d.plan_name,
                    d.status.replace("_", " "),
                    "; ".join(
                        [hl.search_cell(c) for c in d.searches]
                        + [
                            f"{say.multiple(s.multiple)} {'✓ held' if s.held else '✗ broke'} "
                            f"(p95 {say.latency(s.p95_ms)})"
                            for s in d.storms
                        ]
                    )
                    or say.NONE,
                    "; ".join(
                        f"{t.service.replace('_', ' ')} {'✓ survived' if t.passed else '✗ failed'}"
                        for t in d.trials
                    )
                    or say.NONE,
                    ", ".join(
                        f"{c} {OUTCOME_WORDS.get(o, o).split()[-1]}" for c, o in d.channels.items()
                    )
                    or say.NONE,
                    f"{d.open_findings:,}",
                    f"`{d.drill_id}`",
                )
                for d in review.drill_rows
            ),
        )
    )


def _method(page: _Page, review: Review) -> None:
    page.add("## How to read this review", "")
    page.add(*(f"- **{term}**: {text}" for term, text in hl.DEFINITIONS), "")
    page.add("### Readiness score", "", *(f"> {line}\n>" for line in review.formula), "")


# -- pieces ---------------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |"]
    lines.append("| " + " | ".join("---" for _ in headers) + " |")
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return lines


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _sentence(bits: hl.Sentence) -> str:
    return "".join(f"**{b.text}**" if b.figure else b.text for b in bits)


def _grade(grade: str | None) -> str:
    return "not tested" if grade is None else f"{GRADE_MARK[grade]} {grade}"


def _names(people: Sequence[PersonCount], limit: int) -> str:
    shown = [f"{p.person} ({p.drills})" for p in people[:limit]]
    more = len(people) - limit
    return ", ".join(shown) + (f" and {more:,} others" if more > 0 else "")
