"""A plan's ``vars`` checked against what the experiment does with each configuration key.

``chaos run --var`` replaces a configuration key's value, which Chaos Toolkit then substitutes
wherever the experiment writes ``${key}``: an activity's argument (typed, when the argument is
the placeholder alone), a pause (seconds), or inside a longer text. Nothing checks the value on
the way: a negative multiplier, a duration of a year or a list where a number belongs reach the
activity, or the storm, as they are. So for each value:

- every **activity argument** the key feeds: the type annotated on the function's parameter, and
  the range the activity's package declares for it (``actions/<package>/limits.py``: ``LIMITS``
  keyed by ``function.argument`` or ``argument``), found by reading the experiment, so a key
  added to an experiment is covered without a list to maintain here;
- every **pause** it feeds: a number of seconds in :data:`PAUSE`;
- every **text** it is written into: a plain value (text or a number);
- the key's **declared type** in the experiment's configuration (the type of its default, or
  ``env_var_type`` for a key read from the environment), for keys used nowhere else.
"""

from __future__ import annotations

import importlib
import inspect
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from entdrill.ranges import DAY, Limit, Number

#: A pause (``"pauses": {"before": "${key}"}``): seconds, within a day.
PAUSE = Number(0, DAY, unit="seconds")
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_ACTIVITY_LISTS = ("method", "rollbacks")


@dataclass(frozen=True)
class Use:
    """One place an experiment uses a configuration key."""

    kind: str  # "argument", "pause" or "text"
    where: str  # how a sentence names it
    whole: bool = True  # the placeholder alone (typed) rather than inside a longer text
    module: str = ""
    func: str = ""
    argument: str = ""


def uses(document: dict[str, Any]) -> dict[str, list[Use]]:
    """Every use of every configuration key in the experiment ``document``, by key."""
    found: dict[str, list[Use]] = {}
    for activity in _activities(document):
        name = str(activity.get("name", "?"))
        for key, use in _activity_uses(activity, name):
            found.setdefault(key, []).append(use)
    return found


def problems(document: dict[str, Any], variables: dict[str, Any]) -> dict[str, str]:
    """What is wrong with each of ``variables`` for this experiment, by key (none: fine)."""
    configuration = document.get("configuration")
    configuration = configuration if isinstance(configuration, dict) else {}
    by_key = uses(document)
    found: dict[str, str] = {}
    for key, value in variables.items():
        if key not in configuration:
            continue  # reported as an unknown key
        problem = _value_problem(value, configuration[key], by_key.get(key, []))
        if problem:
            found[key] = problem
    return found


def _value_problem(value: Any, declared: Any, places: list[Use]) -> str | None:
    for use in places:
        problem = _use_problem(value, use)
        if problem:
            return problem
    if not places or all(not use.whole for use in places):
        return _declared_problem(value, declared)
    return None


def _use_problem(value: Any, use: Use) -> str | None:
    if not use.whole or use.kind == "text":
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return None
        return f"it is written into {use.where}, which expects text or a number, got {value!r}"
    if use.kind == "pause":
        problem = PAUSE.problem(value)
        return f"{use.where}: {problem}" if problem else None
    annotation, limit = _parameter(use)
    if annotation is not None and not fits(value, annotation):
        return (
            f"{use.where} expects {_type_name(annotation)}, got {value!r} "
            f"({_type_name(type(value))})"
        )
    if limit is not None:
        problem = limit.problem(value)
        if problem:
            return f"{use.where}: {problem}"
    return None


def _declared_problem(value: Any, declared: Any) -> str | None:
    """``value`` against the key's declared type: its default's, or its ``env_var_type``."""
    if isinstance(declared, dict) and declared.get("type") == "env":
        wanted = {"int": int, "float": float, "bool": bool, "str": str}.get(
            str(declared.get("env_var_type", ""))
        )
        if wanted is None:
            default = declared.get("default")
            wanted = type(default) if default is not None else str
    elif isinstance(declared, bool | int | float | str | list | dict):
        wanted = float if type(declared) in (int, float) else type(declared)
    else:
        return None
    if fits(value, wanted):
        return None
    return (
        f"the experiment declares it as {_type_name(wanted)}, got {value!r} "
        f"({_type_name(type(value))})"
    )


def fits(value: Any, annotation: Any) -> bool:
    """Whether a JSON ``value`` can be given for a parameter annotated ``annotation``."""
    if annotation is float:
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation in (str, bool, list, dict):
        return isinstance(value, annotation)
    return True  # typing constructs, Any, no annotation: the activity decides


def _parameter(use: Use) -> tuple[Any, Limit | None]:
    """The annotation of the parameter ``use`` feeds, and its declared limit."""
    try:
        module = importlib.import_module(use.module)
        parameter = inspect.signature(getattr(module, use.func)).parameters.get(use.argument)
    except (ImportError, AttributeError, TypeError, ValueError):
        return None, None  # Chaos Toolkit's own validation names what is missing
    annotation = None if parameter is None else parameter.annotation
    if annotation is inspect.Parameter.empty:
        annotation = None
    return annotation, _limit(use)


def _limit(use: Use) -> Limit | None:
    package = use.module.rpartition(".")[0]
    try:
        limits = getattr(importlib.import_module(f"{package}.limits"), "LIMITS", {})
    except ImportError:
        return None
    limit = limits.get(f"{use.func}.{use.argument}", limits.get(use.argument))
    return limit if isinstance(limit, Limit) else None


def _activities(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    hypothesis = document.get("steady-state-hypothesis")
    lists: list[Any] = [hypothesis.get("probes")] if isinstance(hypothesis, dict) else []
    lists += [document.get(name) for name in _ACTIVITY_LISTS]
    for items in lists:
        for activity in items if isinstance(items, list) else []:
            if isinstance(activity, dict):
                yield activity
                tolerance = activity.get("tolerance")
                if isinstance(tolerance, dict) and isinstance(tolerance.get("provider"), dict):
                    yield {**tolerance, "name": f"{activity.get('name', '?')} (tolerance)"}


def _activity_uses(activity: dict[str, Any], name: str) -> Iterator[tuple[str, Use]]:
    provider = activity.get("provider")
    provider = provider if isinstance(provider, dict) else {}
    arguments = provider.get("arguments")
    python = provider.get("type") == "python"
    for argument, value in (arguments if isinstance(arguments, dict) else {}).items():
        for key, whole in _placeholders(value):
            where = f"the argument {argument} of {provider.get('func', '?')} ({name})"
            if python and whole is True:
                yield (
                    key,
                    Use(
                        "argument",
                        where,
                        module=str(provider.get("module", "")),
                        func=str(provider.get("func", "")),
                        argument=str(argument),
                    ),
                )
            else:
                yield key, Use("text", where, whole=False)
    pauses = activity.get("pauses")
    for moment, value in (pauses if isinstance(pauses, dict) else {}).items():
        for key, whole in _placeholders(value):
            yield key, Use("pause", f"the pause {moment} {name}", whole=whole is True)


def _placeholders(value: Any) -> Iterator[tuple[str, bool | None]]:
    """Each ``${key}`` in ``value`` (nested too): whether it is the whole string (typed)."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            yield whole.group(1), True
            return
        for match in _PLACEHOLDER.finditer(value):
            yield match.group(1), False
    elif isinstance(value, dict):
        for item in value.values():
            for key, _ in _placeholders(item):
                yield key, None  # nested in a structure: substituted, typed, not checked
    elif isinstance(value, list):
        for item in value:
            for key, _ in _placeholders(item):
                yield key, None


def _type_name(kind: Any) -> str:
    names = {
        int: "a whole number",
        float: "a number",
        str: "text",
        bool: "true or false",
        list: "a list",
        dict: "a mapping",
        type(None): "nothing (null)",
    }
    return names.get(kind, getattr(kind, "__name__", str(kind)))
