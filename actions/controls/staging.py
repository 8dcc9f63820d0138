"""Chaos Toolkit control: point the experiment at the staging ENT, or at the sandbox; and make
sure no fault outlives the experiment.

Declare it in an experiment::

    "controls": [{"name": "staging",
                  "provider": {"type": "python", "module": "actions.controls.staging"}}]

When the configuration's ``ent_base_url`` (environment ``ENT_BASE_URL``) is empty, the control
uses the running sandbox or starts one before the experiment, hands its URLs and tokens to the
activities through the configuration, and stops it afterwards only if it started it. A sandbox
that cannot start interrupts the experiment with the reason.

Faults: before the experiment, faults left open by runs that died are reverted; a fault action
that fails in the method (or a SIGINT or SIGTERM, even one chaoslib or Python let slip)
interrupts the experiment, and the journal's
``entdrill.interrupted_because`` says why; after the experiment, whatever its outcome (success,
failed hypothesis, failed action, Ctrl-C, SIGTERM), every fault this run left in the ledger is
reverted and the journal's ``entdrill.faults`` says what was done. A fault that cannot be
reverted marks the run failed. After a SIGKILL nothing runs: ``entdrill recover`` does it then.
"""

import logging
from typing import Any

from chaoslib.exceptions import InterruptExecution

from entdrill.errors import EntdrillError
from entdrill.faults.watch import RunWatch
from entdrill.staging import SandboxLease, fill_configuration

logger = logging.getLogger("chaostoolkit")
_lease = SandboxLease()
_watch = RunWatch()


def before_experiment_control(
    context: dict, configuration: dict = None, secrets: dict = None, **kwargs: Any
) -> None:
    """Resolve the staging target and put its URLs and tokens into the configuration."""
    if configuration is None:
        raise InterruptExecution("the staging control needs the experiment's configuration")
    try:
        _watch.begin(context or {})
    except EntdrillError as error:
        raise InterruptExecution(f"cannot run this experiment: {error}") from error
    _watch.revert_orphans()  # first, so a sandbox missing a killed replica is completed
    if configuration.get("ent_base_url"):
        configuration.setdefault("staging", "external")
        logger.info("Staging ENT: %s", configuration["ent_base_url"])
    else:
        try:
            fill_configuration(configuration, _lease.acquire())
        except EntdrillError as error:
            raise InterruptExecution(f"cannot use the sandbox staging school: {error}") from error
        logger.info("Staging ENT: the sandbox at %s", configuration["ent_base_url"])


def before_hypothesis_control(context: dict, **kwargs: Any) -> None:
    """Note that the steady-state hypothesis is being checked."""
    _watch.enter("hypothesis")


def before_method_control(context: dict, **kwargs: Any) -> None:
    """Note that the method (where faults are injected) runs."""
    _watch.enter("method")


def after_method_control(context: dict, **kwargs: Any) -> None:
    _watch.enter("")


def before_rollback_control(context: dict, **kwargs: Any) -> None:
    """Note that rollbacks run: nothing interrupts them."""
    _watch.enter("rollback")


def before_activity_control(context: dict, **kwargs: Any) -> None:
    """Do not start another activity once SIGINT or SIGTERM was received."""
    reason = _watch.activity_starting(context)
    if reason:
        logger.error("Interrupting the experiment: %s", reason)
        raise InterruptExecution(reason)


def after_activity_control(context: dict, state: dict = None, **kwargs: Any) -> None:
    """Interrupt the experiment when a fault action failed or a signal was received."""
    reason = _watch.activity_done(context, state)
    if reason:
        logger.error("Interrupting the experiment: %s", reason)
        raise InterruptExecution(reason)


def after_experiment_control(
    context: dict,
    state: dict = None,
    configuration: dict = None,
    secrets: dict = None,
    **kwargs: Any,
) -> None:
    """Revert the faults this run left, record it in the journal, stop a sandbox we started."""
    try:
        _watch.reconcile()
        if isinstance(state, dict):
            _watch.annotate(state)
    finally:
        _lease.release()


def cleanup_control() -> None:
    """Last resort: revert this run's faults and stop a sandbox it started, whatever happened."""
    try:
        _watch.reconcile()
    finally:
        _watch.end()
        _lease.release()
