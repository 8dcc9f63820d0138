"""``entdrill review``: the continuity readiness review of the recorded drills, as one
self-contained HTML page or as Markdown for a wiki.

Exit codes: 0 the review is written; 1 there is no drill in the period (a page saying so is
written all the same, so a scheduled review still publishes something); 2 bad input (dates,
format, unknown drill) or records that cannot be read.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from entdrill import outfile
from entdrill.errors import EXIT_BAD_INPUT, InvalidArgument, RecordsError
from entdrill.redact import redact
from entdrill.review import TITLE, parse_as_of, parse_period, read_review

if TYPE_CHECKING:
    from entdrill.review import Review

FORMATS = ("html", "md")
ZONES = ("A", "B", "C", "Corse")
MARKDOWN_SUFFIXES = (".md", ".markdown")


@click.command("review")
@click.option(
    "--since",
    metavar="DATE",
    help="First day, YYYY-MM-DD (Europe/Paris), or an instant YYYY-MM-DDTHH:MM. Default: the first drill.",
)
@click.option(
    "--until",
    metavar="DATE",
    help="Last day, included (or an instant, excluded). Default: the last drill.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="html (default) or md (Markdown); --out FILE.md implies md.",
)
@click.option(
    "--out",
    metavar="FILE",
    help="Write the review to FILE (default: stdout). Markdown charts go to FILE-charts/*.svg.",
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Records database URL (default: ENTDRILL_DB_URL, else $ENTDRILL_HOME/records.db).",
)
@click.option("--drill", "drill_id", metavar="ID", help="Review this drill only.")
@click.option("--title", default=TITLE, show_default=True, help="The page's title.")
@click.option(
    "--as-of",
    metavar="DATE",
    help="The review date, YYYY-MM-DD: ages count to it, the decision is about the first "
    "morning after the next holiday from it (default today; with no --until, the period ends "
    "on it).",
)
@click.option(
    "--required-multiple",
    type=float,
    help="The load the ENT must hold, as a multiple of normal (default: the latest drill's "
    "plan, else 100).",
)
@click.option(
    "--normal-rate", type=float, help="The ENT's normal logins/s (default: the latest plan's)."
)
@click.option(
    "--zone",
    type=click.Choice(ZONES),
    help="School holiday zone of the decision (default: the latest plan's schedule.zone).",
)
@click.pass_context
def review(
    ctx: click.Context,
    since: str | None,
    until: str | None,
    fmt: str | None,
    out: str | None,
    db_url: str | None,
    drill_id: str | None,
    title: str,
    as_of: str | None,
    required_multiple: float | None,
    normal_rate: float | None,
    zone: str | None,
) -> None:
    """Write the continuity readiness review of the drills recorded in a period.

    It opens with the decision: will the ENT hold the first morning after the next holiday of
    the plan's zone? Ready, at risk or not ready, with the reasons, most serious first, and the
    measured login headroom (sustained multiple of normal over the required multiple). Per
    service: how far logins held (capacity searches and storms), server loss, session-store
    loss and the video fallback, with coverage (untested services count) and age against the
    review date. Per channel: delivery and acknowledgement shares, time to acknowledge, who was
    never reached. Trends, open findings with owners, and the score's formula. Drills still
    running are listed apart and not counted. Exits 0 when written, 1 when the period has no
    ended drill (the page says so), 2 on bad input or unreadable records.
    """
    if drill_id is not None and (since or until):
        raise InvalidArgument("--drill reviews one drill: give it without --since and --until")
    for option, value in (
        ("--required-multiple", required_multiple),
        ("--normal-rate", normal_rate),
    ):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise InvalidArgument(f"{option} must be a number above 0, got {value:g}")
    now = datetime.now(UTC)
    review_date = parse_as_of(as_of, now)
    if as_of is not None and until is None and drill_id is None:
        until = as_of
    start, stop = parse_period(since, until)
    fmt = fmt or ("md" if out and Path(out).suffix.lower() in MARKDOWN_SUFFIXES else "html")
    if out is not None:
        outfile.check(out, "--out")
        if fmt == "md":
            outfile.check(_charts_dir(Path(out)), "--out", directory=True)
    options = {
        "generated_at": now,
        "as_of": review_date,
        "required_multiple": required_multiple,
        "normal_rate": normal_rate,
        "zone": zone,
        "drill_id": drill_id,
        "title": title,
    }
    try:
        result = _review(db_url, start, stop, options)
    except RecordsError as error:  # a database that breaks while it is read: nothing written
        click.echo(f"Error: {redact(str(error))}", err=True)
        ctx.exit(EXIT_BAD_INPUT)
    _write(result, fmt, out)
    if result.empty:
        running = f" ({len(result.running)} still running, not counted)" if result.running else ""
        click.echo(
            f"No drills in this period{running}"
            + (f": the review saying so is in {out}" if out else "")
            + f" (records: {result.source}).",
            err=True,
        )
        ctx.exit(1)
    if out:
        click.echo(
            f"Review of {result.drills:,} drill{'s' if result.drills != 1 else ''} written to "
            f"{out}: {_decision(result)}; overall readiness {_score(result)}."
        )


def _review(
    db_url: str | None,
    since: datetime | None,
    until: datetime | None,
    options: dict[str, Any],
) -> Review:
    source, (data, series, reach, detections) = read_review(
        db_url, since, until, options["drill_id"]
    )
    try:
        from entdrill.review import build_review  # loaded while the reach is read

        return build_review(
            data, series, source=redact(source), reach=reach, detections=detections, **options
        )
    finally:
        reach.close()


def _charts_dir(out: Path) -> Path:
    """Where the Markdown's charts go: ``FILE-charts/`` next to ``FILE``."""
    return out.parent / f"{out.stem}-charts"


def _write(result: Review, fmt: str, out: str | None) -> None:
    files: dict[str, str] = {}
    if fmt == "md":
        from entdrill.review import render_markdown

        charts = _charts_dir(Path(out)).name if out else None
        text, files = render_markdown(result, charts)
    else:
        from entdrill.review import render_html

        text = render_html(result)
    if out is None:
        click.echo(text, nl=False)
        return
    target = Path(out)
    for name, svg in files.items():
        outfile.write(target.parent / name, svg, "--out")
    outfile.write(target, text, "--out")


def _decision(result: Review) -> str:
    decision = result.decision
    if decision is None:
        return "no decision"
    return f"{decision.answer} ({decision.headroom.rstrip('.')})"


def _score(result: Review) -> str:
    value = result.overall.value
    if value is None:
        return "not scored (nothing tested)"
    return f"{round(value)}/100 ({result.overall.grade})"
