"""YAML documents read strictly: safe loader, no aliases, no duplicate keys, lines of each field.

PyYAML's ``safe_load`` silently keeps the last of two duplicate keys and expands aliases on use;
a schedule or holiday file refuses both. An unquoted clock time (``at: 7:45``, read by YAML 1.1
as the integer 465, or ``at: 07:45``, read as text) loads as :class:`UnquotedTime`, which the
schedule's readers refuse: times are written in quotes, always. The line of every field path (``schedule.at``,
``blackouts[2].until``) is kept so problems can say ``file:line: field: what is wrong``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from entdrill.calendar.fields import UnquotedTime
from entdrill.errors import InvalidInput

_TIME_TAG = "tag:entdrill,2027:unquoted-time"
_TIME = re.compile(r"^[0-9]{1,2}(?::[0-9]{1,2}){1,2}$")


class StrictLoader(yaml.SafeLoader):
    """The safe loader, with unquoted clock times loaded as :class:`UnquotedTime`."""


def _construct_time(loader: yaml.SafeLoader, node: yaml.Node) -> UnquotedTime:
    assert isinstance(node, yaml.ScalarNode)
    return UnquotedTime(node.value)


StrictLoader.add_implicit_resolver(_TIME_TAG, _TIME, list("0123456789"))
for _first in "0123456789":
    # Ahead of YAML 1.1's sexagesimal integers, which would otherwise claim "7:45".
    _resolvers = StrictLoader.yaml_implicit_resolvers[_first]
    _resolvers.insert(0, _resolvers.pop())
StrictLoader.add_constructor(_TIME_TAG, _construct_time)


def load_yaml(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """The document in ``text`` and ``{field path: line}``; ``InvalidInput`` names ``source:line``."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise InvalidInput(
                    "YAML aliases (*name) are not allowed here; write the value out",
                    where=f"{source}:{line}",
                )
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        lines: dict[str, int] = {}
        if root is not None:
            _walk(root, "", lines, source)
        loader = StrictLoader(text)
        try:
            return loader.get_single_data(), lines
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise InvalidInput(f"not valid YAML: {problem}", where=f"{source}{at}") from None


def _walk(node: yaml.Node, path: str, lines: dict[str, int], source: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key in seen:
                raise InvalidInput(
                    f"{child}: duplicate key (YAML would keep only the last one)",
                    where=f"{source}:{key_node.start_mark.line + 1}",
                )
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = f"{path}[{index}]"
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines, source)
