"""The embedded sandbox as a target: the one place outside ``sandbox/`` that imports it.

:class:`SandboxAdapter` implements :class:`~entdrill.targets.base.LocalTarget` over the sandbox's
supervisor. Faults act on the sandbox's components, so the names they need (component ports and
kinds, the state file, component status) are handed on from here too; channels need its
certificate, and a plan's ``from_sandbox`` groups a default sandbox's people.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from entdrill import paths, population
from entdrill.sandbox import (
    HOST,
    ComponentStatus,
    SandboxConfig,
    SandboxState,
    Supervisor,
    certificate_paths,
    component_status,
    kind_of,
    port_of,
    read_state,
    sandbox_status,
)

__all__ = [
    "HOST",
    "ComponentStatus",
    "SandboxAdapter",
    "SandboxConfig",
    "SandboxState",
    "Supervisor",
    "certificate_paths",
    "component_status",
    "default_population",
    "kind_of",
    "local_sandbox",
    "port_of",
    "read_state",
    "sandbox_status",
]


@dataclass(frozen=True)
class SandboxAdapter:
    """The sandbox in ``directory``, seen as a :class:`~entdrill.targets.base.LocalTarget`."""

    directory: Path

    @property
    def supervisor(self) -> Supervisor:
        return Supervisor(self.directory)

    def is_up(self) -> bool:
        return self.supervisor.is_up()

    def running(self) -> list[str]:
        return self.supervisor.running()

    def start(self) -> None:
        supervisor = self.supervisor
        current = supervisor.state()
        supervisor.up(current.config if current else None)

    def stop(self) -> list[str]:
        return self.supervisor.down()

    def status(self) -> dict[str, Any]:
        return sandbox_status(self.supervisor)


def local_sandbox(directory: Path | None = None) -> SandboxAdapter:
    """The sandbox in ``directory``, by default ``$ENTDRILL_HOME/sandbox``."""
    return SandboxAdapter(directory or paths.sandbox_dir())


@cache
def default_population() -> tuple[population.Person, ...]:
    """The people a sandbox with the default configuration has (no sandbox need be running)."""
    return tuple(population.generate(SandboxConfig()))
