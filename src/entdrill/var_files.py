"""Chaos Toolkit var files and ``--var`` values, checked against the experiment they run with.

Chaos Toolkit reads ``--var-file F`` as ``{"configuration": {...}, "secrets": {...}}`` and then
keeps only the keys the experiment declares: a misspelt key, a flat mapping or a file that is
not JSON is dropped without a word (a ``.json`` file that does not parse is even read as a
``.env`` file), and nothing checks a value's type. So a typo silently sends a run to the sandbox
instead of the staging ENT. :func:`check` finds each such problem and names the file and key,
before anything runs; the staging control calls it with what the command line gave
(:func:`from_command_line`).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import yaml

from entdrill import experiment_vars
from entdrill.errors import InvalidConfig
from entdrill.staging_keys import BY_NAME, check_value

SECTIONS = ("configuration", "secrets")
PARSED = (".json", ".yaml", ".yml")  # other names are .env files for Chaos Toolkit


def from_command_line() -> tuple[list[str], dict[str, Any]]:
    """The ``--var-file`` paths and ``--var`` values of the running ``chaos run``, if any."""
    import click

    context = click.get_current_context(silent=True)
    if context is None:
        return [], {}
    params = context.params
    return [str(p) for p in params.get("var_file") or ()], dict(params.get("var") or {})


def read(path: Path) -> dict[str, Any] | None:
    """A JSON or YAML var file's mapping (None for a ``.env`` file); one sentence if it is bad."""
    if path.suffix not in PARSED:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidConfig(f"{path}: cannot read the var file ({error})") from error
    kind = "JSON" if path.suffix == ".json" else "YAML"
    try:
        data = json.loads(text) if kind == "JSON" else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise InvalidConfig(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from error
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f"line {where.line + 1}: " if where is not None else ""
        raise InvalidConfig(f"{path}: not valid YAML ({line}{error})".replace("\n", " ")) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidConfig(
            f'{path}: expected a mapping with "configuration" and "secrets", got a '
            f"{type(data).__name__}"
        )
    for key in data:
        if key not in SECTIONS:
            raise InvalidConfig(
                f"{path}: key {key!r} at the top level: Chaos Toolkit reads only "
                f'"configuration" and "secrets" (write {{"configuration": {{{key!r}: ...}}}})'
            )
        if not isinstance(data[key], dict):
            raise InvalidConfig(f"{path}: {key}: expected a mapping of keys to values")
    return data


def _close(name: str, known: list[str]) -> str:
    match = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _type_problem(experiment: dict[str, Any], key: str, value: Any) -> str:
    """What the experiment's uses of ``key`` refuse in ``value`` (:mod:`entdrill.experiment_vars`:
    the activity arguments it feeds, their declared ranges, pauses, texts, else the declared
    type), or ""."""
    if isinstance(value, dict) and value.get("type") == "env" and "key" in value:
        return ""  # Chaos Toolkit accepts a whole env declaration in a var file
    return experiment_vars.problems(experiment, {key: value}).get(key, "")


def check_configuration(
    experiment: dict[str, Any], values: dict[str, Any], source: str, what: str
) -> None:
    """Each of ``values`` must be a configuration key of ``experiment``, of the declared type."""
    declared = experiment.get("configuration") or {}
    for key, value in values.items():
        if key not in declared:
            raise InvalidConfig(
                f"{source}: {what} {key!r} is not a configuration key of this experiment"
                f"{_close(key, list(declared))}"
            )
        problem = _type_problem(experiment, key, value)
        if not problem and key in BY_NAME and isinstance(value, str):
            problem = check_value(key, value)
        if problem and source == "--var" and isinstance(value, str):
            kind = "int" if isinstance(declared[key], int) else "float"
            problem += f" (write --var {key}:{kind}={value})"
        if problem:
            raise InvalidConfig(f"{source}: {what} {key!r}: {problem}")


def check_secrets(experiment: dict[str, Any], groups: dict[str, Any], source: str) -> None:
    """Each secrets group and key must be declared by ``experiment``; values are text."""
    declared = experiment.get("secrets") or {}
    for group, values in groups.items():
        if group not in declared:
            raise InvalidConfig(
                f"{source}: secrets group {group!r} is not declared by this experiment"
                f"{_close(group, list(declared))}"
            )
        if not isinstance(values, dict):
            raise InvalidConfig(f"{source}: secrets group {group!r}: expected a mapping")
        for key, value in values.items():
            if key not in declared[group]:
                raise InvalidConfig(
                    f"{source}: secret {group}.{key} is not declared by this experiment"
                    f"{_close(key, list(declared[group]))}"
                )
            if not isinstance(value, str):
                raise InvalidConfig(
                    f"{source}: secret {group}.{key}: expected text, got {type(value).__name__}"
                )


def check(experiment: dict[str, Any], var_files: list[str], variables: dict[str, Any]) -> None:
    """Check every var file and ``--var`` against ``experiment``; the first problem, as a sentence."""
    for name in var_files:
        data = read(Path(name))
        if data is None:
            continue
        check_configuration(experiment, data.get("configuration") or {}, name, "configuration key")
        check_secrets(experiment, data.get("secrets") or {}, name)
    check_configuration(experiment, variables, "--var", "key")
