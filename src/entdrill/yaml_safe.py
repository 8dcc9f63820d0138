"""Read a YAML document strictly, keeping what the author wrote and where.

PyYAML's ``safe_load`` is safe against code execution but not against mistakes: duplicate keys
are silently overwritten, aliases expand (a few hundred bytes can become gigabytes once dumped to
JSON), and YAML 1.1 reads ``no`` as false, ``on`` as true and ``12:30`` as the number 750.

``read_yaml`` composes the node tree under a ``SafeLoader`` subclass and builds plain JSON values
from it itself, so that it can refuse, each with its line and a sentence:

- anchors and aliases (nothing ever expands), explicit tags (``!!python/...``, ``!tag``, ``!!str``)
  and merge keys;
- duplicate keys, and keys that are not text (``on:`` is the boolean true);
- unquoted ``yes``/``no``/``on``/``off``/``y``/``n`` (write ``true``/``false``, or quote the text),
  unquoted base-60 numbers (``12:30``) and leading-zero octal numbers (``0755``), and ``.nan``/``.inf``.

Dates and timestamps are kept as the text written. Every node's line and every scalar's source
(text, resolved tag, plain or quoted) are remembered by field path, so later checks can say
``1.10 without quotes is read as the number 1.1`` where text was expected.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from entdrill.problem import FieldPath, format_path

MAX_BYTES = 1_048_576  # a plan is a page or two; anything far larger is a mistake or an attack

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"
YAML_TAG_PREFIX = "tag:yaml.org,2002:"

_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")


@dataclass(frozen=True)
class Scalar:
    """A scalar as written: its source text, the tag YAML resolved, and whether it was plain."""

    text: str
    tag: str
    plain: bool
    line: int


@dataclass(frozen=True)
class YamlProblem:
    """Something refused while reading, located by line and field path."""

    line: int
    path: FieldPath
    message: str


@dataclass
class YamlDocument:
    """The document's data (JSON values) with where everything came from."""

    data: Any = None
    lines: dict[FieldPath, int] = field(default_factory=dict)
    scalars: dict[FieldPath, Scalar] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)
    source_lines: list[str] = field(default_factory=list)

    def line_of(self, path: FieldPath) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def source_line(self, line: int) -> str:
        return self.source_lines[line - 1] if 0 < line <= len(self.source_lines) else ""


class StrictLoader(yaml.SafeLoader):
    """A ``SafeLoader`` that composes nodes only, refusing anchors, aliases and explicit tags.

    Refusals do not stop composing: the refused node is remembered (``refusals``) and reported
    with its field path when the values are built, so one reading reports every problem.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        # id(node) -> (sentence, whether the node's content is still read)
        self.refusals: dict[int, tuple[str, bool]] = {}

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()  # type: ignore[no-untyped-call]
            node: Node | None = ScalarNode(NULL_TAG, "", event.start_mark, event.end_mark)
            self.refusals[id(node)] = (
                f"alias *{event.anchor} is not allowed in a plan (aliases repeat content and can "
                "expand without bound): write the value out in full",
                False,
            )
            return node
        event = self.peek_event()  # type: ignore[no-untyped-call]
        reasons: list[str] = []
        if event.anchor is not None:
            reasons.append(
                f"anchor &{event.anchor} is not allowed in a plan: write each value out in full"
            )
            event.anchor = None
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = (
                "!!" + tag.removeprefix(YAML_TAG_PREFIX) if tag.startswith(YAML_TAG_PREFIX) else tag
            )
            reasons.append(
                f"the tag {shown} is not allowed in a plan: remove it "
                "(quote the value if you meant text)"
            )
            event.tag = None
        node = super().compose_node(parent, index)
        if reasons:
            self.refusals[id(node)] = ("; ".join(reasons), tag is None)
        return node


def read_yaml(text: str) -> YamlDocument:
    """Read ``text`` (one YAML document) into a ``YamlDocument``; never raises for bad input."""
    doc = YamlDocument(source_lines=text.splitlines())
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        doc.problems.append(
            YamlProblem(1, (), f"the file is larger than {MAX_BYTES // 1024} KiB; a plan is not")
        )
        return doc
    try:
        loader = StrictLoader(text)
    except yaml.YAMLError as error:  # the reader refuses control characters before parsing
        doc.problems.append(YamlProblem(1, (), f"not a YAML text: {error}"))
        return doc
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = error.problem or error.context or "unreadable YAML"
        doc.problems.append(YamlProblem(line, (), f"YAML syntax error: {what}"))
        return doc
    except yaml.YAMLError as error:
        doc.problems.append(YamlProblem(1, (), f"YAML syntax error: {error}"))
        return doc
    except RecursionError:
        doc.problems.append(YamlProblem(1, (), "the document is nested too deeply"))
        return doc
    finally:
        loader.dispose()
    if root is None:
        doc.problems.append(YamlProblem(1, (), "the file is empty; expected a plan (a mapping)"))
        return doc
    builder = _Builder(doc, loader)
    try:
        doc.data = builder.value(root, ())
    except RecursionError:
        doc.problems.append(YamlProblem(1, (), "the document is nested too deeply"))
    return doc


class _Builder:
    """Builds JSON values from nodes, recording lines, scalars and problems by field path."""

    def __init__(self, doc: YamlDocument, loader: StrictLoader) -> None:
        self.doc = doc
        self.loader = loader

    def refuse(self, node: Node, path: FieldPath, message: str) -> None:
        self.doc.problems.append(YamlProblem(node.start_mark.line + 1, path, message))

    def value(self, node: Node, path: FieldPath) -> Any:
        self.doc.lines[path] = node.start_mark.line + 1
        refusal = self.loader.refusals.get(id(node))
        if refusal is not None:
            self.refuse(node, path, refusal[0])
            if not refusal[1]:
                return None
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self.scalar(node, path)

    def mapping(self, node: MappingNode, path: FieldPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, path)
            if key is None:
                continue
            line = key_node.start_mark.line + 1
            if key in first_line:
                self.refuse(
                    key_node,
                    (*path, key),
                    f"the key {key!r} appears twice (first on line {first_line[key]}); a YAML "
                    "reader would silently keep only the last one: remove one of them",
                )
                continue
            first_line[key] = line
            result[key] = self.value(value_node, (*path, key))
            self.doc.lines[(*path, key)] = line
        return result

    def key(self, node: Node, path: FieldPath) -> str | None:
        where = format_path(path)
        if isinstance(node, ScalarNode):
            path = (*path, str(node.value))
        refusal = self.loader.refusals.get(id(node))
        if refusal is not None:
            self.refuse(node, path, refusal[0])
            return None
        if not isinstance(node, ScalarNode):
            self.refuse(node, path, f"a key in {where} is a list or mapping; keys must be text")
            return None
        if node.tag == MERGE_TAG:
            self.refuse(node, path, "merge keys (<<) are not allowed in a plan: write keys out")
            return None
        if node.tag not in (STR_TAG, TIMESTAMP_TAG):
            value = self.loader.construct_object(node)
            self.refuse(
                node,
                path,
                f"the key {node.value} without quotes is read as {_describe_scalar(value)}; "
                f'keys must be text: write "{node.value}" in quotes',
            )
            return None
        return str(node.value)

    def scalar(self, node: ScalarNode, path: FieldPath) -> Any:
        text, tag, plain = node.value, node.tag, node.style is None
        self.doc.scalars[path] = Scalar(text, tag, plain, node.start_mark.line + 1)
        if tag in (STR_TAG, TIMESTAMP_TAG):
            return text
        if tag not in (NULL_TAG, BOOL_TAG, INT_TAG, FLOAT_TAG):
            return text
        value = self.loader.construct_object(node)
        problem = _ambiguity(text, tag, value) if plain else None
        if problem:
            self.refuse(node, path, problem)
        return value


def _ambiguity(text: str, tag: str, value: Any) -> str | None:
    """Why an unquoted scalar does not mean what it seems to, or None."""
    if tag == BOOL_TAG and text.lower() not in ("true", "false"):
        return (
            f"{text} without quotes is read as the boolean {str(value).lower()} by YAML 1.1: "
            f'write "{text}" in quotes if you mean the text, or {str(value).lower()} for a boolean'
        )
    if tag in (INT_TAG, FLOAT_TAG) and ":" in text:
        return (
            f"{text} without quotes is read as the number {value} (YAML 1.1 base 60): "
            f'write "{text}" in quotes'
        )
    if tag == INT_TAG and _OCTAL.match(text):
        return (
            f"{text} without quotes is read as the octal number {value}: write "
            f'"{text}" in quotes for text, or drop the leading zero for a number'
        )
    if tag == FLOAT_TAG and not math.isfinite(value):
        return f"{text} is not a finite number; write an ordinary number"
    return None


def _describe_scalar(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    return f"the number {value!r}"
