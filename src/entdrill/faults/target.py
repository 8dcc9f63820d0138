"""The sandbox a fault acts on: its components, their processes, their admin API.

Faults on servers and bridges act on the embedded sandbox through its supervisor (processes are
identified through /proc, so a recycled pid is never signalled). A Kubernetes staging ENT is
broken with ``experiments/k8s/`` instead.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entdrill import paths, processes
from entdrill.errors import FaultError, InvalidArgument
from entdrill.faults.admin import AdminClient, admin_token
from entdrill.targets.sandbox import (
    HOST,
    ComponentStatus,
    SandboxState,
    Supervisor,
    component_status,
    port_of,
)

BRIDGES = ("bridge", "backup-bridge")


@dataclass(frozen=True)
class SandboxTarget:
    """The sandbox in ``directory``."""

    directory: Path

    @classmethod
    def from_configuration(cls, configuration: dict[str, Any] | None) -> SandboxTarget:
        """The sandbox the experiment's configuration points at (``sandbox_dir``)."""
        configuration = configuration or {}
        if configuration.get("staging") == "external":
            raise InvalidArgument(
                "server and bridge faults act on the embedded sandbox, and this experiment targets "
                f"an external staging ENT ({configuration.get('ent_base_url')}); for a staging ENT "
                "on Kubernetes use experiments/k8s/"
            )
        directory = configuration.get("sandbox_dir") or str(paths.sandbox_dir())
        return cls(Path(directory))

    @property
    def supervisor(self) -> Supervisor:
        return Supervisor(self.directory)

    def state(self) -> SandboxState:
        state = self.supervisor.state()
        if state is None:
            raise FaultError(f"no sandbox in {self.directory}; run `entdrill sandbox up`")
        return state

    def configured(self) -> list[str]:
        """Every component the sandbox's configuration says should run (an optional one that
        could not start excepted: the sandbox runs without it)."""
        return self.state().components()

    def configured_replicas(self) -> list[str]:
        return [name for name in self.configured() if name.startswith("ent-")]

    def components(self) -> dict[str, ComponentStatus]:
        return {c["name"]: c for c in component_status(self.supervisor)}

    def pid_of(self, name: str) -> int | None:
        entry = self.state().processes.get(name)
        if entry is not None and processes.is_component(entry.pid, name, self.directory):
            return entry.pid
        return None

    def replicas_in(self, state: str) -> list[str]:
        """ENT replicas whose process is ``running``, ``paused`` or ``stopped``."""
        return [
            name
            for name, c in self.components().items()
            if name.startswith("ent-") and c["state"] == state
        ]

    def is_down(self) -> bool:
        """True when no component of this sandbox runs (faults on it died with it)."""
        return not self.supervisor.running()

    def url_of(self, name: str) -> str:
        return f"http://{HOST}:{port_of(self.state().config, name)}"

    def admin(self, name: str) -> AdminClient:
        return AdminClient(self.url_of(name), admin_token(str(self.directory)))

    def require_component(self, name: str, argument: str, choices: tuple[str, ...] = ()) -> None:
        """Refuse a component name this sandbox does not have (before touching anything)."""
        known = tuple(choices) or tuple(self.configured())
        if name not in known:
            raise InvalidArgument(
                f"{argument}: unknown component {name!r}; expected one of {', '.join(known)}"
            )


def wait_until(predicate: Callable[[], bool], timeout_s: float, interval_s: float = 0.05) -> bool:
    """Poll ``predicate`` until true or ``timeout_s`` passed; return its last value."""
    deadline = time.monotonic() + timeout_s
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval_s)


def port_refuses(port: int, host: str = HOST) -> bool:
    """True when a TCP connection to ``host:port`` is refused (nothing listens: a real outage)."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
