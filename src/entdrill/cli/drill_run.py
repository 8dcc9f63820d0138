"""``entdrill drill run PLAN``: run a continuity drill (or say what it would do, ``--dry-run``)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from entdrill import ranges
from entdrill.records import URL_HELP

POLL = ranges.Number(0.2, 60, unit="seconds")


@click.command()
@click.argument("plan", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Send nothing, inject nothing: say what it would do.")
@click.option("--force", is_flag=True, help="Run even inside a blackout window of the plan.")
@click.option(
    "--json-events",
    is_flag=True,
    help="Print each event as one JSON line on stdout as it is recorded (no timeline).",
)
@click.option("--poll", "poll_s", type=ranges.option(POLL), default=2.0, show_default=True,
              help="Seconds between two readings of the channels.")  # fmt: skip
@click.option("--url", default=None, help=URL_HELP)
def run(
    plan: Path, dry_run: bool, force: bool, json_events: bool, poll_s: float, url: str | None
) -> None:
    """Run the drill PLAN: announce, inject, activate fallbacks, verify, recover, debrief.

    Every event is recorded as it happens (see `entdrill drill show ID`). A live timeline is
    shown on a terminal. Exit status: 0 when every expectation is met, 1 when some are not,
    2 when the plan is invalid (nothing done), 3 when a guard rail refused, 4 when the drill
    was stopped (kill switch, STOP DRILL, Ctrl-C, max_duration).
    """
    from entdrill.drill import (
        JsonEventsDisplay,
        QuietDisplay,
        RunOptions,
        TerminalDisplay,
        check_blackout,
        describe_dry_run,
        load_plan,
        prepare_drill,
        record_dry_run,
        run_drill,
    )
    from entdrill.records import new_id, open_records

    loaded = load_plan(plan)
    check_blackout(loaded, datetime.now(UTC), force=force)  # before any record is created
    with open_records(url) as records:
        prepared = prepare_drill(
            loaded, drill_id=new_id(), now=datetime.now(UTC), dry_run=dry_run, force=force
        )
        try:
            if dry_run:
                steps = describe_dry_run(prepared)
                for step in steps:
                    click.echo(f"{step.phase:<10} {step.text}")
                drill_id = record_dry_run(prepared, records, steps)
                click.echo(f"dry run recorded as drill {drill_id} in {records.where}")
                return
            out = sys.stderr if json_events else sys.stdout
            if prepared.lease is not None and prepared.lease.started_here:
                click.echo(
                    "the sandbox was not running: started it for this drill; "
                    "it is stopped when the drill ends",
                    file=out,
                )
            display = (
                JsonEventsDisplay(sys.stdout)
                if json_events
                else TerminalDisplay(sys.stdout)
                if sys.stdout.isatty()
                else QuietDisplay()
            )
            result = run_drill(
                prepared, records, display=display, options=RunOptions(poll_s=poll_s)
            )
        finally:
            prepared.release()
    word = {"met": "MET", "not_met": "NOT MET", "aborted": "ABORTED"}[result.status]
    click.echo(f"drill {loaded.name}: {word} ({result.reason})", file=out)
    if result.report is not None:
        for name, channel in result.report.ledger.channels.items():
            if channel.outcome != "unused":
                click.echo(f"  {name}: {channel.outcome} ({channel.reason})", file=out)
    click.echo(f"  {len(result.findings)} finding(s)", file=out)
    click.echo(f"record: drill {result.drill_id} in {result.where}", file=out)
    click.echo(f"see: entdrill drill show {result.drill_id}", file=out)
    if result.exit_code:
        raise SystemExit(result.exit_code)
