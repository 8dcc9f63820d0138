"""Every activity module: `chaos discover` lists exactly what it defines, thin and typed."""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

import pytest

import actions


def body_lines(function: object) -> int:
    """Lines of code of an activity, after its signature and docstring (the logic it holds)."""
    source = inspect.getsource(function)  # type: ignore[arg-type]
    body = source.split('"""', 2)[2] if source.count('"""') >= 2 else source
    return sum(1 for line in body.splitlines() if line.strip())


MODULES = [importlib.import_module(m) for m in (*actions.ACTION_MODULES, *actions.PROBE_MODULES)]
DISCOVERED = {(a["mod"], a["name"]) for a in actions.discover()["activities"]}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_discovery_lists_exactly_the_activities_the_module_defines(module: ModuleType) -> None:
    defined = {
        name for name, f in inspect.getmembers(module, inspect.isfunction)
        if f.__module__ == module.__name__ and not name.startswith("_")
    }  # fmt: skip
    assert set(module.__all__) == defined
    assert {n for m, n in DISCOVERED if m == module.__name__} == defined


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_activities_are_thin_documented_and_typed_for_discovery(module: ModuleType) -> None:
    for name in module.__all__:
        function = getattr(module, name)
        assert body_lines(function) <= 30, name
        assert function.__doc__ and function.__doc__.strip().split("\n")[0].endswith("."), name
        parameters = list(inspect.signature(function).parameters.values())
        assert [p.name for p in parameters[-2:]] == ["configuration", "secrets"], name
        for parameter in parameters:
            assert parameter.annotation in (int, float, str, bool, dict, list), name
