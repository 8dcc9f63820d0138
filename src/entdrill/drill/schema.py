"""The drill plan's JSON Schema (``plan.schema.json``) and its errors as located sentences.

The schema is draft 2020-12 and ships in the package. ``schema_problems`` collects **every**
error (``iter_errors``), turns each into a sentence with the field path and the line it came from,
and says "write it in quotes" where YAML read an unquoted value as something else (``1.10`` as the
number 1.1, ``+33760000262`` as a number, ``#continuite`` as a comment).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from entdrill.problem import FieldPath, Problem, describe, quote
from entdrill.yaml_safe import STR_TAG, TIMESTAMP_TAG, YamlDocument

SCHEMA_FILE = "plan.schema.json"

#: Keys someone might add to get rid of the drill label; the label is not negotiable.
LABEL_KEYS = frozenset({"label", "drill_label", "no_label", "without_label", "hide_label"})

_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "nothing",
}


@cache
def plan_schema() -> dict[str, Any]:
    """The plan schema, read from the package."""
    text = resources.files("entdrill.drill").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    schema = plan_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_problems(
    doc: YamlDocument, file: str, *, skip: Iterable[FieldPath] = ()
) -> list[Problem]:
    """Every schema error in ``doc`` as a ``Problem``, except those at or under ``skip`` paths."""
    skipped = tuple(skip)
    problems: list[Problem] = []
    for error in _validator().iter_errors(doc.data):
        for path, message in _sentences(error, doc):
            if any(path[: len(s)] == s for s in skipped):
                continue
            problems.append(Problem(file, doc.line_of(path), path, message))
    return problems


def _sentences(error: ValidationError, doc: YamlDocument) -> Iterator[tuple[FieldPath, str]]:
    """One or more (field path, sentence) for a jsonschema error."""
    path: FieldPath = tuple(error.absolute_path)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    expected = _expected(schema)
    instance = error.instance

    if "propertyNames" in error.absolute_schema_path and isinstance(instance, str):
        yield (*path, instance), f"{quote(instance)} is not allowed here; expected {expected}"
    elif kind == "required" and isinstance(instance, dict):
        for name in _names(error.validator_value):
            if name not in instance:
                yield (*path, name), "is missing; it is required here"
    elif kind == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        for key in instance:
            if key not in allowed:
                yield (*path, key), _unknown_key(key, allowed)
    elif kind == "type":
        yield path, _type_sentence(path, instance, expected, schema, doc)
    elif kind in ("enum", "const"):
        yield path, f"{describe(instance)} is not allowed here; expected {expected}"
    elif kind == "pattern":
        yield path, f"{describe(instance)} is not {expected}"
    elif kind in ("minimum", "exclusiveMinimum"):
        yield path, f"{describe(instance)} is too small; expected {expected}"
    elif kind in ("maximum", "exclusiveMaximum"):
        yield path, f"{describe(instance)} is too large; expected {expected}"
    elif kind in ("minItems", "minProperties"):
        yield path, f"needs at least {error.validator_value} entry; expected {expected}"
    elif kind == "minLength":
        yield path, "is empty; expected some text"
    elif kind == "uniqueItems" and isinstance(instance, list):
        repeated = sorted({json.dumps(v) for v in instance if instance.count(v) > 1})
        yield path, f"lists {', '.join(repeated)} more than once; list each once"
    else:
        yield path, error.message


def _names(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _unknown_key(key: str, allowed: list[str]) -> str:
    if key in LABEL_KEYS:
        return (
            'the drill label "EXERCICE / DRILL" is added to every message and cannot be '
            "changed or removed by a plan: remove this key"
        )
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f"is not a known field here{hint}; expected one of: {', '.join(allowed)}"


def _type_sentence(
    path: FieldPath, instance: Any, expected: str, schema: dict[str, Any], doc: YamlDocument
) -> str:
    types = schema.get("type")
    wanted = set(types) if isinstance(types, list) else {types}
    scalar = doc.scalars.get(path)
    if scalar is not None and scalar.plain and "string" in wanted:
        if instance is None and scalar.text == "":
            hint = ""
            if "#" in doc.source_line(scalar.line):
                hint = " (an unquoted # starts a comment in YAML: put the value in quotes)"
            return f"has no value{hint}; expected {expected}"
        pattern = schema.get("pattern")
        fits = not isinstance(pattern, str) or re.search(pattern, scalar.text) is not None
        if scalar.tag not in (STR_TAG, TIMESTAMP_TAG) and fits:
            return (
                f"{scalar.text} without quotes is read as {describe(instance)}; "
                f'write "{scalar.text}" in quotes (expected {expected})'
            )
    return f"expected {expected}, got {describe(instance)}"


def _expected(schema: dict[str, Any]) -> str:
    description = schema.get("description")
    if isinstance(description, str):
        return description
    types = schema.get("type")
    if isinstance(types, str):
        return _TYPE_WORDS.get(types, types)
    if isinstance(types, list):
        return " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in types)
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    return "a valid value"
