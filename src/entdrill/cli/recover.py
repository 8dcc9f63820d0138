"""``entdrill recover``: revert every fault the ledger says is still injected.

For when a ``chaos run`` (or a drill) was killed before it could clean up after itself. It is
idempotent: with nothing left to revert it says so and exits 0.
"""

from __future__ import annotations

import json
from datetime import datetime

import click

from entdrill.errors import FaultError
from entdrill.faults.ledger import FaultEntry, Ledger
from entdrill.faults.recovery import RecoveryReport, orphaned
from entdrill.faults.recovery import recover as recover_faults


def _when(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S") if timestamp else "-"


def _line(entry: FaultEntry) -> str:
    owner = "alive" if entry.owner.is_alive() else "gone"
    label = f" [{entry.label}]" if entry.label else ""
    return (
        f"{entry.id}  {entry.describe()}  since {_when(entry.planned_at)}  "
        f"by pid {entry.owner.pid} ({owner}){label}"
    )


def _show(report: RecoveryReport) -> None:
    for item in report.reverted:
        where = item["target"].get("component") or item["target"].get("url")
        click.echo(f"reverted {item['id']} {item['kind']} on {where}: {item['how']}")
    for item in report.failed:
        where = item["target"].get("component") or item["target"].get("url")
        click.echo(f"FAILED   {item['id']} {item['kind']} on {where}: {item['error']}", err=True)
    for problem in report.problems:
        click.echo(f"still wrong: {problem}", err=True)
    for item in report.skipped:
        click.echo(f"left alone {item['id']} {item['kind']}: its run is still going")


@click.command()
@click.option(
    "--list", "list_only", is_flag=True, help="Show the faults left injected; revert nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--orphaned-only",
    is_flag=True,
    help="Leave alone the faults of runs still going; revert only those of dead runs.",
)
def recover(list_only: bool, as_json: bool, orphaned_only: bool) -> None:
    """Revert every fault recorded as injected and not undone (after a killed run).

    Reads the fault ledger ($ENTDRILL_HOME/faults.jsonl), reverts each open fault, newest first
    (restarts lost components, resumes hung ones, sets fault settings back), then checks that the
    sandbox's components run as configured. Exits 0 when nothing is left injected.
    """
    ledger = Ledger()
    if list_only:
        entries = ledger.open_entries()
        if as_json:
            click.echo(json.dumps([e.to_dict() for e in entries], indent=2))
        elif not entries:
            click.echo("No fault left injected.")
        else:
            for entry in entries:
                click.echo(_line(entry))
        return
    report = recover_faults(ledger, select=orphaned if orphaned_only else None)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _show(report)
        click.echo(report.summary()[0].upper() + report.summary()[1:] + ".")
    if not report.ok:
        raise FaultError(
            f"{len(report.failed)} fault(s) could not be reverted and {len(report.problems)} "
            "problem(s) remain; see above, fix them, and run `entdrill recover` again"
        )
