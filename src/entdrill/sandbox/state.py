"""The sandbox's state file: configuration, secrets and the processes that make it up.

``<sandbox dir>/state.json`` (mode 0600) is the one place a running sandbox is described; the
supervisor writes it, component processes and ``sandbox status`` read it. Writes are atomic.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entdrill.errors import InvalidConfig
from entdrill.sandbox.config import SandboxConfig, SandboxSecrets


@dataclass
class ProcessEntry:
    """One component process as started."""

    name: str
    pid: int
    port: int
    started_at: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pid": self.pid,
            "port": self.port,
            "started_at": self.started_at,
        }


@dataclass
class SandboxState:
    config: SandboxConfig
    secrets: SandboxSecrets
    processes: dict[str, ProcessEntry] = field(default_factory=dict)
    #: Optional components that could not start, and why (the sandbox runs without them).
    unavailable: dict[str, str] = field(default_factory=dict)

    def components(self) -> list[str]:
        """Every process this sandbox should run, in start order (without unavailable ones)."""
        from entdrill.sandbox.component import component_names

        return [n for n in component_names(self.config) if n not in self.unavailable]

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": self.config.to_dict(),
            "secrets": self.secrets.to_dict(),
            "processes": {name: p.to_dict() for name, p in self.processes.items()},
            "unavailable": dict(self.unavailable),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SandboxState:
        return cls(
            config=SandboxConfig.from_dict(data["config"]),
            secrets=SandboxSecrets.from_dict(data["secrets"]),
            processes={
                name: ProcessEntry(**entry) for name, entry in data.get("processes", {}).items()
            },
            unavailable={str(k): str(v) for k, v in data.get("unavailable", {}).items()},
        )


def state_path(directory: Path) -> Path:
    return directory / "state.json"


def read_state(directory: Path) -> SandboxState | None:
    """The state in ``directory``, or None when no sandbox was ever set up there."""
    path = state_path(directory)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise InvalidConfig(f"cannot read sandbox state {path}: {error}") from error
    try:
        return SandboxState.from_dict(data)
    except (KeyError, TypeError) as error:
        raise InvalidConfig(f"sandbox state {path} is malformed ({error}); remove it") from error


def write_state(directory: Path, state: SandboxState) -> None:
    """Write ``state`` atomically, readable by the owner only."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = state_path(directory)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(state.to_dict(), handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
