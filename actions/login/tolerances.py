"""Tolerances for the login hypotheses, usable with configuration keys (`${...}`).

A `range` tolerance takes literal numbers only; these take their thresholds as arguments, which
Chaos Toolkit fills from the configuration, so `chaos run --var` (and a var file) can change them.
"""

import logging

from actions.types import JsonObject

__all__ = ["logged_in_within"]
logger = logging.getLogger("chaostoolkit")


def logged_in_within(value: JsonObject = None, max_seconds: float = 2.0) -> bool:
    """True when a synthetic login (`synthetic_login`) succeeded within `max_seconds`.

    value: the probe's output (given by Chaos Toolkit).
    max_seconds: the login time budget, in seconds.
    """
    value = value or {}
    met = bool(value.get("ok")) and float(value.get("seconds", "inf")) <= float(max_seconds)
    logger.info(
        "Login within %s s: ok=%s in %s s (%s): %s",
        max_seconds, value.get("ok"), value.get("seconds"), value.get("error") or "no error",
        "met" if met else "NOT met",
    )  # fmt: skip
    return met
