"""``entdrill recover``: revert every fault the ledger says is still injected.

For when a ``chaos run`` (or a drill) was killed before it could clean up after itself. It is
idempotent: with nothing left to revert it says so and exits 0. It never says so while a line of
the ledger cannot be read (an open fault may be written there): it names those lines and exits 1,
until an operator who has dealt with one settles it with ``--force-line N`` (recorded).
"""

from __future__ import annotations

import getpass
import json
import socket
from datetime import datetime
from typing import Any

import click

from entdrill import ranges
from entdrill.errors import FaultError
from entdrill.faults.ledger import FaultEntry, Ledger
from entdrill.faults.recovery import RecoveryReport, orphaned
from entdrill.faults.recovery import recover as recover_faults

LINE = ranges.Number(1, 10**9, integer=True, unit="ledger line")


def _when(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S") if timestamp else "-"


def _line(entry: FaultEntry) -> str:
    owner = "alive" if entry.owner.is_alive() else "gone"
    label = f" [{entry.label}]" if entry.label else ""
    return (
        f"{entry.id}  {entry.describe()}  since {_when(entry.planned_at)}  "
        f"by pid {entry.owner.pid} ({owner}){label}"
    )


def _unreadable(ledger: Ledger, problems: list[dict[str, Any]]) -> None:
    for item in problems:
        click.echo(
            f"UNREADABLE {ledger.path}:{item['line']}: {item['reason']}\n    {item['text']}",
            err=True,
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
@click.option(
    "--force-line",
    "force_lines",
    type=ranges.option(LINE),
    multiple=True,
    metavar="N",
    help="Settle the unreadable ledger line N, once you have dealt with what it describes "
    "(recorded in the ledger, with who and when). May be repeated.",
)
def recover(
    list_only: bool, as_json: bool, orphaned_only: bool, force_lines: tuple[int, ...]
) -> None:
    """Revert every fault recorded as injected and not undone (after a killed run).

    Reads the fault ledger ($ENTDRILL_HOME/faults.jsonl), reverts each open fault, newest first
    (restarts lost components, resumes hung ones, sets fault settings back), then checks that the
    sandbox's components run as configured. Exits 0 when nothing is left injected, 1 when a
    fault could not be reverted or a ledger line cannot be read (see --force-line).
    """
    ledger = Ledger()
    if list_only and force_lines:
        raise click.UsageError("--force-line settles lines; give it without --list")
    by = f"{getpass.getuser()}@{socket.gethostname()}"
    for number in dict.fromkeys(force_lines):
        settled = ledger.settle(number, by=by)
        click.echo(f"settled {ledger.path}:{number} ({settled.reason}), by {by}", err=True)
    if list_only:
        view = ledger.read()
        entries = [e for e in view.entries if e.is_open]
        if as_json:
            data = {
                "open": [e.to_dict() for e in entries],
                "unreadable": [p.to_dict() for p in view.problems],
            }
            click.echo(json.dumps(data if view.problems else data["open"], indent=2))
        elif not entries and not view.problems:
            click.echo("No fault left injected.")
        else:
            for entry in entries:
                click.echo(_line(entry))
            _unreadable(ledger, [p.to_dict() for p in view.problems])
        if view.problems:
            raise FaultError(_unreadable_sentence(ledger, [p.line for p in view.problems]))
        return
    report = recover_faults(ledger, select=orphaned if orphaned_only else None)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _show(report)
        _unreadable(ledger, report.unreadable)
        click.echo(report.summary()[0].upper() + report.summary()[1:] + ".")
    if report.unreadable:
        raise FaultError(_unreadable_sentence(ledger, [int(u["line"]) for u in report.unreadable]))
    if not report.ok:
        raise FaultError(
            f"{len(report.failed)} fault(s) could not be reverted and {len(report.problems)} "
            "problem(s) remain; see above, fix them, and run `entdrill recover` again"
        )


def _unreadable_sentence(ledger: Ledger, lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines)
    return (
        f"the fault ledger {ledger.path} has {len(lines)} unreadable line(s) ({shown}): a fault "
        "may still be injected there; revert by hand what they describe, then settle each "
        "with `entdrill recover --force-line N`"
    )
