"""The bad-input corpus: what a case is, how it runs, and what every case must show.

A :class:`Case` is one command line (with the files and environment it needs) that a careless
or hostile user could type, and what entdrill must answer: the exit code of docs/exit-codes.md,
one ``Error:`` sentence naming the input at fault, no traceback, and nothing left behind: no
file created or changed in the case's directory (its ``ENTDRILL_HOME``, its kill-switch
directory, the records), no table in the PostgreSQL schema given to it, no child process.

Cases are plain data in the ``cases_*`` modules, one module per class of input; a new command
(or a new option) gets its cases by adding lines there, and ``test_every_command_has_cases``
fails until it has some. Every case run is counted by class (:data:`RUN`), and the session
prints the counts at the end.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner, Result

from entdrill.cli import cli

#: Cases run in this session, by class (printed at the end; see conftest.py).
RUN: Counter[str] = Counter()
COMMANDS_RUN: set[str] = set()

DIRECTORY = object()  # a file entry that is a directory
FIFO = object()  # a file entry that is a named pipe (reading it would block)


@dataclass(frozen=True)
class Copy:
    """A file entry copied from the session's file named ``key`` (``records``: drills)."""

    key: str


Content = bytes | str | object


@dataclass(frozen=True)
class Case:
    """One bad input and what entdrill must answer."""

    klass: str
    args: tuple[str, ...]
    code: int
    names: str  # what the error sentence must contain: the input, named
    files: Mapping[str, Content] = field(default_factory=dict)
    env: Mapping[str, str | None] = field(default_factory=dict)
    out: str = "stderr"  # where ``names`` appears: the Error line, "stdout", or "stderr+" (the
    # Error line and the problems listed under it, for a plan with several)
    creates: tuple[str, ...] = ()  # paths (relative) the command may create on purpose
    postgres: bool = False  # the URL points at the test schema: check no table appears
    absent: str = ""  # a text the output must not contain (a secret, "Nothing to recover")
    ident: str = ""

    @property
    def id(self) -> str:
        return self.ident or " ".join(self.args)[:80]


def expand(value: str, work: Path, extra: Mapping[str, str]) -> str:
    """``{work}`` and the session's placeholders (``{pg}``, ``{repo}``...) replaced; other
    braces (a plan's ``{label}``, JSON) left as they are."""
    for key, replacement in {"work": str(work), **extra}.items():
        value = value.replace("{" + key + "}", replacement)
    return value


def write_files(work: Path, files: Mapping[str, Content], extra: Mapping[str, str]) -> None:
    for name, content in files.items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is DIRECTORY:
            path.mkdir(exist_ok=True)
        elif content is FIFO:
            os.mkfifo(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(expand(content, work, extra))
        elif isinstance(content, Copy):
            shutil.copyfile(extra[content.key], path)
        else:
            raise TypeError(f"cannot write {name}: {content!r}")


def snapshot(root: Path) -> dict[str, tuple[str, str]]:
    """Every entry under ``root``: (kind, digest) by relative path."""
    found: dict[str, tuple[str, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            relative = str(path.relative_to(root))
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode):
                found[relative] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                found[relative] = ("dir" if stat.S_ISDIR(mode) else "other", "")
    return found


def children() -> set[int]:
    """Live child processes of this process (zombies excluded)."""
    me = str(os.getpid())
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and fields[0] != "Z":
            pids.add(int(entry))
    return pids


def environment(work: Path, case: Case, extra: Mapping[str, str]) -> dict[str, str | None]:
    """The case's environment: everything entdrill keeps inside its directory."""
    env: dict[str, str | None] = {
        "ENTDRILL_HOME": str(work / "home"),
        "ENTDRILL_RUNTIME_DIR": str(work / "run"),
        "ENTDRILL_DB_URL": None,
        "ENTDRILL_ALLOWED_TARGETS": None,
        "ENTDRILL_CONSENT_TOKEN": None,
        "ENTDRILL_MAX_RATE": None,
        "ENT_BASE_URL": None,
    }
    for key, value in case.env.items():
        env[key] = None if value is None else expand(value, work, extra)
    return env


def run(case: Case, work: Path, extra: Mapping[str, str], tables: Callable[[], int]) -> Result:
    """Run ``case`` in ``work`` and check everything a case must show; the result."""
    write_files(work, case.files, extra)
    before, pids, tables_before = snapshot(work), children(), tables() if case.postgres else 0
    args = [expand(a, work, extra) for a in case.args]
    result = CliRunner().invoke(
        cli, args, env=environment(work, case, extra), catch_exceptions=True
    )
    output = result.stdout + result.stderr
    shown = f"$ entdrill {' '.join(args)}\n{output}"
    assert isinstance(result.exception, SystemExit | None), f"{type(result.exception)}\n{shown}"
    assert "Traceback" not in output, shown
    assert result.exit_code == case.code, shown
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, f"expected one Error line\n{shown}"
    where = {"stderr": errors[0], "stdout": result.stdout}.get(case.out, result.stderr)
    named = expand(case.names, work, extra)
    assert named in where, f"the error does not name {named!r}\n{shown}"
    if case.absent:
        assert case.absent not in output, shown
    after = snapshot(work)
    # SQLite's own companions of a WAL database that existed before (a reader opens them too).
    companions = {p for p in after if p.endswith(("-wal", "-shm")) and p[:-4] in before}
    allowed = set(case.creates) | companions
    created = {p for p in after if p not in before and not any(p.startswith(a) for a in allowed)}
    changed = {p for p in before if p in after and before[p] != after[p]}
    changed = {p for p in changed if not any(p.startswith(a) for a in allowed)}
    removed = set(before) - set(after)
    assert not (created or changed or removed), (
        f"left behind: created {sorted(created)}, changed {sorted(changed)}, "
        f"removed {sorted(removed)}\n{shown}"
    )
    assert children() <= pids, f"child processes left: {children() - pids}\n{shown}"
    if case.postgres:
        assert tables() == tables_before, f"tables created in the test schema\n{shown}"
    RUN[case.klass] += 1
    COMMANDS_RUN.add(command_of(args))
    return result


def leaf_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[str]:
    """Every command a user can run, as ``"drill validate"``."""
    context = click.Context(group)
    found = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group) and not getattr(
            command, "invoke_without_command", False
        ):
            found += leaf_commands(command, (*prefix, name))
        elif isinstance(command, click.Group):
            found.append(" ".join((*prefix, name)))
            found += leaf_commands(command, (*prefix, name))
        elif command is not None:
            found.append(" ".join((*prefix, name)))
    return found


def command_of(args: list[str] | tuple[str, ...]) -> str:
    """The command ``args`` run (``"drill validate"``), from the command tree."""
    commands = set(leaf_commands())
    words: list[str] = []
    best = ""
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
        if " ".join(words) in commands:
            best = " ".join(words)
    return best


def summary() -> str:
    total = sum(RUN.values())
    classes = ", ".join(f"{name} {count}" for name, count in sorted(RUN.items()))
    return (
        f"bad-input corpus: {total} cases in {len(RUN)} classes over {len(COMMANDS_RUN)} "
        f"commands ({classes})"
    )


def case_params(cases: list[Case]) -> list[Any]:
    import pytest

    return [pytest.param(c, id=f"{c.klass}: {c.id}") for c in cases]
