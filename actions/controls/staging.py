"""Chaos Toolkit control: point the experiment at the staging ENT, or at the sandbox; and make
sure no fault outlives the experiment.

Declare it in an experiment::

    "controls": [{"name": "staging",
                  "provider": {"type": "python", "module": "actions.controls.staging"}}]

Before anything runs, it checks every ``--var-file`` and ``--var`` against the experiment (a
file that is not JSON or YAML, a key the experiment does not declare, a value of the wrong type)
and the staging ENT's description (a bad URL or journey, a login URL outside the allow-list):
one sentence naming the file and key, and the run is interrupted before any activity. It moves
the var file's ``secrets.staging`` values into the configuration (never into the journal).
When the configuration's ``ent_base_url`` (environment ``ENT_BASE_URL``) is empty, the control
uses the running sandbox or starts one before the experiment, hands its URLs and tokens to the
activities through the configuration, and stops it afterwards only if it started it. A sandbox
that cannot start interrupts the experiment with the reason.

Verdict (``entdrill.verdict``): a steady state not met before the method makes the run
``failed``, with one sentence naming the probe, the URL and the status; a storm that could not
start interrupts the run; a probe of the method (or rollbacks) with a ``tolerance`` out of it
deviates the run, and the journal's ``entdrill.deviated_because`` names the figure that broke.

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
from chaoslib.types import Activity, Experiment, Hypothesis, Journal, Run

from actions.types import Configuration, Secrets
from entdrill import redact, staging_keys, var_files
from entdrill.errors import EntdrillError
from entdrill.faults.ledger import Ledger
from entdrill.faults.watch import RunWatch
from entdrill.guard import allowlist
from entdrill.staging import SandboxLease, fill_configuration
from entdrill.verdict import RunVerdict

logger = logging.getLogger("chaostoolkit")
_lease = SandboxLease()
_watch = RunWatch()
_verdict = RunVerdict()
_refused = {"why": ""}  # the run was refused before it started: nothing may run, not even rollbacks


def _refuse(why: str) -> InterruptExecution:
    _refused["why"] = why
    return InterruptExecution(why)


def before_experiment_control(
    context: Experiment,
    configuration: Configuration = None,
    secrets: Secrets = None,
    **kwargs: Any,
) -> None:
    """Check the run's variables, resolve the staging ENT, put its URLs and tokens in the configuration."""
    _refused["why"] = ""
    if configuration is None:
        raise _refuse("the staging control needs the experiment's configuration")
    try:
        var_files.check(context or {}, *var_files.from_command_line())
        moved = staging_keys.move_secrets(configuration, secrets)
        redact.register(
            *(str(configuration[name]) for name in staging_keys.SECRETS if configuration.get(name))
        )
        _verdict.begin(configuration, secrets)
        _watch.begin(context or {})
    except EntdrillError as error:
        raise _refuse(f"cannot run this experiment: {error}") from error
    if moved:
        logger.info("Secrets from the var file: %s", ", ".join(moved))
    _watch.revert_orphans()  # first, so a sandbox missing a killed replica is completed
    if configuration.get("ent_base_url"):
        configuration.setdefault("staging", "external")
        logger.info("Staging ENT: %s", configuration["ent_base_url"])
    else:
        try:
            fill_configuration(configuration, _lease.acquire(faulted=_faulted_components()))
        except EntdrillError as error:
            raise InterruptExecution(f"cannot use the sandbox staging school: {error}") from error
        logger.info("Staging ENT: the sandbox at %s", configuration["ent_base_url"])
    try:
        staging_keys.derive(configuration)
        staging_keys.check_allowed(configuration, allowlist.from_environment())
    except EntdrillError as error:
        raise _refuse(f"cannot run this experiment: {error}") from error


def _faulted_components() -> list[str]:
    """Components taken down by faults still in place (their owners live: orphans were just
    reverted), such as the bridge another experiment of the same drill is keeping down."""
    return sorted(
        {str(e.target["component"]) for e in Ledger().open_entries() if e.target.get("component")}
    )


def before_hypothesis_control(context: Hypothesis, **kwargs: Any) -> None:
    """Note that the steady-state hypothesis is being checked (alongside the method, or not)."""
    if _verdict.when != "during":
        _watch.enter("hypothesis")


def after_hypothesis_control(context: Hypothesis, state: Run = None, **kwargs: Any) -> None:
    """Say in one sentence why a steady state not met before the method tested nothing."""
    sentence = _verdict.hypothesis_done(state)
    if sentence:
        logger.error(sentence)


def before_method_control(context: Experiment, **kwargs: Any) -> None:
    """Note that the method (where faults are injected) runs."""
    _verdict.method_started = True
    _watch.enter("method")


def after_method_control(context: Experiment, **kwargs: Any) -> None:
    _verdict.method_ended = True
    _watch.enter("")


def before_rollback_control(context: Experiment, **kwargs: Any) -> None:
    """Note that rollbacks run: nothing interrupts them."""
    _watch.enter("rollback")


def before_activity_control(context: Activity, **kwargs: Any) -> None:
    """Do not start another activity once SIGINT or SIGTERM was received, or the run refused."""
    if _refused["why"]:
        raise InterruptExecution(_refused["why"])
    reason = _watch.activity_starting(context)
    if not reason and _verdict.when == "during":
        reason = _verdict.could_not_start  # (a background storm that failed to start)
    if reason:
        logger.error("Interrupting the experiment: %s", reason)
        raise InterruptExecution(reason)


def after_activity_control(context: Activity, state: Run = None, **kwargs: Any) -> None:
    """Interrupt the experiment when a fault or load action failed or a signal was received;
    judge a probe that carries a tolerance."""
    reason = _watch.activity_done(context, state) or _verdict.activity_done(context, state)
    if reason:
        logger.error("Interrupting the experiment: %s", reason)
        raise InterruptExecution(reason)


def after_experiment_control(
    context: Experiment,
    state: Journal = None,
    configuration: Configuration = None,
    secrets: Secrets = None,
    **kwargs: Any,
) -> None:
    """Revert the faults this run left, write the verdict in the journal, stop our sandbox."""
    try:
        if not _refused["why"]:
            _watch.reconcile()
        if isinstance(state, dict):
            _watch.annotate(state)
            for sentence in _verdict.annotate(state):
                logger.error(sentence)
    finally:
        _lease.release()


def cleanup_control() -> None:
    """Last resort: revert this run's faults and stop a sandbox it started, whatever happened."""
    try:
        if not _refused["why"]:
            _watch.reconcile()
    finally:
        _watch.end()
        _lease.release()
