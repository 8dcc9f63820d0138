"""Helpers for tests of entdrill and of projects built on it (shipped, like structlog's).

Nothing here is used by the tool itself at run time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from entdrill import population
from entdrill.sandbox import SandboxConfig, SandboxSecrets, SandboxState, write_state

PORT_FIELDS = tuple(f.name for f in dataclasses.fields(SandboxConfig) if f.name.endswith("_port"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_config(**overrides: Any) -> SandboxConfig:
    """A sandbox configuration with every port free, small and fast unless overridden.

    Matrix (Synapse) is off unless ``matrix=True``; Prometheus and Alertmanager unless
    ``monitoring=True``.
    """
    ports: set[int] = set()
    values: dict[str, Any] = {}
    for name in PORT_FIELDS:
        port = free_port()
        while port in ports:
            port = free_port()
        ports.add(port)
        values[name] = port
    # Synapse, Prometheus and Alertmanager are off unless a test asks (matrix=True,
    # monitoring=True): most tests need neither.
    values.update(
        {"login_cost_ms": 2.0, "pupils_per_school": 20, "staff_ack_median_s": 0.5}
        | {"matrix": False, "monitoring": False}
    )
    values.update(overrides)
    return SandboxConfig(**values)


def prepare_sandbox_dir(directory: Path, config: SandboxConfig | None = None) -> SandboxState:
    """Write what component processes read (state.json, population.csv) without starting any."""
    state = SandboxState(config=config or free_config(), secrets=SandboxSecrets())
    write_state(directory, state)
    population.write_csv(population.generate(state.config), directory / "population.csv")
    return state


@contextlib.contextmanager
def running_sandbox(
    directory: Path, config: SandboxConfig | None = None
) -> Iterator[dict[str, Any]]:
    """Start a sandbox in ``directory`` (free ports unless ``config`` says), yield its status, stop it."""
    from entdrill.sandbox import Supervisor
    from entdrill.sandbox import sandbox_status as status

    supervisor = Supervisor(directory)
    try:
        supervisor.up(config or free_config(), timeout_s=60)
        yield status(supervisor)
    finally:
        supervisor.down()
