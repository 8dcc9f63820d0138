"""Every experiment describes the staging ENT with the same keys, and its title agrees with the
tolerances it is judged by."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from chaoslib.experiment import ensure_experiment_is_valid

from entdrill.staging_keys import KEYS, SECRETS, declaration

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = sorted(
    str(p.relative_to(ROOT))
    for p in (ROOT / "experiments").rglob("*.json")
    if p.name != "staging.example.json"
)
STORMS = [
    p
    for p in EXPERIMENTS
    if json.loads((ROOT / p).read_text())["configuration"].get("storm_duration_s")
]


def load(path: str) -> dict[str, Any]:
    return dict(json.loads((ROOT / path).read_text()))


def test_every_experiment_is_listed() -> None:
    assert len(EXPERIMENTS) == 11 and len(STORMS) == 5


@pytest.mark.parametrize("path", EXPERIMENTS)
def test_every_experiment_declares_every_staging_key_with_its_environment_variable(
    path: str,
) -> None:
    configuration = load(path)["configuration"]
    for key in KEYS:
        declared = configuration[key.name]
        if path.startswith("experiments/k8s/") and key.name == "ent_base_url":
            assert declared == {"type": "env", "key": "ENT_BASE_URL"}  # no sandbox to fall back on
        else:
            assert declared == declaration(key), key.name
    assert load(path)["secrets"] == {"staging": dict.fromkeys(SECRETS, "")}


@pytest.mark.parametrize("path", EXPERIMENTS)
def test_the_example_var_file_retargets_every_experiment(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entdrill.var_files import check

    monkeypatch.setenv("ENT_BASE_URL", "https://ent-staging.example.fr")
    experiment = load(path)
    check(experiment, [str(ROOT / "experiments" / "staging.example.json")], {})
    ensure_experiment_is_valid(experiment)


@pytest.mark.parametrize("path", EXPERIMENTS)
def test_titles_name_only_declared_keys(path: str) -> None:
    experiment = load(path)
    used = set(re.findall(r"\$\{(\w+)\}", experiment["title"]))
    assert used <= set(experiment["configuration"])


@pytest.mark.parametrize("path", STORMS)
def test_a_storm_is_judged_by_the_tolerance_its_title_states(path: str) -> None:
    experiment = load(path)
    assert (
        "${max_failed_login_percent}%" in experiment["title"]
        and "${max_login_p95_s} s" in experiment["title"]
    )
    report = [a for a in experiment["method"] if a["name"] == "login-storm-report"]
    assert len(report) == 1 and experiment["method"][-1] is report[0]
    assert report[0]["provider"]["arguments"]["max_failed_percent"] == "${max_failed_login_percent}"
    assert report[0]["provider"]["arguments"]["max_login_p95_s"] == "${max_login_p95_s}"
    assert report[0]["tolerance"] == {"type": "jsonpath", "path": "$.verdict.held", "expect": True}
    start = [a for a in experiment["method"] if a["provider"]["func"] == "start_login_storm"]
    assert len(start) == 1 and not start[0].get("background")
    configuration = experiment["configuration"]
    if "min_login_success_ratio" in configuration:  # the sample's objective says the same
        assert (
            round(1 - configuration["min_login_success_ratio"], 6)
            == configuration["max_failed_login_percent"] / 100
        )
