"""The ``entdrill`` command line: a thin layer over the library, one module per command group.

Commands are imported lazily so ``entdrill --help`` stays fast and a broken optional module
cannot stop the others. Library errors become one sentence on stderr (secrets masked) and the
error's exit code, the same for every command (docs/exit-codes.md): 0 done, 1 an expectation
not met, 2 bad input, 3 refused by a guard rail, 4 interrupted (the kill switch, Ctrl-C).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

import click

from entdrill.errors import EntdrillError, Stopped
from entdrill.redact import redact

# name -> "module:attribute"; each module owns one command or command group.
COMMANDS: dict[str, str] = {
    "sandbox": "entdrill.cli.sandbox:sandbox",
    "schedule": "entdrill.cli.schedule:schedule",
    "drill": "entdrill.cli.drill:drill",
    "flood": "entdrill.cli.flood:flood",
    "capacity": "entdrill.cli.capacity:capacity",
    "stop": "entdrill.cli.stop:stop",
    "records": "entdrill.cli.records:records",
    "recover": "entdrill.cli.recover:recover",
    "review": "entdrill.cli.review:review",
}


class LazyGroup(click.Group):
    """A group whose subcommands (``lazy_commands``: name -> "module:attribute") are imported
    when used; the root group also turns library errors into sentences."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_commands = COMMANDS if lazy_commands is None else lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.lazy_commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EntdrillError as error:
            fail(ctx, error)
        except KeyboardInterrupt:
            fail(ctx, Stopped("interrupted (Ctrl-C)"))


def fail(ctx: click.Context, error: EntdrillError) -> None:
    """Show ``error`` as ``Error: <sentence>`` on stderr, secrets masked, and exit with its
    exit code."""
    click.echo(f"Error: {redact(str(error))}", err=True)
    ctx.exit(error.exit_code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="entdrill", prog_name="entdrill")
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """Chaos experiments and continuity drills for school digital workspaces (ENTs).

    With no staging ENT configured, everything runs against the embedded sandbox
    school: start it with `entdrill sandbox up`.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="entdrill")
