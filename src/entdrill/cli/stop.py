"""``entdrill stop``: the kill switch. Stops every running flood, drill and experiment here."""

from __future__ import annotations

import json

import click

from entdrill import ranges
from entdrill.faults.recovery import orphaned, recover
from entdrill.guard import killswitch

WAIT = ranges.Number(0, 3600, unit="seconds")


@click.command()
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(killswitch.KINDS),
    help="Only this kind of work (may be repeated); default: every kind.",
)
@click.option(
    "--wait",
    "wait_s",
    type=ranges.option(WAIT),
    default=5.0,
    show_default=True,
    help="Seconds to wait for them to exit (0 to 3600).",
)
@click.option("--force", is_flag=True, help="SIGKILL whatever is still running after --wait.")
@click.option("--json", "as_json", is_flag=True, help="Print what was stopped as JSON.")
def stop(kinds: tuple[str, ...], wait_s: float, force: bool, as_json: bool) -> None:
    """Pull the kill switch: stop every registered flood, drill and experiment on this machine.

    Writes the stop marker (of the --kind given, or of every kind), sends SIGTERM to each
    registered process and waits for it to exit, then reverts the faults left by processes that
    are gone (those --force killed, or any that died before reverting theirs). Exits 1 when
    something is still running after --wait, a fault could not be reverted, or a line of the
    fault ledger cannot be read (see `entdrill recover`).
    """
    result = killswitch.stop_all(tuple(dict.fromkeys(kinds)), wait_s=wait_s, force=force)
    recovery = recover(select=orphaned)
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "faults": recovery.to_dict()}))
    else:
        if recovery.reverted or not recovery.ok:
            click.echo(f"faults: {recovery.summary()}")
        for entry in result.signalled:
            state = "still running" if entry in result.still_running else "stopped"
            click.echo(f"{entry.kind} pid {entry.pid} {entry.label}: {state}")
        if not result.signalled:
            click.echo(f"no {' or '.join(kinds)} was running" if kinds else "nothing was running")
    if result.still_running or not recovery.ok:
        problems = []
        if result.still_running:
            problems.append(f"{len(result.still_running)} process(es) still running")
        if not recovery.ok:
            problems.append(recovery.summary())
        click.echo(f"Error: {'; '.join(problems)}", err=True)
        raise SystemExit(1)
