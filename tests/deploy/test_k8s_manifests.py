"""The staging ENT's Kubernetes manifests: valid against the Kubernetes schemas, offline, and
labelled the way experiments/k8s/ selects them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30.0"


def staging_files() -> list[Path]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [K8S / name for name in kustomization["resources"]]


def documents() -> list[dict[str, Any]]:
    return [doc for path in staging_files() for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents() if d["kind"] == kind}


@pytest.mark.parametrize("path", staging_files(), ids=lambda p: p.name)
def test_every_staging_manifest_is_valid_against_the_kubernetes_schema(path: Path) -> None:
    for document in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_validator_does_catch_a_mistake() -> None:
    deployment = copy.deepcopy(by_kind("Deployment")["ent"])
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    deployment = copy.deepcopy(by_kind("Deployment")["ent"])
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy2"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_lists_every_staging_manifest_and_nothing_else() -> None:
    listed = {p.name for p in staging_files()}
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    others = {p for p in present if p == "flood-job.yaml" or "cron" in p}  # owned by other work
    assert listed == present - others


def test_the_ent_has_two_replicas_spread_and_a_disruption_budget_that_keeps_one() -> None:
    ent = by_kind("Deployment")["ent"]
    assert ent["spec"]["replicas"] >= 2
    selector = ent["spec"]["selector"]["matchLabels"]
    assert selector.items() <= ent["spec"]["template"]["metadata"]["labels"].items()
    pdb = by_kind("PodDisruptionBudget")["ent"]
    assert pdb["spec"]["minAvailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"] == selector
    assert by_kind("Service")["ent"]["spec"]["selector"] == selector


def test_bridges_session_store_and_services_are_all_there_in_one_namespace() -> None:
    deployments, services = by_kind("Deployment"), by_kind("Service")
    assert {"ent", "bridge", "backup-bridge"} <= deployments.keys()
    assert {"ent", "bridge", "backup-bridge", "session-store"} <= services.keys()
    assert "session-store" in by_kind("StatefulSet")
    namespaces = {d["metadata"].get("namespace") for d in documents() if d["kind"] != "Namespace"}
    assert namespaces == {"entdrill-staging"} == set(by_kind("Namespace"))


def _selector_labels(selector: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in selector.split(","))


def test_the_kubernetes_experiments_select_what_the_manifests_label() -> None:
    experiments = ROOT / "experiments" / "k8s"
    pod_loss = json.loads((experiments / "pod_loss.json").read_text())
    (terminate,) = [a for a in pod_loss["method"] if a["provider"]["func"] == "terminate_pods"]
    wanted = _selector_labels(terminate["provider"]["arguments"]["label_selector"])
    ent_pods = by_kind("Deployment")["ent"]["spec"]["template"]["metadata"]["labels"]
    assert wanted.items() <= ent_pods.items()
    scaled = json.loads((experiments / "bridge_scaled_to_zero.json").read_text())
    assert scaled["configuration"]["bridge_deployment"] in by_kind("Deployment")
    latency = json.loads((experiments / "bridge_latency.json").read_text())
    (delay,) = [a for a in latency["method"] if a["provider"]["func"] == "create_custom_object"]
    chaos = delay["provider"]["arguments"]["resource"]
    bridge_pods = by_kind("Deployment")["bridge"]["spec"]["template"]["metadata"]["labels"]
    assert chaos["spec"]["selector"]["labelSelectors"].items() <= bridge_pods.items()
    backup_pods = by_kind("Deployment")["backup-bridge"]["spec"]["template"]["metadata"]["labels"]
    assert not chaos["spec"]["selector"]["labelSelectors"].items() <= backup_pods.items()
    assert chaos["spec"]["duration"]  # lifted by Chaos Mesh even if `chaos` is killed
