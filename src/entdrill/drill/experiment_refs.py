"""Experiments a plan names: the file exists, is a JSON experiment Chaos Toolkit accepts, and
knows every ``vars`` key, each with a value its uses accept.

``chaos run --var key=value`` overrides a configuration key; a key the experiment does not declare
is silently ignored, so a typo in a plan would quietly change nothing. Refuse it here instead, and
a value of the wrong type or out of the range the activity declares (:mod:`entdrill.experiment_vars`),
and an experiment ``chaos validate`` would refuse under the drill's environment
(:mod:`.experiment_check`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from entdrill import experiment_vars, textfile, var_files
from entdrill.drill import experiment_check, readiness
from entdrill.errors import InvalidInput
from entdrill.problem import FieldPath, Problem, quote
from entdrill.yaml_safe import YamlDocument


def experiment_problems(
    doc: YamlDocument, file: str, *, base_dir: Path, check_files: bool = True
) -> list[Problem]:
    """Problems with the experiments of ``doc``; ``check_files=False`` tolerates missing files.

    Files that exist are always read and checked, whatever ``check_files`` says.
    """
    problems: list[Problem] = []

    def add(path: FieldPath, sentence: str) -> None:
        problems.append(Problem(file, doc.line_of(path), path, sentence))

    for i, experiment in _items(doc):
        where: FieldPath = ("experiments", i, "path")
        relative = experiment.get("path")
        if not isinstance(relative, str) or not relative.endswith(".json"):
            continue
        path = Path(os.path.normpath(base_dir / relative))
        if not path.exists():
            if check_files:
                add(
                    where,
                    f"{quote(relative)} does not exist (looked for {path}); "
                    "validate with --no-check-files to accept experiments not written yet",
                )
            continue
        try:
            document = json.loads(
                textfile.read_text(path, kind="experiment"), parse_constant=_no_constant
            )
        except InvalidInput as error:
            add(where, f"{quote(relative)}: {str(error).removeprefix(f'{path}: ')}")
            continue
        except (ValueError, RecursionError) as error:
            add(where, f"{quote(relative)} is not a JSON experiment: {error}")
            continue
        if not isinstance(document, dict):
            add(where, f"{quote(relative)} is not a JSON experiment (expected an object)")
            continue
        configuration = document.get("configuration")
        variables = _mapping(experiment.get("vars"))
        if isinstance(configuration, dict):
            for key in variables:
                if key not in configuration:
                    known = ", ".join(sorted(configuration)) or "none"
                    add(
                        ("experiments", i, "vars", key),
                        f"{quote(relative)} has no "
                        f"configuration key {quote(key)}, so it would be ignored; known: {known}",
                    )
        wrong = experiment_vars.problems(document, variables)
        for key, sentence in wrong.items():
            add(("experiments", i, "vars", key), f"{quote(relative)}: {sentence}")
        for field, sentence in _handed_problems(doc, document, variables, i, wrong).items():
            wrong[str(field[-1])] = sentence
            add(field, f"{quote(relative)}: {sentence}")
        refused = experiment_check.chaos_problem(document, variables, _ent_url(doc))
        if refused and not wrong:
            add(where, f"Chaos Toolkit refuses {quote(relative)}: {refused}")
    return problems


def _handed_problems(
    doc: YamlDocument,
    document: dict[str, Any],
    variables: dict[str, Any],
    index: int,
    known: dict[str, str],
) -> dict[FieldPath, str]:
    """What the staging control of ``chaos run`` would refuse in the values the drill hands the
    experiment (the plan's ``vars``, and its ``readiness`` for the keys the experiment declares),
    so ``drill validate`` and the run agree; by the plan field that gave the value."""
    configuration = document.get("configuration")
    if not isinstance(configuration, dict):
        return {}
    handed: dict[FieldPath, tuple[str, Any]] = {}
    section = doc.data.get("readiness") if isinstance(doc.data, dict) else None
    try:
        required = readiness.read(section if isinstance(section, dict) else None)
    except (TypeError, ValueError):
        required = None  # the schema names what is wrong with the section
    for key, name in readiness.KEYS.items():
        value = None if required is None else getattr(required, name)
        if key in configuration and key not in variables and value is not None:
            handed[("readiness", name)] = (key, value)
    for key, value in variables.items():
        if key in configuration and key not in known:
            handed[("experiments", index, "vars", key)] = (key, value)
    found: dict[FieldPath, str] = {}
    for where, (key, value) in handed.items():
        try:
            var_files.check_configuration(document, {key: value}, "the drill", "value for")
        except InvalidInput as error:
            found[where] = str(error).removeprefix("the drill: ")
    return found


def _ent_url(doc: YamlDocument) -> str:
    """The plan's staging ENT URL ("" for the sandbox), as the drill gives it to experiments."""
    target = doc.data.get("target") if isinstance(doc.data, dict) else None
    url = target.get("ent_url") if isinstance(target, dict) else ""
    return url if isinstance(url, str) else ""


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _items(doc: YamlDocument) -> list[tuple[int, dict[str, Any]]]:
    data = doc.data if isinstance(doc.data, dict) else {}
    experiments = data.get("experiments")
    if not isinstance(experiments, list):
        return []
    return [(i, item) for i, item in enumerate(experiments) if isinstance(item, dict)]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
