"""Chaos Toolkit control: point the experiment at the staging ENT, or at the sandbox.

Declare it in an experiment::

    "controls": [{"name": "staging",
                  "provider": {"type": "python", "module": "actions.controls.staging"}}]

When the configuration's ``ent_base_url`` (environment ``ENT_BASE_URL``) is empty, the control
uses the running sandbox or starts one before the experiment, hands its URLs and tokens to the
activities through the configuration, and stops it afterwards only if it started it. A sandbox
that cannot start interrupts the experiment with the reason.
"""

import logging
from typing import Any

from chaoslib.exceptions import InterruptExecution

from entdrill.errors import EntdrillError
from entdrill.staging import SandboxLease, fill_configuration

logger = logging.getLogger("chaostoolkit")
_lease = SandboxLease()


def before_experiment_control(
    context: dict, configuration: dict = None, secrets: dict = None, **kwargs: Any
) -> None:
    """Resolve the staging target and put its URLs and tokens into the configuration."""
    if configuration is None:
        raise InterruptExecution("the staging control needs the experiment's configuration")
    if configuration.get("ent_base_url"):
        configuration.setdefault("staging", "external")
        logger.info("Staging ENT: %s", configuration["ent_base_url"])
        return
    try:
        fill_configuration(configuration, _lease.acquire())
    except EntdrillError as error:
        raise InterruptExecution(f"cannot use the sandbox staging school: {error}") from error
    logger.info("Staging ENT: the sandbox at %s", configuration["ent_base_url"])


def after_experiment_control(
    context: dict,
    state: dict = None,
    configuration: dict = None,
    secrets: dict = None,
    **kwargs: Any,
) -> None:
    """Stop the sandbox if this run started it."""
    _lease.release()


def cleanup_control() -> None:
    """Last resort: stop a sandbox this run started, whatever happened before."""
    _lease.release()
