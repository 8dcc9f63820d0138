"""Schedule, blackout and holiday files, read with the drill plans' strict YAML reader.

:func:`entdrill.yaml_safe.read_yaml` refuses aliases, tags, duplicate keys and YAML 1.1's
surprises (``no``, ``12:30`` read as 750), each with its line. On top of it, an unquoted clock
time that YAML happens to keep as text (``at: 07:45``) loads as :class:`UnquotedTime`, which the
schedule's readers refuse too: times are written in quotes, always.
"""

from __future__ import annotations

import re
from typing import Any

from entdrill.calendar.fields import UnquotedTime
from entdrill.errors import InvalidInput
from entdrill.problem import FieldPath, format_path
from entdrill.yaml_safe import Scalar, read_yaml

_TIME = re.compile(r"^[0-9]{1,2}(?::[0-9]{1,2}){1,2}$")


def load_yaml(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """The document in ``text`` and ``{field path: line}``; ``InvalidInput`` names ``source:line``."""
    doc = read_yaml(text)
    if doc.problems:
        located = [
            f"{source}:{p.line}: {format_path(p.path) if p.path else 'document'}: {p.message}"
            for p in doc.problems
        ]
        raise InvalidInput("\n".join(located))
    mark_unquoted_times(doc.data, doc.scalars)
    return doc.data, {format_path(path): line for path, line in doc.lines.items() if path}


def mark_unquoted_times(data: Any, scalars: dict[FieldPath, Scalar], root: FieldPath = ()) -> Any:
    """``data`` (the document at ``root``) with each clock time written without quotes replaced,
    in place, by :class:`UnquotedTime`, so the schedule's readers refuse it."""
    for path, scalar in scalars.items():
        if path[: len(root)] == root and scalar.plain and _TIME.match(scalar.text):
            _replace(data, path[len(root) :], UnquotedTime(scalar.text))
    return data


def _replace(data: Any, path: FieldPath, value: Any) -> None:
    if not path:
        return
    *parents, last = path
    try:
        for part in parents:
            data = data[part]
        data[last] = value
    except (KeyError, IndexError, TypeError):
        return  # a path the strict reader refused: no value there to mark
