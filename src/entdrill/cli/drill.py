"""``entdrill drill``: continuity drills: validate, run, list, show, recover, confirm, due.

Each subcommand is named in ``SUBCOMMANDS`` as ``"module:attribute"`` and imported when used, so
a subcommand can live in its own module (``entdrill.cli.drill_run`` for instance): add one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from entdrill.cli import LazyGroup
from entdrill.errors import InvalidPlan

if TYPE_CHECKING:
    from entdrill.drill import Plan
    from entdrill.population import Person

# name -> "module:attribute"; a subcommand may live here or in a module of its own.
SUBCOMMANDS: dict[str, str] = {
    "validate": "entdrill.cli.drill:validate",
    "run": "entdrill.cli.drill_run:run",
    "list": "entdrill.cli.drill_list:list_drills",
    "show": "entdrill.cli.drill_show:show",
    "recover": "entdrill.cli.drill_recover:recover",
    "confirm": "entdrill.cli.drill_confirm:confirm",
    "due": "entdrill.cli.drill_due:due",
}

#: Exit code for an invalid plan (DESIGN: 0 met, 1 not met, 2 invalid plan or aborted).
EXIT_INVALID = 2


@click.group(cls=LazyGroup, lazy_commands=SUBCOMMANDS)
def drill() -> None:
    """Continuity drills: plans that notify staff, break staging, and check the fallbacks."""


def _population(plan: Plan) -> tuple[list[Person] | None, str]:
    """The people ``from_sandbox`` groups select from, and how the summary says whose they are:
    the running sandbox's when it runs (a drill would use those), else a default sandbox's."""
    if not any(g.from_sandbox for g in plan.groups):
        return None, ""
    from entdrill.population import read_csv
    from entdrill.targets.sandbox import local_sandbox

    target = local_sandbox()
    csv = target.directory / "population.csv"
    if target.is_up() and csv.is_file():
        return read_csv(csv), " (from_sandbox: the running sandbox's people)"
    return None, " (from_sandbox: a default sandbox's people, the sandbox is not running)"


@click.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--no-check-files",
    is_flag=True,
    help="Accept experiment files that do not exist yet (files that exist are still checked).",
)
def validate(plans: tuple[Path, ...], no_check_files: bool) -> None:
    """Check drill PLANS and list every problem, one per line (file:line: field: problem).

    Exits 0 when every plan is valid, 2 when any plan has a problem.
    """
    from entdrill.drill import load_plan

    failed = 0
    for path in plans:
        try:
            plan = load_plan(path, check_files=not no_check_files)
        except InvalidPlan as error:
            failed += 1
            for problem in error.problems:
                click.echo(problem)
            click.echo(f"Error: {error.message}; the plan was not accepted", err=True)
            continue
        people, whose = _population(plan)
        reachable = len(plan.members((g.name for g in plan.groups), people))
        target = "the sandbox" if plan.target.is_sandbox else plan.target.ent_url
        files = " (missing experiment files tolerated)" if no_check_files else ""
        click.echo(
            f"{path}: valid: drill {plan.name!r} on {target}: {reachable} people in "
            f"{len(plan.groups)} groups{whose}, {len(plan.experiments)} experiments, "
            f"{len(plan.channels)} channels, {len(plan.manual_steps)} manual steps{files}; "
            f"sha256 {plan.digest[:12]}"
        )
    if failed:
        click.get_current_context().exit(EXIT_INVALID)
