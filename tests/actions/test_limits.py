"""The ranges declared next to the activities (``actions/*/limits.py``): every numeric argument
has one, none is stale, and the activities' defaults and the shipped experiments fit them."""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path
from types import ModuleType

import pytest

import actions
from entdrill import experiment_vars
from entdrill.ranges import Limit

REPO = Path(__file__).resolve().parents[2]
PACKAGES = sorted({m.rpartition(".")[0] for m in (*actions.ACTION_MODULES, *actions.PROBE_MODULES)})


def activity_modules(package: str) -> list[ModuleType]:
    names = [m for m in (*actions.ACTION_MODULES, *actions.PROBE_MODULES) if m.startswith(package)]
    if (REPO / package.replace(".", "/") / "tolerances.py").exists():
        names.append(f"{package}.tolerances")
    return [importlib.import_module(name) for name in names]


def parameters(package: str) -> dict[str, inspect.Parameter]:
    """``function.argument`` -> parameter, for every activity of the package."""
    found = {}
    for module in activity_modules(package):
        for name in module.__all__:
            for parameter in inspect.signature(getattr(module, name)).parameters.values():
                if parameter.name not in ("configuration", "secrets", "value"):
                    found[f"{name}.{parameter.name}"] = parameter
    return found


def limit_of(limits: dict[str, Limit], qualified: str) -> Limit | None:
    return limits.get(qualified, limits.get(qualified.split(".", 1)[1]))


@pytest.mark.parametrize("package", PACKAGES)
def test_every_numeric_argument_has_a_declared_range_and_its_default_fits(package: str) -> None:
    limits = importlib.import_module(f"{package}.limits").LIMITS
    for qualified, parameter in parameters(package).items():
        if parameter.annotation in (int, float):
            limit = limit_of(limits, qualified)
            assert limit is not None, f"{package}.limits declares no range for {qualified}"
            assert limit.problem(parameter.default) is None, (qualified, parameter.default)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_declared_range_names_an_argument_that_exists(package: str) -> None:
    limits = importlib.import_module(f"{package}.limits").LIMITS
    known = parameters(package)
    arguments = {q.split(".", 1)[1] for q in known}
    for key in limits:
        assert key in known or key in arguments, f"{package}.limits: {key} is no argument"


@pytest.mark.parametrize(
    "path", sorted((REPO / "experiments").glob("**/*.json")), ids=lambda p: p.name
)
def test_the_shipped_experiments_defaults_fit_their_activities(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    literals = {
        k: v for k, v in document.get("configuration", {}).items() if not isinstance(v, dict)
    }
    assert experiment_vars.problems(document, literals) == {}
