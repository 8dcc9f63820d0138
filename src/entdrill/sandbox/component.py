"""What every sandbox component process is given, and how it is found.

A component is started as ``python -m entdrill.sandbox.serve NAME --dir SANDBOX_DIR``; it reads
its configuration and secrets from ``SANDBOX_DIR/state.json`` (never from its command line, which
any local user can read) and serves until SIGTERM. Each component module exposes
``async def run(ctx: ComponentContext) -> None``, or ``run_blocking(ctx)`` for a server that
runs its own event loop (Synapse, the optional ``matrix`` component).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from entdrill.errors import InvalidConfig
from entdrill.sandbox.config import HOST, SandboxConfig, SandboxSecrets
from entdrill.sandbox.state import read_state

# kind -> module exposing ``async def run(ctx)``
COMPONENT_MODULES: dict[str, str] = {
    "ent": "entdrill.sandbox.ent.app",
    "bridge": "entdrill.sandbox.bridge",
    "slack": "entdrill.sandbox.slack_api",
    "sms": "entdrill.sandbox.sms",
    "smtp": "entdrill.sandbox.smtp",
    "statuspage": "entdrill.sandbox.statuspage",
    "staff": "entdrill.sandbox.staff",
    "matrix": "entdrill.sandbox.synapse",
    "prometheus": "entdrill.sandbox.prometheus",
    "alertmanager": "entdrill.sandbox.alertmanager",
}
#: Components the sandbox runs without when they cannot start (it says so, and why).
OPTIONAL_COMPONENTS = ("matrix", "prometheus", "alertmanager")


@dataclass(frozen=True)
class ComponentContext:
    """One component's view of the sandbox."""

    name: str  # "ent-1", "ent-2", "bridge", "backup-bridge", "slack", "sms", "smtp", ...
    config: SandboxConfig
    secrets: SandboxSecrets
    directory: Path  # the sandbox directory: stores, mail, population.csv, logs

    @property
    def kind(self) -> str:
        return kind_of(self.name)

    @property
    def host(self) -> str:
        return HOST

    @property
    def port(self) -> int:
        return port_of(self.config, self.name)

    @property
    def replica_index(self) -> int:
        """1-based index of an ENT replica (0 for other components)."""
        return int(self.name.split("-")[1]) if self.kind == "ent" else 0

    @property
    def population_csv(self) -> Path:
        return self.directory / "population.csv"

    @property
    def store_path(self) -> Path:
        """The embedded ENT store (SQLite), shared by the replicas."""
        return self.directory / "ent-store.db"

    @property
    def mail_dir(self) -> Path:
        """Where the SMTP server keeps mail: one Maildir per recipient address."""
        return self.directory / "mail"

    @property
    def matrix_dir(self) -> Path:
        """Synapse's configuration, database and media, and the Matrix accounts it made."""
        return self.directory / "matrix"

    @property
    def bridge_secret(self) -> str:
        if self.name == "backup-bridge":
            return self.secrets.backup_bridge_secret
        return self.secrets.bridge_secret

    @property
    def bridge_capacity(self) -> int:
        if self.name == "backup-bridge":
            return self.config.backup_bridge_capacity
        return self.config.bridge_capacity


def kind_of(name: str) -> str:
    """The component kind of a process name: ``ent-2`` is an ``ent``, ``backup-bridge`` a ``bridge``."""
    if name.startswith("ent-") and name[4:].isdigit():
        return "ent"
    if name == "backup-bridge":
        return "bridge"
    if name in COMPONENT_MODULES and name != "ent":
        return name
    raise InvalidConfig(
        f"unknown sandbox component {name!r}; expected one of {component_names_help()}"
    )


def port_of(config: SandboxConfig, name: str) -> int:
    kind = kind_of(name)
    return config.ports()["ent" if kind == "ent" else name]


def component_names(config: SandboxConfig) -> list[str]:
    """Every process of a sandbox with this configuration, in start order."""
    replicas = [f"ent-{i}" for i in range(1, config.replicas + 1)]
    names = [*replicas, "bridge", "backup-bridge", "slack", "sms", "smtp", "statuspage", "staff"]
    names += ["matrix"] if config.matrix else []
    return [*names, "alertmanager", "prometheus"] if config.monitoring else names


def component_names_help() -> str:
    return (
        "ent-N, bridge, backup-bridge, slack, sms, smtp, statuspage, staff, matrix, "
        "prometheus, alertmanager"
    )


def load_context(name: str, directory: Path) -> ComponentContext:
    """Read ``directory/state.json`` and build the context of component ``name``."""
    state = read_state(directory)
    if state is None:
        raise InvalidConfig(f"no sandbox state in {directory}; run `entdrill sandbox up`")
    kind_of(name)
    return ComponentContext(
        name=name, config=state.config, secrets=state.secrets, directory=directory
    )
