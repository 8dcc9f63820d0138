"""The edge between Chaos Toolkit activities and the fault injectors.

An activity in ``actions/servers`` or ``actions/video`` calls :func:`run_fault` with an injector
and its arguments: the sandbox is resolved from the experiment's configuration, entdrill's errors
become ``ActivityFailed`` with their sentence, and what the injector did is logged to the
``chaostoolkit`` logger (so it lands in ``chaostoolkit.log``) and returned for the journal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chaoslib.exceptions import ActivityFailed

from entdrill import redact
from entdrill.errors import EntdrillError
from entdrill.faults.target import SandboxTarget

logger = logging.getLogger("chaostoolkit")


def run_fault(
    injector: Callable[..., dict[str, Any]],
    configuration: dict[str, Any] | None,
    **arguments: Any,
) -> dict[str, Any]:
    """Call ``injector(target, **arguments)`` on the configured sandbox; ActivityFailed on error."""
    name = getattr(injector, "__name__", "fault")
    try:
        target = SandboxTarget.from_configuration(configuration)
    except EntdrillError as error:
        raise ActivityFailed(f"{name}: {error}") from error
    return call_fault(injector, target, **arguments)


def call_fault(
    injector: Callable[..., dict[str, Any]], *args: Any, **arguments: Any
) -> dict[str, Any]:
    """Call ``injector``; entdrill's errors become ActivityFailed; log and return what it did."""
    name = getattr(injector, "__name__", "fault")
    try:
        result = injector(*args, **arguments)
    except EntdrillError as error:
        raise ActivityFailed(f"{name}: {error}") from error
    result = redact.redact(result)
    logger.info("%s: %s", name, result)
    return dict(result)
