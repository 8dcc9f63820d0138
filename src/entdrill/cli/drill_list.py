"""``entdrill drill list``: the drills in the records, as a table or JSON."""

from __future__ import annotations

import json
from typing import Any

import click

from entdrill.cli.table import table
from entdrill.records import DRILL_STATUSES, URL_HELP, DrillRecord


def duration(drill: DrillRecord) -> str:
    if drill.ended_at is None:
        return "-"
    whole = int((drill.ended_at - drill.started_at).total_seconds())
    return f"{whole // 60}m{whole % 60:02d}s"


def brief(drill: DrillRecord) -> dict[str, Any]:
    return {
        "id": drill.id,
        "plan": drill.plan_name,
        "started_at": drill.started_at.isoformat(),
        "ended_at": drill.ended_at.isoformat() if drill.ended_at else None,
        "status": drill.status,
        "exit_code": drill.exit_code,
        "reason": drill.reason,
        "target": drill.target,
        "pid": drill.pid,
        "host": drill.host,
    }


@click.command(name="list")
@click.option("--status", type=click.Choice(DRILL_STATUSES), help="Only drills with this status.")
@click.option("--last", type=click.IntRange(min=1), help="Only the last N drills.")
@click.option("--json", "as_json", is_flag=True, help="Print the drills as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print the drill ids only, one per line.")
@click.option("--url", default=None, help=URL_HELP)
def list_drills(
    status: str | None, last: int | None, as_json: bool, quiet: bool, url: str | None
) -> None:
    """List the recorded drills, oldest first: id, start, duration, plan, status, exit code."""
    from entdrill.records import open_records

    with open_records(url, mode="read") as records:
        drills = records.list_drills(status=status) if status else records.list_drills()  # type: ignore[arg-type]
        where = records.where
    if last:
        drills = drills[-last:]
    if as_json:
        click.echo(json.dumps([brief(d) for d in drills], indent=2))
        return
    if quiet:
        for drill in drills:
            click.echo(drill.id)
        return
    if not drills:
        click.echo(f"no drill recorded in {where}")
        return
    rows = [
        (
            d.id,
            d.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            duration(d),
            d.plan_name,
            d.status,
            "-" if d.exit_code is None else str(d.exit_code),
        )
        for d in drills
    ]
    header = ("ID", "STARTED", "TOOK", "PLAN", "STATUS", "EXIT")
    for line in table([header, *rows]):
        click.echo(line)
