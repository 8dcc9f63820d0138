"""How a recorded fault is undone: declarative specs, and the operations that execute them.

A ledger entry carries an undo spec such as ``{"op": "start_component", "sandbox_dir": D,
"name": "ent-2"}``. Any process can execute it (``entdrill recover`` after the injecting process
was killed): the spec holds no secret and no live object. Every operation is idempotent (running
it on a fault already reverted, or never injected, changes nothing) and has a ``check`` that
reads the system back.

====================  ======================================================================
op                    spec keys, and what it does
====================  ======================================================================
``start_component``   ``sandbox_dir``, ``name``, optional ``pid`` (the process signalled, given
                      time to finish exiting): start the component if it is not running
``resume``            ``sandbox_dir``, ``name``, ``pid``: SIGCONT the paused process (start the
                      component if its process is gone)
``set_faults``        ``sandbox_dir``, ``component``, ``url``, ``settings``: PUT the settings
                      the fault replaced (``before``) on ``url``'s ``/_admin/faults``
``none``              ``reason``: nothing to undo (an instantaneous fault: sessions lost)
``k8s_scale``         ``namespace``, ``name``, ``replicas``, ``context``: scale a Kubernetes
                      Deployment back to the replica count it had
====================  ======================================================================
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from entdrill import processes
from entdrill.errors import FaultError
from entdrill.faults.admin import AdminClient, admin_token
from entdrill.faults.target import SandboxTarget, wait_until
from entdrill.targets.sandbox import kind_of

if TYPE_CHECKING:
    from entdrill.faults.k8s import Deployments

DYING_TIMEOUT_S = 15.0


class Operation(Protocol):
    """One kind of undo: ``revert`` returns a sentence saying what it did (or why nothing)."""

    def revert(self, spec: dict[str, Any]) -> str: ...

    def check(self, spec: dict[str, Any]) -> str | None:
        """None when the system reads as reverted, else a sentence saying what is still wrong."""
        ...


def _target(spec: dict[str, Any]) -> SandboxTarget | None:
    """The spec's sandbox, or None when it is gone or down (its faults went with it)."""
    directory = spec.get("sandbox_dir")
    if not directory:
        return None
    target = SandboxTarget(Path(directory))
    if target.supervisor.state() is None or target.is_down():
        return None
    return target


class StartComponent:
    def revert(self, spec: dict[str, Any]) -> str:
        name = spec["name"]
        target = _target(spec)
        if target is None:
            return f"the sandbox of {name} is down: nothing to restart"
        pid = target.pid_of(name)
        signalled = spec.get("pid")
        if pid is not None and pid == signalled:
            # The process told to end is still finishing (a graceful stop): let it, then restart.
            wait_until(lambda: target.pid_of(name) != pid, DYING_TIMEOUT_S)
            pid = target.pid_of(name)
        if pid is not None:
            if processes.is_paused(pid):
                os.kill(pid, signal.SIGCONT)
                return f"{name} was running but paused (pid {pid}): resumed it"
            return f"{name} already running (pid {pid})"
        entry = target.supervisor.start_component(name)
        return f"restarted {name} (pid {entry.pid})"

    def check(self, spec: dict[str, Any]) -> str | None:
        name = spec["name"]
        target = _target(spec)
        if target is None:
            return None
        pid = target.pid_of(name)
        if pid is None:
            return f"{name} is not running"
        if processes.is_paused(pid):
            return f"{name} (pid {pid}) is paused"
        return None


class Resume:
    def revert(self, spec: dict[str, Any]) -> str:
        name, pid = spec["name"], int(spec["pid"])
        target = _target(spec)
        if target is None:
            return f"the sandbox of {name} is down: nothing to resume"
        if processes.is_component(pid, name, target.directory):
            if not processes.is_paused(pid):
                return f"{name} (pid {pid}) is not paused"
            os.kill(pid, signal.SIGCONT)
            if not wait_until(lambda: not processes.is_paused(pid), 5.0):
                raise FaultError(f"{name} (pid {pid}) is still paused after SIGCONT")
            return f"resumed {name} (pid {pid})"
        return StartComponent().revert(spec) + f" (its paused process {pid} is gone)"

    def check(self, spec: dict[str, Any]) -> str | None:
        return StartComponent().check(spec)


class SetFaults:
    def revert(self, spec: dict[str, Any]) -> str:
        component, settings = spec.get("component", ""), dict(spec["settings"])
        directory = spec.get("sandbox_dir", "")
        target = _target(spec)
        if directory and target is None:
            return f"the sandbox of {component} is down: its faults went with it"
        if (
            target is not None
            and component
            and kind_of(component) == "bridge"
            and target.pid_of(component) is None
        ):
            return f"{component} is not running: its in-memory faults went with its process"
        client = AdminClient(spec["url"], admin_token(directory))
        client.put_faults(settings)
        matched, current = client.wait_for_faults(settings)
        if not matched:
            raise FaultError(
                f"faults of {component or spec['url']} read back {current} after setting {settings}"
            )
        return f"faults of {component or spec['url']} set back to {settings}"

    def check(self, spec: dict[str, Any]) -> str | None:
        component, settings = spec.get("component", ""), dict(spec["settings"])
        target = _target(spec)
        if spec.get("sandbox_dir") and target is None:
            return None
        if target is not None and component and target.pid_of(component) is None:
            return None if kind_of(component) == "bridge" else f"{component} is not running"
        try:
            client = AdminClient(spec["url"], admin_token(spec.get("sandbox_dir", "")))
            matched, current = client.wait_for_faults(settings, timeout_s=1.0)
        except FaultError as error:
            return str(error)
        if not matched:
            return f"faults of {component or spec['url']} read {current}, expected {settings}"
        return None


class Nothing:
    def revert(self, spec: dict[str, Any]) -> str:
        return f"nothing to undo: {spec.get('reason', 'an instantaneous fault')}"

    def check(self, spec: dict[str, Any]) -> str | None:
        return None


class K8sScale:
    """The ``k8s_scale`` undo operation: set the recorded replica count back."""

    def __init__(self, deployments: Deployments | None = None) -> None:
        self.deployments = deployments

    def _api(self, spec: dict[str, Any]) -> Deployments:
        from entdrill.faults.k8s import KubernetesDeployments

        return self.deployments or KubernetesDeployments(str(spec.get("context", "")))

    def revert(self, spec: dict[str, Any]) -> str:
        namespace, name, replicas = spec["namespace"], spec["name"], int(spec["replicas"])
        api = self._api(spec)
        if api.replicas(namespace, name) == replicas:
            return f"deployment {namespace}/{name} already at {replicas} replica(s)"
        api.scale(namespace, name, replicas)
        return f"scaled deployment {namespace}/{name} back to {replicas} replica(s)"

    def check(self, spec: dict[str, Any]) -> str | None:
        namespace, name, replicas = spec["namespace"], spec["name"], int(spec["replicas"])
        found = self._api(spec).replicas(namespace, name)
        return (
            None
            if found == replicas
            else f"{namespace}/{name} has {found} replicas, not {replicas}"
        )


OPERATIONS: dict[str, Operation] = {
    "start_component": StartComponent(),
    "resume": Resume(),
    "set_faults": SetFaults(),
    "none": Nothing(),
    "k8s_scale": K8sScale(),
}
