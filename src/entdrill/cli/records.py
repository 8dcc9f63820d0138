"""``entdrill records``: look after the drill records database (migrate, verify a drill's chain)."""

from __future__ import annotations

import json

import click

from entdrill.records import URL_HELP, connect_database, open_records
from entdrill.records import migrate as apply_migrations


@click.group()
def records() -> None:
    """Drill records: SQLite by default, PostgreSQL when ENTDRILL_DB_URL says so."""


@records.command()
@click.option("--url", default=None, help=URL_HELP)
def migrate(url: str | None) -> None:
    """Bring the records schema up to this entdrill's version (safe to run again).

    Creates the database (and its directory) when it does not exist yet.
    """
    db = connect_database(url, mode="create")
    try:
        done = apply_migrations(db)
        where = db.where
    finally:
        db.close()
    if done:
        click.echo(f"{where}: applied migrations {', '.join(str(v) for v in done)}")
    else:
        click.echo(f"{where}: schema already up to date")


@records.command()
@click.argument("drill_id")
@click.option("--url", default=None, help=URL_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify(drill_id: str, url: str | None, as_json: bool) -> None:
    """Check a drill's events against their hash chain; exit 1 when it is broken.

    Reads only: exit 2 (nothing checked) for a database that does not exist or an unknown drill.
    """
    with open_records(url, mode="read") as store:
        report = store.verify_chain(drill_id)
    if as_json:
        problems = [{"seq": p.seq, "kind": p.kind, "message": p.message} for p in report.problems]
        click.echo(
            json.dumps(
                {
                    "drill": drill_id,
                    "ok": report.ok,
                    "events": report.checked,
                    "problems": problems,
                },
                indent=2,
            )
        )
    else:
        click.echo(report.describe())
    if not report.ok:
        raise SystemExit(1)
