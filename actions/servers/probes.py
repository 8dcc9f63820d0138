"""Probes of the sandbox ENT's servers: replicas running, and logins measured in a sample."""

import logging

from chaoslib.exceptions import ActivityFailed

from actions.types import Configuration, JsonObject, Secrets
from entdrill.errors import EntdrillError
from entdrill.faults import servers
from entdrill.faults.target import SandboxTarget
from entdrill.probes import staging

__all__ = ["login_sample", "replicas_running"]
logger = logging.getLogger("chaostoolkit")


def replicas_running(configuration: Configuration = None, secrets: Secrets = None) -> JsonObject:
    """Count the ENT replicas running, paused and stopped, against the configured count.

    Returns `{"configured", "running", "paused", "stopped", "all_running", "replicas"}`.
    """
    try:
        return servers.replicas_status(SandboxTarget.from_configuration(configuration))
    except EntdrillError as error:
        raise ActivityFailed(f"replicas_running: {error}") from error


def login_sample(
    count: int = 20,
    concurrency: int = 5,
    role: str = "pupil",
    timeout_s: float = 5.0,
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Log `count` users in along the login journey, `concurrency` at a time; measure them.

    count: logins in the sample. concurrency: logins at once (journey, accounts and page from
    the configuration's staging keys).
    role: whose accounts, from the population file. timeout_s: the limit per HTTP request.
    Returns `{"count", "ok", "success_ratio", "p50_s", "p95_s", "max_s", "errors"}`; a failed
    login counts with the time it took.
    """
    try:
        result = staging.login_sample(
            configuration or {}, count=count, concurrency=concurrency, role=role,
            timeout_s=timeout_s,
        )  # fmt: skip
    except EntdrillError as error:
        raise ActivityFailed(f"login_sample: {error}") from error
    logger.info("Login sample: %s", result)
    return result
