"""``entdrill drill due PLAN``: is a drill of this plan due now? For a plain daily cron."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from entdrill import ranges
from entdrill.calendar.due import DEFAULT_WINDOW_MINUTES
from entdrill.errors import InvalidArgument


@click.command()
@click.argument("plan", type=click.Path(path_type=Path))
@click.option("--window", type=click.IntRange(1, 1440), default=DEFAULT_WINDOW_MINUTES,
              show_default=True, help="Minutes after the drill time it stays due.")  # fmt: skip
@click.option("--now", "now_text", metavar="DATETIME",
              help="Check this instant (ISO 8601 with an offset) instead of the clock.")  # fmt: skip
@click.option("--school", default=None, help="Drills of this school (its blackouts bind).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; only the exit status.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def due(
    plan: Path, window: int, now_text: str | None, school: str | None, quiet: bool, as_json: bool
) -> None:
    """Exit 0 when a drill of PLAN is due now, 1 when not (2 on an error).

    A drill is due from its planned instant (the plan's `schedule`: N school days before each
    holiday of its zone, at its time) for --window minutes, unless now is in a blackout:
    `45 7 * * 1-5  entdrill drill due P -q && entdrill drill run P`.
    """
    from entdrill.calendar.due import is_due
    from entdrill.drill import load_plan

    loaded = load_plan(plan, check_files=False)
    if loaded.schedule is None:
        raise InvalidArgument(f"{plan}: the plan has no schedule section, so no drill is ever due")
    now = datetime.now(UTC)
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise InvalidArgument(
                f"--now {now_text!r} is not a date-time such as 2027-03-31T07:50+02:00"
            ) from None
        if now.tzinfo is None:
            raise InvalidArgument(f"--now {now_text!r} needs a UTC offset, such as +02:00")
        ranges.check_instant(now, "--now")
    answer = is_due(loaded.schedule, now, window, school=school)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), indent=2, default=str))
    elif not quiet:
        click.echo(("due: " if answer.due else "not due: ") + answer.reason)
    raise SystemExit(0 if answer.due else 1)
