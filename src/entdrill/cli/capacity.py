"""``entdrill capacity``: find the breaking point of an ENT, the highest rate it sustains.

Exit codes: 0 a knee was found inside the range; 1 no knee in the range (it held up to --to,
or broke at --from, and the output says which); 2 bad input (nothing sent); 3 refused by a guard
rail (allow-list, consent, rate ceiling), or consent withdrawn during the search; 4 stopped by
the kill switch (``entdrill stop``) or Ctrl-C.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from entdrill import child_options, outfile
from entdrill.capacity import SearchSettings, StepResult, build_report, search, table
from entdrill.capacity.report import COLUMNS, step_row
from entdrill.capacity.runner import SearchResult
from entdrill.capacity.settings import (
    DEFAULT_MAX_ERRORS,
    DEFAULT_P95_BUDGET_S,
    DEFAULT_PAUSE_S,
    DEFAULT_REFINE,
    DEFAULT_STEP_S,
)
from entdrill.cli.flood_options import apply_options, target_options
from entdrill.errors import EntdrillError, GuardRefusal, InvalidArgument, Stopped
from entdrill.flood import FloodOptions, write_report
from entdrill.guard import allowlist, consent

_TEXT = {"scenario", "mix", "users"}


def _options(function: Any) -> Any:
    function = apply_options(
        [
            click.option("--from", "start", type=float, help="The first rate offered (per second)."),
            click.option("--to", "stop", type=float, help="The highest rate offered (per second)."),
            click.option("--factor", type=float, help="Geometric steps: each rate x F (default 1.5)."),
            click.option("--steps", type=int, default=0, help="Or N evenly spaced rates instead."),
            click.option(
                "--step-s", type=float, default=DEFAULT_STEP_S, show_default=True,
                help="Seconds each rate is offered.",
            ),
            click.option(
                "--refine", type=int, default=DEFAULT_REFINE, show_default=True,
                help="Extra steps between the last rate held and the first broken.",
            ),
            click.option(
                "--pause-s", type=float, default=DEFAULT_PAUSE_S, show_default=True,
                help="Seconds the target is left alone between steps.",
            ),
            click.option(
                "--p95-budget", "p95_budget_s", type=float, default=DEFAULT_P95_BUDGET_S,
                show_default=True, help="Objective: the p95 allowed, in seconds.",
            ),
            click.option(
                "--max-errors", type=float, default=DEFAULT_MAX_ERRORS, show_default=True,
                help="Objective: the share of failed journeys allowed (0 to 1).",
            ),
            click.option("--normal-rate", type=float, help="Normal logins/s: results as multiples."),
            click.option(
                "--required-multiple", type=float,
                help="The load the ENT must hold, as a multiple of normal: gives the headroom.",
            ),
            click.option("--report", "report_path", help="Write the JSON report here (- : stdout)."),
        ],
        function,
    )  # fmt: skip
    return target_options(function)


@click.command("capacity")
@_options
@click.pass_context
def capacity(ctx: click.Context, /, **values: Any) -> None:
    """Find the breaking point: offer a journey at rising rates until it breaks the objective.

    Each step is a flood at a constant rate for --step-s seconds (every guard rail of
    `entdrill flood` applies: allow-list, consent token, rate ceiling, kill switch). A step
    breaks when its p95 is over --p95-budget or its failed share over --max-errors; the search
    stops at the first step that breaks (never offering a higher rate), then refines between the
    last rate held and the first broken. It reports the sustained rate (the highest held), the
    breaking rate and why it broke, as a table and as JSON (--report). Exits 0 when a knee
    was found inside the range, 1 when it held up to --to or broke at --from, 2 on bad input
    (nothing sent), 3 when a guard rail refused, 4 when stopped by the kill switch.
    """
    try:
        code = _run(values)
    except EntdrillError as error:
        click.echo(f"Error: {error}", err=True)
        ctx.exit(error.exit_code)
    ctx.exit(code)


def _settings(values: dict[str, Any]) -> SearchSettings:
    for option, name in (("--from", "start"), ("--to", "stop")):
        if values[name] is None:
            raise InvalidArgument(
                f"{option} is required: the {'first' if name == 'start' else 'highest'} rate "
                "offered, in arrivals per second, e.g. --from 10 --to 200"
            )
    return SearchSettings(
        **{k: values.pop(k) for k in list(values) if k in SearchSettings.__dataclass_fields__}
    )


def _run(values: dict[str, Any]) -> int:
    report_path = values.pop("report_path")
    settings = _settings(values)
    token = consent.token_from(values.pop("consent_token"))
    if report_path != "-" and report_path is not None:
        outfile.check(report_path, "--report")
    fields: dict[str, Any] = {k: ("" if v is None and k in _TEXT else v) for k, v in values.items()}
    options = FloodOptions(**fields)
    live = sys.stderr.isatty()
    if live:
        click.echo("  ".join(COLUMNS), err=True)
    counter = iter(range(1, 10_000))

    def show(step: StepResult) -> None:
        if live:
            click.echo("  ".join(step_row(next(counter), step)), err=True)

    result = search(options, settings, token, allow=allowlist.from_environment(), on_step=show)
    report = build_report(result)
    if report_path == "-":
        click.echo(json.dumps(report))
        click.echo(table(result), err=True, nl=False)
    else:
        if report_path:
            write_report(report, Path(report_path))
        click.echo(table(result), nl=False)
    return _exit_code(result)


def _exit_code(result: SearchResult) -> int:
    if result.stopped_by:
        click.echo(f"Error: the search was stopped: {result.stopped_by}", err=True)
        if result.stopped_by.startswith(("consent", "refused by")):
            return GuardRefusal.exit_code
        return Stopped.exit_code
    return 0 if result.outcome == "knee" else 1


if __name__ == "__main__":
    capacity(args=child_options.take(sys.argv[1:]), prog_name="entdrill capacity")
