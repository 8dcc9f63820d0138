"""Experiments a plan names: the file exists, is a JSON experiment Chaos Toolkit accepts, and
knows every ``vars`` key, each with a value its uses accept.

``chaos run --var key=value`` overrides a configuration key; a key the experiment does not declare
is silently ignored, so a typo in a plan would quietly change nothing. Refuse it here instead, and
a value of the wrong type or out of the range the activity declares (:mod:`.experiment_vars`),
and an experiment ``chaos validate`` would refuse under the drill's environment
(:mod:`.experiment_check`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from entdrill import textfile
from entdrill.drill import experiment_check, experiment_vars
from entdrill.drill.problem import FieldPath, Problem, quote
from entdrill.drill.yaml_safe import YamlDocument
from entdrill.errors import InvalidInput


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
        refused = experiment_check.chaos_problem(document, variables, _ent_url(doc))
        if refused and not wrong:
            add(where, f"Chaos Toolkit refuses {quote(relative)}: {refused}")
    return problems


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
