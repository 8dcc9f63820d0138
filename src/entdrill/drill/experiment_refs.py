"""Experiments a plan names: the file exists, is a JSON experiment, and knows every ``vars`` key.

``chaos run --var key=value`` overrides a configuration key; a key the experiment does not declare
is silently ignored, so a typo in a plan would quietly change nothing. Refuse it here instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from entdrill.drill.problem import FieldPath, Problem, quote
from entdrill.drill.yaml_safe import YamlDocument


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
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            add(where, f"cannot read {quote(relative)}: {error.strerror}")
            continue
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
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
    return problems


def _items(doc: YamlDocument) -> list[tuple[int, dict[str, Any]]]:
    data = doc.data if isinstance(doc.data, dict) else {}
    experiments = data.get("experiments")
    if not isinstance(experiments, list):
        return []
    return [(i, item) for i, item in enumerate(experiments) if isinstance(item, dict)]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
