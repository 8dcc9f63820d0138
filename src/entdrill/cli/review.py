"""``entdrill review``: the continuity readiness review of the recorded drills, as one
self-contained HTML page or as Markdown for a wiki.

Exit codes: 0 the review is written; 1 there is no drill in the period (a page saying so is
written all the same, so a scheduled review still publishes something); 2 bad input (dates,
format, unknown drill) or records that cannot be read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from entdrill import outfile
from entdrill.errors import EXIT_BAD_INPUT, InvalidArgument, RecordsError
from entdrill.records import open_records
from entdrill.redact import redact
from entdrill.review import (
    TITLE,
    Review,
    build_review,
    only_drill,
    parse_period,
    render_html,
    render_markdown,
    series_wanted,
)

FORMATS = ("html", "md")
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
) -> None:
    """Write the continuity readiness review of the drills recorded in a period.

    Per service: how far logins held under storm (and where they broke), server loss,
    session-store loss and the video fallback. Per channel: delivery and acknowledgement
    shares, time to acknowledge, who was never reached. Trends, open findings with owners,
    and a readiness score per service and overall whose formula the review states.
    Exits 0 when written, 1 when the period has no drill (the page says so), 2 on bad input
    or unreadable records.
    """
    if drill_id is not None and (since or until):
        raise InvalidArgument("--drill reviews one drill: give it without --since and --until")
    start, stop = parse_period(since, until)
    fmt = fmt or ("md" if out and Path(out).suffix.lower() in MARKDOWN_SUFFIXES else "html")
    if out is not None:
        outfile.check(out, "--out")
        if fmt == "md":
            outfile.check(_charts_dir(Path(out)), "--out", directory=True)
    try:
        result = _review(db_url, start, stop, drill_id, title)
    except RecordsError as error:  # a database that breaks while it is read: nothing written
        click.echo(f"Error: {redact(str(error))}", err=True)
        ctx.exit(EXIT_BAD_INPUT)
    _write(result, fmt, out)
    if result.empty:
        click.echo(
            "No drills in this period"
            + (f": the review saying so is in {out}" if out else "")
            + f" (records: {result.source}).",
            err=True,
        )
        ctx.exit(1)
    if out:
        click.echo(
            f"Review of {result.drills:,} drill{'s' if result.drills != 1 else ''} written to "
            f"{out}: overall readiness {_score(result)}."
        )


def _review(
    db_url: str | None,
    since: datetime | None,
    until: datetime | None,
    drill_id: str | None,
    title: str,
) -> Review:
    with open_records(db_url, mode="read", option="--db") as records:
        source = records.where
        if drill_id is not None:
            started = records.get_drill(drill_id).drill.started_at
            data = only_drill(
                records.load_review_data(started, started + timedelta(milliseconds=1)), drill_id
            )
        else:
            data = records.load_review_data(since, until)
        series = records.load_series(series_wanted(data))
    return build_review(
        data,
        series,
        generated_at=datetime.now(UTC),
        drill_id=drill_id,
        source=redact(source),
        title=title,
    )


def _charts_dir(out: Path) -> Path:
    """Where the Markdown's charts go: ``FILE-charts/`` next to ``FILE``."""
    return out.parent / f"{out.stem}-charts"


def _write(result: Review, fmt: str, out: str | None) -> None:
    files: dict[str, str] = {}
    if fmt == "md":
        charts = _charts_dir(Path(out)).name if out else None
        text, files = render_markdown(result, charts)
    else:
        text = render_html(result)
    if out is None:
        click.echo(text, nl=False)
        return
    target = Path(out)
    for name, svg in files.items():
        outfile.write(target.parent / name, svg, "--out")
    outfile.write(target, text, "--out")


def _score(result: Review) -> str:
    value = result.overall.value
    if value is None:
        return "not scored (nothing tested)"
    return f"{round(value)}/100 ({result.overall.grade})"
