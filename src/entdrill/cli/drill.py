"""``entdrill drill``: continuity drills (validate a plan; run, list, show, recover come next).

Each subcommand is named in ``SUBCOMMANDS`` as ``"module:attribute"`` and imported when used, so
a subcommand can live in its own module (``entdrill.cli.drill_run`` for instance): add one line.
"""

from __future__ import annotations

from pathlib import Path

import click

from entdrill.cli import LazyGroup
from entdrill.errors import InvalidPlan

# name -> "module:attribute"; a subcommand may live here or in a module of its own.
SUBCOMMANDS: dict[str, str] = {
    "validate": "entdrill.cli.drill:validate",
}

#: Exit code for an invalid plan (DESIGN: 0 met, 1 not met, 2 invalid plan or aborted).
EXIT_INVALID = 2


@click.group(cls=LazyGroup, lazy_commands=SUBCOMMANDS)
def drill() -> None:
    """Continuity drills: plans that notify staff, break staging, and check the fallbacks."""


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
    from entdrill.drill.plan import load_plan

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
        reachable = len(plan.members(g.name for g in plan.groups))
        target = "the sandbox" if plan.target.is_sandbox else plan.target.ent_url
        files = " (missing experiment files tolerated)" if no_check_files else ""
        click.echo(
            f"{path}: valid: drill {plan.name!r} on {target}: {reachable} people in "
            f"{len(plan.groups)} groups, {len(plan.experiments)} experiments, "
            f"{len(plan.channels)} channels, {len(plan.manual_steps)} manual steps{files}; "
            f"sha256 {plan.digest[:12]}"
        )
    if failed:
        click.get_current_context().exit(EXIT_INVALID)
