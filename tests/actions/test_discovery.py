"""Every activity module: `chaos discover` lists exactly what it defines, thin and typed."""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from chaoslib.discovery.discover import portable_type_name

import actions
import entdrill


def body_lines(function: object) -> int:
    """Lines of code of an activity, after its signature and docstring (the logic it holds)."""
    source = inspect.getsource(function)  # type: ignore[arg-type]
    body = source.split('"""', 2)[2] if source.count('"""') >= 2 else source
    return sum(1 for line in body.splitlines() if line.strip())


# what chaos discover writes for int, float, str, bool, dict (and typing.Dict[...]), list
PLAIN_TYPES = {"integer", "number", "string", "boolean", "mapping", "list"}
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
            assert portable_type_name(parameter.annotation) in PLAIN_TYPES, (name, parameter)


def test_discovery_names_every_argument_and_result_type() -> None:
    """No activity argument nor result is reported as "object" (what `X | None` would give)."""
    for activity in actions.discover()["activities"]:
        arguments = {a["name"]: a["type"] for a in activity["arguments"]}
        assert set(arguments.values()) <= PLAIN_TYPES, activity["name"]
        assert arguments["configuration"] == arguments["secrets"] == "mapping", activity["name"]
        assert activity["return_type"] in PLAIN_TYPES, activity["name"]


def test_chaos_discover_entdrill_reports_the_extension_as_entdrill(tmp_path: Path) -> None:
    """`chaos discover entdrill` (the distribution's name) writes the extension as `entdrill`."""
    chaos = Path(sys.executable).with_name("chaos")
    done = subprocess.run(
        # --no-install: the package is installed already; chaos would otherwise `pip install -U`
        [str(chaos), "discover", "entdrill", "--no-system-info", "--no-install"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    discovery = json.loads((tmp_path / "discovery.json").read_text(encoding="utf-8"))
    assert discovery["extension"] == {"name": "entdrill", "version": entdrill.__version__}
    assert {(a["mod"], a["name"]) for a in discovery["activities"]} == DISCOVERED
    assert discovery["system"] is None
