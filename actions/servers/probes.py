"""Probes of the sandbox ENT's servers: replicas running, and logins measured in a sample."""

import logging

from chaoslib.exceptions import ActivityFailed

from entdrill.errors import EntdrillError
from entdrill.faults import servers
from entdrill.faults.target import SandboxTarget
from entdrill.probes.sample import login_sample as run_sample

__all__ = ["login_sample", "replicas_running"]
logger = logging.getLogger("chaostoolkit")


def replicas_running(configuration: dict = None, secrets: dict = None) -> dict:
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
    configuration: dict = None,
    secrets: dict = None,
) -> dict:
    """Log `count` users in through CAS, `concurrency` at a time; measure success and latency.

    count: logins in the sample. concurrency: logins at once.
    role: whose accounts, from the population file. timeout_s: the limit per HTTP request.
    Returns `{"count", "ok", "success_ratio", "p50_s", "p95_s", "max_s", "errors"}`; a failed
    login counts with the time it took.
    """
    configuration = configuration or {}
    try:
        result = run_sample(
            configuration.get("ent_base_url", ""),
            configuration.get("population_csv", ""),
            count=count,
            concurrency=concurrency,
            role=role,
            timeout_s=timeout_s,
            cas_url=configuration.get("cas_url", ""),
        )
    except EntdrillError as error:
        raise ActivityFailed(f"login_sample: {error}") from error
    logger.info("Login sample: %s", result)
    return result
