"""The sandbox's configuration and secrets: plain data, validated before anything starts."""

from __future__ import annotations

import dataclasses
import math
import secrets as secrets_module
from dataclasses import dataclass, field
from typing import Any

from entdrill.errors import InvalidConfig

HOST = "127.0.0.1"


@dataclass(frozen=True)
class SandboxConfig:
    """What the embedded staging school looks like. Every port is on 127.0.0.1."""

    ent_port: int = 8800
    replicas: int = 2
    bridge_port: int = 8900
    backup_bridge_port: int = 8901
    slack_port: int = 8910
    sms_port: int = 8920
    smtp_port: int = 8925
    smtp_admin_port: int = 8926  # HTTP: inspect kept mail, inject SMTP faults
    status_port: int = 8930
    staff_port: int = 8940
    matrix_port: int = 8950  # Synapse, the Matrix homeserver (client-server API)
    prometheus_port: int = 8960  # Debian's Prometheus, when installed (see sandbox/monitoring.py)
    alertmanager_port: int = 8961
    exporter_port: int = 8962  # component_up: which component processes run (read from /proc)
    # ENT capacity: a login costs about login_cost_ms of CPU (password hash); each replica
    # hashes on ent_workers threads with at most ent_queue logins waiting, then answers 503.
    login_cost_ms: float = 20.0
    ent_workers: int = 2
    ent_queue: int = 64
    ticket_ttl_s: float = 10.0
    session_ttl_s: float = 3600.0
    store_url: str = ""  # "" = embedded SQLite store in the sandbox directory; or redis://...
    bridge_capacity: int = 200
    backup_bridge_capacity: int = 200
    # Population (seeded, so runs are reproducible).
    seed: int = 2021
    schools: int = 2
    pupils_per_school: int = 120
    # Simulated staff: share who never answer, and how fast the others do.
    staff_silent_share: float = 0.2
    staff_ack_median_s: float = 8.0
    school_domain: str = "ecole.test"  # also the Matrix server name (@user:ecole.test)
    # Synapse (from the `synapse` extra): off, the sandbox runs without Matrix. Its message rate
    # limit (per user) defaults to Synapse's own: 0.2 messages a second, bursts of 10.
    matrix: bool = True
    matrix_message_rate: float = 0.2
    matrix_message_burst: int = 10
    # Prometheus and Alertmanager (Debian's packages): off, or not installed, the sandbox runs
    # without monitoring (and says so).
    monitoring: bool = True

    def __post_init__(self) -> None:
        problems = validate(self)
        if problems:
            raise InvalidConfig("; ".join(problems))

    @property
    def host(self) -> str:
        return HOST

    def ports(self) -> dict[str, int]:
        """Every listening port by component name (ENT replicas share ``ent``)."""
        return {
            "ent": self.ent_port,
            "bridge": self.bridge_port,
            "backup-bridge": self.backup_bridge_port,
            "slack": self.slack_port,
            "sms": self.sms_port,
            "smtp": self.smtp_port,
            "smtp-admin": self.smtp_admin_port,
            "statuspage": self.status_port,
            "staff": self.staff_port,
            "matrix": self.matrix_port,
            "prometheus": self.prometheus_port,
            "alertmanager": self.alertmanager_port,
            "exporter": self.exporter_port,
        }

    @property
    def ent_url(self) -> str:
        return f"http://{HOST}:{self.ent_port}"

    @property
    def bridge_url(self) -> str:
        return f"http://{HOST}:{self.bridge_port}/bigbluebutton/api"

    @property
    def backup_bridge_url(self) -> str:
        return f"http://{HOST}:{self.backup_bridge_port}/bigbluebutton/api"

    @property
    def slack_api_url(self) -> str:
        return f"http://{HOST}:{self.slack_port}/api/"

    @property
    def sms_api_url(self) -> str:
        return f"http://{HOST}:{self.sms_port}"

    @property
    def status_page_url(self) -> str:
        return f"http://{HOST}:{self.status_port}"

    @property
    def smtp_admin_url(self) -> str:
        return f"http://{HOST}:{self.smtp_admin_port}"

    @property
    def staff_url(self) -> str:
        return f"http://{HOST}:{self.staff_port}"

    @property
    def matrix_url(self) -> str:
        return f"http://{HOST}:{self.matrix_port}"

    @property
    def prometheus_url(self) -> str:
        return f"http://{HOST}:{self.prometheus_port}"

    @property
    def alertmanager_url(self) -> str:
        return f"http://{HOST}:{self.alertmanager_port}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SandboxConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidConfig(f"unknown sandbox setting(s): {', '.join(unknown)}")
        return cls(**data)


#: Upper bounds: far above a realistic staging school, far below what would exhaust the machine.
MAXIMA: dict[str, float] = {
    "replicas": 64,
    "ent_workers": 256,
    "ent_queue": 100_000,
    "bridge_capacity": 1_000_000,
    "backup_bridge_capacity": 1_000_000,
    "schools": 1_000,
    "pupils_per_school": 100_000,
    "login_cost_ms": 10_000,
    "ticket_ttl_s": 86_400,
    "session_ttl_s": 7 * 86_400,
    "staff_ack_median_s": 3_600,
    "seed": 2**63 - 1,
    "matrix_message_rate": 10_000,
    "matrix_message_burst": 1_000_000,
}
MAX_PEOPLE = 1_000_000


def _type_problems(config: SandboxConfig) -> list[str]:
    """Each setting of another type than its default's (a bool is not a number, NaN is not)."""
    problems = []
    for item in dataclasses.fields(config):
        value, kind = getattr(config, item.name), type(item.default)
        if kind is float:
            fits = isinstance(value, int | float) and not isinstance(value, bool)
            fits = fits and math.isfinite(value)
        elif kind is int:
            fits = isinstance(value, int) and not isinstance(value, bool)
        else:
            fits = isinstance(value, kind)
        if not fits:
            words = {int: "a whole number", float: "a number", str: "text", bool: "true or false"}
            expected = words.get(kind, "")
            problems.append(f"{item.name} must be {expected or kind.__name__}, got {value!r}")
    return problems


def validate(config: SandboxConfig) -> list[str]:
    """Every problem with ``config``, as sentences naming the setting."""
    problems = _type_problems(config)
    if problems:
        return problems
    for name, high in MAXIMA.items():
        if getattr(config, name) > high:
            problems.append(f"{name} must be at most {high:g}, got {getattr(config, name)!r}")
    if config.schools * config.pupils_per_school * 2 > MAX_PEOPLE:
        problems.append(
            f"schools x pupils_per_school makes more than {MAX_PEOPLE:,} pupils and parents; "
            "a sandbox school is not that large"
        )
    ports = config.ports()
    for name, port in ports.items():
        if not isinstance(port, int) or not 1 <= port <= 65535:
            problems.append(f"{name} port must be an integer from 1 to 65535, got {port!r}")
    taken: dict[int, str] = {}
    for name, port in ports.items():
        if port in taken:
            problems.append(f"{name} and {taken[port]} cannot share port {port}")
        taken[port] = name
    positive = {
        "replicas": config.replicas,
        "ent_workers": config.ent_workers,
        "bridge_capacity": config.bridge_capacity,
        "backup_bridge_capacity": config.backup_bridge_capacity,
        "schools": config.schools,
        "pupils_per_school": config.pupils_per_school,
        "matrix_message_burst": config.matrix_message_burst,
    }
    for name, value in positive.items():
        if not isinstance(value, int) or value < 1:
            problems.append(f"{name} must be a whole number of at least 1, got {value!r}")
    if not isinstance(config.ent_queue, int) or config.ent_queue < 0:
        problems.append(f"ent_queue must be a whole number of at least 0, got {config.ent_queue!r}")
    for name, number in {
        "login_cost_ms": config.login_cost_ms,
        "ticket_ttl_s": config.ticket_ttl_s,
        "session_ttl_s": config.session_ttl_s,
        "staff_ack_median_s": config.staff_ack_median_s,
    }.items():
        if not isinstance(number, int | float) or not number >= 0:
            problems.append(f"{name} must be a number of at least 0, got {number!r}")
    if not config.matrix_message_rate > 0:
        rate = config.matrix_message_rate
        problems.append(f"matrix_message_rate must be a number above 0, got {rate!r}")
    if not 0.0 <= config.staff_silent_share <= 1.0:
        problems.append(
            f"staff_silent_share must be between 0 and 1, got {config.staff_silent_share!r}"
        )
    if config.store_url and not config.store_url.startswith(("redis://", "rediss://", "unix://")):
        problems.append(
            f"store_url must be empty (embedded) or a redis:// URL, got {config.store_url!r}"
        )
    return problems


@dataclass(frozen=True)
class SandboxSecrets:
    """Tokens generated at first start and kept in the sandbox's state file (mode 0600)."""

    bridge_secret: str = field(default_factory=lambda: secrets_module.token_hex(20))
    backup_bridge_secret: str = field(default_factory=lambda: secrets_module.token_hex(20))
    slack_token: str = field(default_factory=lambda: "xoxb-" + secrets_module.token_hex(16))
    admin_token: str = field(default_factory=lambda: secrets_module.token_urlsafe(24))
    consent_token: str = field(default_factory=lambda: secrets_module.token_urlsafe(24))
    sms_token: str = field(default_factory=lambda: secrets_module.token_urlsafe(18))
    status_token: str = field(default_factory=lambda: secrets_module.token_urlsafe(18))
    smtp_user: str = "entdrill"
    smtp_password: str = field(default_factory=lambda: secrets_module.token_urlsafe(18))
    # Signs the per-person Slack user tokens of the simulated staff (see slack_api.user_token).
    user_token_key: str = field(default_factory=lambda: secrets_module.token_hex(16))
    # Synapse's registration shared secret: who holds it can create Matrix accounts.
    matrix_shared_secret: str = field(default_factory=lambda: secrets_module.token_urlsafe(24))

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> SandboxSecrets:
        return cls(**data)
