"""The sandbox's monitoring, as data: where the binaries are, Prometheus's and Alertmanager's
configuration files (pure functions of the sandbox configuration), and the rules they load.

Debian's ``prometheus`` and ``prometheus-alertmanager`` packages install the binaries; their
systemd units are not used: the sandbox runs its own processes on loopback, with the files
written here and data directories inside the sandbox directory. Scrape and rule evaluation run
every :data:`SCRAPE_INTERVAL_S` seconds so that a drill sees an alert within seconds.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from entdrill.sandbox.config import HOST, SandboxConfig

SCRAPE_INTERVAL_S = 2
EVALUATION_INTERVAL_S = 2
SCRAPE_TIMEOUT_S = 1
#: Where the binaries are looked up (an environment variable names another path).
BINARIES = {
    "prometheus": ("ENTDRILL_PROMETHEUS_BIN", "prometheus"),
    "alertmanager": ("ENTDRILL_ALERTMANAGER_BIN", "prometheus-alertmanager"),
    "promtool": ("ENTDRILL_PROMTOOL_BIN", "promtool"),
}
RULES_ENV = "ENTDRILL_PROMETHEUS_RULES"
#: The rules file shipped with entdrill, that a school can load into its own Prometheus.
SHIPPED_RULES = Path(__file__).resolve().parents[3] / "deploy" / "prometheus" / "entdrill-rules.yml"
#: Components whose ``/metrics`` Prometheus scrapes (the ENT replicas share one port and job).
SCRAPED = ("ent", "bridge", "backup-bridge", "slack", "sms", "statuspage", "staff")
NOT_INSTALLED = "{binary} is not installed (apt-get install prometheus prometheus-alertmanager)"


def binary(name: str) -> str:
    """The path of binary ``name`` (prometheus, alertmanager, promtool), or "" when missing."""
    variable, default = BINARIES[name]
    chosen = os.environ.get(variable) or default
    if os.sep in chosen:
        return chosen if os.access(chosen, os.X_OK) and Path(chosen).is_file() else ""
    return shutil.which(chosen) or ""


def rules_path() -> Path:
    """The rules file the sandbox's Prometheus loads."""
    return Path(os.environ.get(RULES_ENV) or SHIPPED_RULES)


def missing(name: str) -> str:
    """Why component ``name`` (prometheus, alertmanager) cannot run here ("" when it can)."""
    if not binary(name):
        variable, default = BINARIES[name]
        return NOT_INSTALLED.format(binary=os.environ.get(variable) or default)
    if name == "prometheus" and not rules_path().is_file():
        return f"the rules file {rules_path()} is missing (set {RULES_ENV})"
    return ""


def prometheus_config(config: SandboxConfig, rules: Path) -> dict[str, Any]:
    """prometheus.yml: every component scraped, the rules loaded, alerts sent to Alertmanager."""
    ports = config.ports()
    jobs = [
        {"job_name": name, "static_configs": [{"targets": [f"{HOST}:{ports[name]}"]}]}
        for name in SCRAPED
    ]
    jobs.append(
        {
            "job_name": "exporter",
            "static_configs": [{"targets": [f"{HOST}:{config.exporter_port}"]}],
        }
    )
    jobs.append(
        {
            "job_name": "prometheus",
            "static_configs": [{"targets": [f"{HOST}:{config.prometheus_port}"]}],
        }
    )
    return {
        "global": {
            "scrape_interval": f"{SCRAPE_INTERVAL_S}s",
            "evaluation_interval": f"{EVALUATION_INTERVAL_S}s",
            "scrape_timeout": f"{SCRAPE_TIMEOUT_S}s",
            "external_labels": {"school": config.school_domain},
        },
        "rule_files": [str(rules)],
        "alerting": {
            "alertmanagers": [
                {"static_configs": [{"targets": [f"{HOST}:{config.alertmanager_port}"]}]}
            ]
        },
        "scrape_configs": jobs,
    }


def alertmanager_config() -> dict[str, Any]:
    """alertmanager.yml: one receiver that needs nothing outside (drills read the API v2)."""
    return {
        "route": {
            "receiver": "drill",
            "group_by": ["alertname", "service"],
            "group_wait": "1s",
            "group_interval": "1s",
            "repeat_interval": "1h",
        },
        "receivers": [{"name": "drill"}],
    }


def prometheus_argv(config: SandboxConfig, directory: Path) -> list[str]:
    return [
        binary("prometheus"),
        f"--config.file={directory / 'prometheus.yml'}",
        f"--storage.tsdb.path={directory / 'data'}",
        "--storage.tsdb.retention.time=2d",
        f"--web.listen-address={HOST}:{config.prometheus_port}",
        "--log.level=warn",
    ]


def alertmanager_argv(config: SandboxConfig, directory: Path) -> list[str]:
    return [
        binary("alertmanager"),
        f"--config.file={directory / 'alertmanager.yml'}",
        f"--storage.path={directory / 'data'}",
        f"--web.listen-address={HOST}:{config.alertmanager_port}",
        "--cluster.listen-address=",  # one instance: no gossip port
        "--log.level=warn",
    ]
