"""Scaling a Kubernetes Deployment as a recorded fault, scaled back by recovery.

The cluster is faked twice: in memory (``MemoryDeployments``), and at the client seam by a
loopback HTTP server speaking the ``/scale`` subresource, reached through the same Kubernetes
client and configuration chaostoolkit-kubernetes uses.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from actions.servers import actions as server_actions
from entdrill.cli import cli
from entdrill.errors import FaultError, InvalidArgument
from entdrill.faults import k8s
from entdrill.faults.ledger import Ledger
from entdrill.faults.recovery import recover
from entdrill.faults.undo import OPERATIONS, K8sScale

NS = "entdrill-staging"


def test_a_scale_is_recorded_with_the_count_it_had_and_recovery_puts_it_back() -> None:
    cluster = k8s.MemoryDeployments({(NS, "bridge"): 2})
    ledger = Ledger()
    done = k8s.scale_deployment("bridge", 0, NS, ledger=ledger, deployments=cluster)
    assert (done["before"], done["after"]) == (2, 0)
    (entry,) = ledger.open_entries()
    assert entry.undo == {"op": "k8s_scale", "namespace": NS, "name": "bridge", "replicas": 2,
                          "context": ""}  # fmt: skip
    report = recover(ledger, operations={**OPERATIONS, "k8s_scale": K8sScale(cluster)})
    assert report.ok and cluster.counts[(NS, "bridge")] == 2
    assert "scaled deployment entdrill-staging/bridge back to 2" in report.reverted[0]["how"]


def test_restore_deployment_reverts_only_that_deployment() -> None:
    cluster = k8s.MemoryDeployments({(NS, "bridge"): 1, (NS, "ent"): 3})
    ledger = Ledger()
    k8s.scale_deployment("bridge", 0, NS, ledger=ledger, deployments=cluster)
    k8s.scale_deployment("ent", 1, NS, ledger=ledger, deployments=cluster)
    restored = k8s.restore_deployment("bridge", NS, ledger=ledger, deployments=cluster)
    assert len(restored["reverted"]) == 1
    assert cluster.counts == {(NS, "bridge"): 1, (NS, "ent"): 1}
    assert [e.target["deployment"] for e in ledger.open_entries()] == ["ent"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"name": "Bridge_1", "replicas": 0, "namespace": NS},
            "name: 'Bridge_1' is not a Kubernetes",
        ),
        ({"name": "bridge", "replicas": -1, "namespace": NS}, "replicas: expected a whole number"),
        ({"name": "bridge", "replicas": 0, "namespace": "Staging"}, "namespace: 'Staging' is not"),
    ],
)
def test_bad_arguments_are_refused_before_the_cluster_is_asked(
    arguments: dict, message: str
) -> None:
    cluster = k8s.MemoryDeployments()
    with pytest.raises(InvalidArgument, match=message):
        k8s.scale_deployment(ledger=Ledger(), deployments=cluster, **arguments)
    assert Ledger().entries() == []


def test_a_missing_deployment_is_refused_and_nothing_is_recorded() -> None:
    with pytest.raises(
        FaultError, match="cannot read deployment entdrill-staging/bridge: HTTP 404"
    ):
        k8s.scale_deployment("bridge", 0, NS, ledger=Ledger(), deployments=k8s.MemoryDeployments())
    assert Ledger().entries() == []


class FakeKubernetes(BaseHTTPRequestHandler):
    """The ``apps/v1`` Deployment ``/scale`` subresource, over a dict, on loopback."""

    counts: ClassVar[dict[tuple[str, str], int]] = {}
    requests: ClassVar[list[tuple[str, str, Any]]] = []

    def _target(self) -> tuple[str, str] | None:
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) == 8 and parts[:4] == ["apis", "apps", "v1", "namespaces"] and parts[5] == "deployments" and parts[7] == "scale":  # fmt: skip
            return parts[4], parts[6]
        return None

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _scale(self, key: tuple[str, str]) -> dict[str, Any]:
        return {"apiVersion": "autoscaling/v1", "kind": "Scale",
                "metadata": {"name": key[1], "namespace": key[0]},
                "spec": {"replicas": self.counts[key]}, "status": {"replicas": self.counts[key]}}  # fmt: skip

    def do_GET(self) -> None:
        key = self._target()
        self.requests.append(("GET", self.path, None))
        if key is None or key not in self.counts:
            self._answer(
                404, {"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404}
            )
            return
        self._answer(200, self._scale(key))

    def do_PATCH(self) -> None:
        key = self._target()
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append(("PATCH", self.path, body))
        if key is None or key not in self.counts:
            self._answer(404, {"kind": "Status", "code": 404})
            return
        self.counts[key] = int(body["spec"]["replicas"])
        self._answer(200, self._scale(key))

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeKubernetes]]:
    FakeKubernetes.counts = {(NS, "bridge"): 1}
    FakeKubernetes.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeKubernetes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.setenv("KUBERNETES_HOST", f"http://127.0.0.1:{server.server_address[1]}")
    for variable in ("CHAOSTOOLKIT_IN_POD", "HTTP_PROXY", "HTTPS_PROXY", "KUBERNETES_CONTEXT"):
        monkeypatch.delenv(variable, raising=False)
    yield FakeKubernetes
    server.shutdown()
    server.server_close()


def test_the_activity_scales_through_the_kubernetes_client_and_recover_scales_back(
    fake_cluster: type[FakeKubernetes],
) -> None:
    done = server_actions.scale_deployment(name="bridge", replicas=0, namespace=NS)
    assert (done["before"], done["after"]) == (1, 0)
    patches = [r for r in fake_cluster.requests if r[0] == "PATCH"]
    assert patches == [("PATCH", f"/apis/apps/v1/namespaces/{NS}/deployments/bridge/scale",
                        {"spec": {"replicas": 0}})]  # fmt: skip
    recovered = CliRunner().invoke(cli, ["recover"])  # as after a killed `chaos run`
    assert recovered.exit_code == 0, recovered.output
    assert "scaled deployment entdrill-staging/bridge back to 1 replica(s)" in recovered.output
    assert fake_cluster.counts[(NS, "bridge")] == 1
    assert Ledger().open_entries() == []


def test_the_rollback_activity_restores_and_a_missing_deployment_fails_the_action(
    fake_cluster: type[FakeKubernetes],
) -> None:
    from chaoslib.exceptions import ActivityFailed

    server_actions.scale_deployment(name="bridge", replicas=0, namespace=NS)
    assert server_actions.restore_deployment(name="bridge", namespace=NS)["reverted"]
    assert fake_cluster.counts[(NS, "bridge")] == 1
    with pytest.raises(
        ActivityFailed, match="cannot read deployment entdrill-staging/ghost: HTTP 404"
    ):
        server_actions.scale_deployment(name="ghost", replicas=0, namespace=NS)
