"""Scaling a Kubernetes Deployment as a recorded fault: ``entdrill recover`` scales it back.

Chaos Toolkit's own ``scale_deployment`` leaves a bridge at zero replicas when the ``chaos``
process is killed before its rollback. This one writes the replica count it found to the fault
ledger first (namespace, name, count, kube context: no credential), so any later process can
put it back. The cluster is reached the way chaostoolkit-kubernetes reaches it (``KUBECONFIG`` or
``~/.kube/config`` and ``KUBERNETES_CONTEXT``, in-cluster, or ``KUBERNETES_HOST`` and friends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from entdrill.errors import FaultError, InvalidArgument
from entdrill.faults.ledger import FaultEntry, Ledger
from entdrill.faults.recovery import inject, recover
from entdrill.faults.undo import OPERATIONS, K8sScale, Operation

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


class Deployments(Protocol):
    """The replica count of Deployments: read it, set it."""

    def replicas(self, namespace: str, name: str) -> int: ...

    def scale(self, namespace: str, name: str, replicas: int) -> None: ...


class KubernetesDeployments:
    """Deployments of a real cluster, through the Kubernetes client (``/scale`` subresource)."""

    def __init__(self, context: str = "", secrets: dict[str, Any] | None = None) -> None:
        self.context = context
        self.secrets = dict(secrets or {})
        if context:
            self.secrets.setdefault("KUBERNETES_CONTEXT", context)

    def _api(self) -> Any:
        from chaosk8s import create_k8s_api_client
        from kubernetes import client

        return client.AppsV1Api(create_k8s_api_client(self.secrets))

    def replicas(self, namespace: str, name: str) -> int:
        from kubernetes.client.exceptions import ApiException

        try:
            scale = self._api().read_namespaced_deployment_scale(name, namespace)
        except (ApiException, OSError) as error:
            raise FaultError(
                f"cannot read deployment {namespace}/{name}: {_reason(error)}"
            ) from error
        return int(scale.spec.replicas or 0)

    def scale(self, namespace: str, name: str, replicas: int) -> None:
        from kubernetes.client.exceptions import ApiException

        body = {"spec": {"replicas": replicas}}
        try:
            self._api().patch_namespaced_deployment_scale(name, namespace, body)
        except (ApiException, OSError) as error:
            raise FaultError(
                f"cannot scale deployment {namespace}/{name} to {replicas}: {_reason(error)}"
            ) from error


def _reason(error: Exception) -> str:
    status, reason = getattr(error, "status", None), getattr(error, "reason", None)
    return f"HTTP {status} {reason}" if status else str(error)


@dataclass
class MemoryDeployments:
    """An in-memory cluster for tests: ``{(namespace, name): replicas}``."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def replicas(self, namespace: str, name: str) -> int:
        if (namespace, name) not in self.counts:
            raise FaultError(f"cannot read deployment {namespace}/{name}: HTTP 404 Not Found")
        return self.counts[(namespace, name)]

    def scale(self, namespace: str, name: str, replicas: int) -> None:
        self.replicas(namespace, name)
        self.counts[(namespace, name)] = replicas


def check_names(name: str, namespace: str) -> None:
    if not isinstance(name, str) or not _DNS_SUBDOMAIN.match(name):
        raise InvalidArgument(f"name: {name!r} is not a Kubernetes Deployment name")
    if not isinstance(namespace, str) or not _DNS_LABEL.match(namespace):
        raise InvalidArgument(f"namespace: {namespace!r} is not a Kubernetes namespace name")


def scale_deployment(
    name: str,
    replicas: int,
    namespace: str,
    *,
    context: str = "",
    secrets: dict[str, Any] | None = None,
    ledger: Ledger | None = None,
    deployments: Deployments | None = None,
) -> dict[str, Any]:
    """Scale Deployment ``namespace/name`` to ``replicas``, recorded so it can be scaled back.

    ``secrets`` (Chaos Toolkit's, for chaostoolkit-kubernetes) reach the cluster now; the undo,
    run later by any process, reaches it from the environment and kubeconfig.
    """
    check_names(name, namespace)
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        raise InvalidArgument(f"replicas: expected a whole number of at least 0, got {replicas!r}")
    api = deployments if deployments is not None else KubernetesDeployments(context, secrets)
    before = api.replicas(namespace, name)  # before touching: the deployment exists, is readable

    def apply() -> dict[str, Any]:
        api.scale(namespace, name, replicas)
        after = api.replicas(namespace, name)
        if after != replicas:
            raise FaultError(
                f"deployment {namespace}/{name} reads {after} replicas, not {replicas}"
            )
        return {"deployment": name, "namespace": namespace, "before": before, "after": after}

    where = f"{namespace}/{name}"
    return inject(
        ledger or Ledger(),
        kind="scale_deployment",
        target={"component": where, "namespace": namespace, "deployment": name},
        action={"replicas": replicas},
        undo={
            "op": "k8s_scale",
            "namespace": namespace,
            "name": name,
            "replicas": before,
            "context": context,
        },
        apply=apply,
        operations=_operations(deployments),
    )


def restore_deployment(
    name: str,
    namespace: str,
    *,
    ledger: Ledger | None = None,
    deployments: Deployments | None = None,
) -> dict[str, Any]:
    """Scale ``namespace/name`` back to the count recorded before its scale faults."""
    check_names(name, namespace)

    def select(entry: FaultEntry) -> bool:
        return entry.undo.get("op") == "k8s_scale" and (
            entry.undo.get("namespace"),
            entry.undo.get("name"),
        ) == (namespace, name)

    report = recover(ledger, select=select, operations=_operations(deployments))
    if report.failed:
        raise FaultError("; ".join(str(f["error"]) for f in report.failed))
    return {"deployment": name, "namespace": namespace,
            "reverted": [r["id"] for r in report.reverted]}  # fmt: skip


def _operations(deployments: Deployments | None) -> dict[str, Operation] | None:
    """The undo operations, with ``k8s_scale`` on ``deployments`` (a fake) when given."""
    if deployments is None:
        return None
    return {**OPERATIONS, "k8s_scale": K8sScale(deployments)}
