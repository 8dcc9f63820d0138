"""The fault experiments are valid Chaos Toolkit experiments that cannot leave a fault behind."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
from chaoslib.experiment import ensure_experiment_is_valid

from entdrill.faults.watch import is_fault_action

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = [
    "experiments/server_loss.json",
    "experiments/session_store_loss.json",
    "experiments/video_bridge_outage.json",
    "experiments/video_bridge_degraded.json",
    "experiments/k8s/pod_loss.json",
    "experiments/k8s/bridge_scaled_to_zero.json",
    "experiments/k8s/bridge_latency.json",
]
K8S_ENV = {
    "ENT_BASE_URL": "https://ent.staging.example.invalid",
    "BRIDGE_URL": "https://bridge.staging.example.invalid/bigbluebutton/api",
    "BRIDGE_SECRET": "not-a-real-secret",
    "BACKUP_BRIDGE_URL": "https://backup.staging.example.invalid/bigbluebutton/api",
    "BACKUP_BRIDGE_SECRET": "not-a-real-secret-either",
    "ENTDRILL_PROBE_USERNAME": "probe.pupil",
    "ENTDRILL_PROBE_PASSWORD": "not-a-password",
}


def load(path: str) -> dict[str, Any]:
    return dict(json.loads((ROOT / path).read_text()))


def activities(experiment: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(experiment.get("steady-state-hypothesis", {}).get("probes", []))
    return found + experiment.get("method", []) + experiment.get("rollbacks", [])


@pytest.mark.parametrize("path", EXPERIMENTS)
def test_chaos_validate_accepts_the_experiment(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    experiment = load(path)
    for key, value in K8S_ENV.items():
        monkeypatch.setenv(key, value)
    ensure_experiment_is_valid(experiment)


@pytest.mark.parametrize("path", EXPERIMENTS)
def test_every_experiment_declares_the_staging_control_and_always_rolls_back(path: str) -> None:
    experiment = load(path)
    modules = [c["provider"]["module"] for c in experiment["controls"]]
    assert "actions.controls.staging" in modules
    assert (
        importlib.util.find_spec("actions.controls.staging") is not None
    )  # a typo is only a warning
    assert experiment["runtime"]["rollbacks"]["strategy"] == "always"


@pytest.mark.parametrize("path", EXPERIMENTS)
def test_every_variable_used_is_a_configuration_key_or_a_secret(path: str) -> None:
    experiment = load(path)
    text = json.dumps({k: v for k, v in experiment.items() if k != "configuration"})
    used = set(re.findall(r"\$\{(\w+)\}", text))
    declared = set(experiment["configuration"])
    for group in experiment.get("secrets", {}).values():
        declared |= set(group)
    assert used <= declared, f"undeclared: {sorted(used - declared)}"


@pytest.mark.parametrize("path", EXPERIMENTS)
def test_faults_are_injected_in_the_foreground_and_rolled_back(path: str) -> None:
    experiment = load(path)
    faults = [a for a in experiment["method"] if is_fault_action(a)]
    assert faults, "an experiment of this issue injects at least one fault"
    assert not any(a.get("background") for a in faults)
    undoing = [a for a in experiment["rollbacks"] if a["type"] == "action"]
    fault_modules = {a["provider"]["module"] for a in faults}
    if fault_modules & {"actions.servers.actions", "actions.video.actions"} and not any(
        a["provider"]["func"] == "lose_session_store" for a in faults
    ):
        assert any(a["provider"]["module"] in fault_modules for a in undoing)


@pytest.mark.parametrize("path", EXPERIMENTS)
def test_waits_come_before_activities_so_ctrl_c_is_not_held_up(path: str) -> None:
    """chaoslib sleeps an activity's `pauses.after` in a `finally`: a Ctrl-C during the activity
    waits the whole pause before the run stops. `pauses.before` is interrupted at once."""
    for activity in activities(load(path)):
        assert "after" not in activity.get("pauses", {}), activity["name"]


def test_the_outage_length_is_a_configuration_key() -> None:
    outage = load("experiments/video_bridge_outage.json")
    assert outage["configuration"]["bridge_outage_s"] > 0
    assert "${bridge_outage_s}" in json.dumps(outage["method"])
