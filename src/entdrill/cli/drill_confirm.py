"""``entdrill drill confirm DRILL STEP --by PERSON``: confirm a manual step from the command line."""

from __future__ import annotations

import getpass
import os
import socket

import click

from entdrill.errors import InvalidArgument
from entdrill.records import URL_HELP


@click.command()
@click.argument("drill_id", metavar="DRILL")
@click.argument("step")
@click.option("--by", "person", required=True, help="The id of the person who did the step.")
@click.option("--url", default=None, help=URL_HELP)
def confirm(drill_id: str, step: str, person: str, url: str | None) -> None:
    """Confirm that PERSON did the manual STEP of the running DRILL (an id or its start).

    The confirmation is written to the drill's record; the running drill reads it within a few
    seconds and counts it, as a reply "done" on Slack would be.
    """
    from entdrill.cli.drill_show import resolve_drill
    from entdrill.records import open_records

    with open_records(url, mode="existing") as records:
        drill = resolve_drill(records, drill_id)
        if drill.status != "running":
            raise InvalidArgument(
                f"drill {drill.id} is {drill.status}, not running: a step is confirmed while "
                "the drill runs"
            )
        loaded = next(
            (e for e in records.events(drill.id) if (e.phase, e.kind) == ("plan", "loaded")),
            None,
        )
        steps: dict[str, list[str]] = dict(loaded.data.get("manual_steps", {})) if loaded else {}
        if step not in steps:
            known = ", ".join(sorted(steps)) or "none"
            raise InvalidArgument(
                f"drill {drill.id} has no manual step {step!r}; its manual steps: {known}"
            )
        if person not in steps[step]:
            raise InvalidArgument(
                f"{person!r} may not confirm {step!r}: not among its {len(steps[step])} people"
            )
        event = records.append_event(
            drill.id,
            "manual",
            "confirmation_requested",
            {
                "step": step,
                "person": person,
                "by": getpass.getuser(),
                "host": socket.gethostname(),
                "pid": os.getpid(),
            },
        )
    click.echo(f"{step} confirmed by {person} in drill {drill.id} (event {event.seq})")
