"""The staging ENT an experiment or drill acts on: a configured one, or the embedded sandbox.

``ENT_BASE_URL`` (the ``ent_base_url`` configuration key) names a staging ENT. When it is empty,
the sandbox in ``$ENTDRILL_HOME/sandbox`` is used, and started if it is not running; whoever
started it stops it afterwards. :func:`configuration_for` gives the keys activities read.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from entdrill import redact
from entdrill.targets import LocalTarget
from entdrill.targets.sandbox import local_sandbox

log = logging.getLogger(__name__)

# status key -> configuration key handed to activities
SANDBOX_KEYS: dict[str, str] = {
    "ent_url": "ent_base_url",
    "cas_url": "cas_url",
    "bridge_url": "bridge_url",
    "bridge_secret": "bridge_secret",
    "backup_bridge_url": "backup_bridge_url",
    "backup_bridge_secret": "backup_bridge_secret",
    "slack_api_url": "slack_api_url",
    "slack_token": "slack_token",
    "smtp_host": "smtp_host",
    "smtp_port": "smtp_port",
    "smtp_user": "smtp_user",
    "smtp_password": "smtp_password",
    "sms_api_url": "sms_api_url",
    "sms_token": "sms_token",
    "status_page_url": "status_page_url",
    "status_token": "status_token",
    "staff_url": "staff_url",
    "matrix_url": "matrix_url",
    "matrix_token": "matrix_token",
    "prometheus_url": "prometheus_base_url",
    "alertmanager_url": "alertmanager_url",
    "population_csv": "population_csv",
    "consent_token": "consent_token",
    "admin_token": "admin_token",
    "directory": "sandbox_dir",
}
SECRET_KEYS = (
    "bridge_secret",
    "backup_bridge_secret",
    "slack_token",
    "smtp_password",
    "sms_token",
    "status_token",
    "consent_token",
    "admin_token",
    "matrix_token",
)


def configuration_for(status: dict[str, Any]) -> dict[str, Any]:
    """The configuration keys of a running sandbox (its secrets registered for redaction)."""
    redact.register(*(str(status[key]) for key in SECRET_KEYS if status.get(key)))
    values = {target: status[source] for source, target in SANDBOX_KEYS.items() if source in status}
    values["staging"] = "sandbox"
    return values


@dataclass
class SandboxLease:
    """Use the sandbox for the length of one run; stop it afterwards only if we started it."""

    started_here: bool = False

    def acquire(self, faulted: Collection[str] = ()) -> dict[str, Any]:
        """Start the sandbox if it is not up. ``faulted``: components another run has taken
        down on purpose (an open fault of a live owner): a sandbox missing only those is left
        as it is, or this run would undo a fault in place (two experiments of one drill)."""
        target: LocalTarget = local_sandbox()
        if not target.is_up():
            # A sandbox with some components running was started by someone else: completing
            # it (a replica lost earlier) does not make it ours to stop.
            running = target.running()
            if running and faulted:
                log.info("the sandbox misses %s on purpose: left as it is", ", ".join(faulted))
            else:
                log.info("starting the sandbox in %s", target.directory)
                target.start()
                self.started_here = not running
        return configuration_for(target.status())

    def release(self) -> None:
        if self.started_here:
            log.info("stopping the sandbox this run started")
            local_sandbox().stop()
            self.started_here = False


def fill_configuration(configuration: dict[str, Any], values: dict[str, Any]) -> None:
    """Set every key of ``values`` that the configuration leaves empty (explicit values win)."""
    for key, value in values.items():
        if configuration.get(key) in (None, ""):
            configuration[key] = value
