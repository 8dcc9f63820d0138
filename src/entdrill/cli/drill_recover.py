"""``entdrill drill recover``: drills left running by a dead runner are marked interrupted and
their faults reverted; a live runner's drill is left alone."""

from __future__ import annotations

import json

import click

from entdrill import ranges
from entdrill.errors import FaultError
from entdrill.records import URL_HELP

GRACE = ranges.Number(0, 600, unit="seconds")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.option("--grace", "grace_s", type=ranges.option(GRACE), default=20.0,
              show_default=True,
              help="Seconds the dead drill's experiments get to revert their own faults.")  # fmt: skip
@click.option("--url", default=None, help=URL_HELP)
def recover(as_json: bool, grace_s: float, url: str | None) -> None:
    """Recover the drills whose runner died (kill -9, a crash, a reboot).

    Each drill still recorded as running is judged by the pid and host of its runner. When the
    runner is gone, its experiments are stopped, every fault they left is reverted (and any
    fault whose injecting process is gone), and the drill is marked interrupted. Exits 1 when
    a fault could not be reverted.
    """
    from entdrill.drill import recover_dead_drills
    from entdrill.records import missing_file, open_records

    missing = missing_file(url)
    if missing:
        click.echo(
            "[]"
            if as_json
            else f"no drill is recorded as running (no records database at {missing})"
        )
        return
    with open_records(url, mode="existing") as records:
        found = recover_dead_drills(records, grace_s=grace_s)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in found], indent=2))
    elif not found:
        click.echo("no drill is recorded as running")
    for item in found:
        if not as_json:
            line = f"{item.drill_id} ({item.plan_name}): {item.action}: {item.reason}"
            if item.faults:
                line += f"; {item.faults['summary']}"
            click.echo(line)
    failed = [r for r in found if not r.ok]
    if failed:
        raise FaultError(
            f"{len(failed)} drill(s) left faults that could not be reverted; "
            "see above, fix them, and run `entdrill recover`"
        )
