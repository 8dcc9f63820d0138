"""Tolerances for the video-bridge hypotheses, usable with configuration keys (`${...}`).

A `range` tolerance takes literal numbers only; these take their thresholds as arguments, which
Chaos Toolkit fills from the configuration, so `chaos run --var` can change them.
"""

import logging

from actions.types import JsonObject

__all__ = ["met_within"]
logger = logging.getLogger("chaostoolkit")


def met_within(value: JsonObject = None, max_seconds: float = 3.0) -> bool:
    """True when a join (`bridge_join`, `class_can_meet`) succeeded within `max_seconds`.

    value: the probe's output (given by Chaos Toolkit).
    max_seconds: the join time budget, in seconds.
    """
    value = value or {}
    met = bool(value.get("ok")) and float(value.get("seconds", "inf")) <= float(max_seconds)
    logger.info(
        "Join within %s s: ok=%s in %s s on %s: %s",
        max_seconds, value.get("ok"), value.get("seconds"), value.get("bridge"),
        "met" if met else "NOT met",
    )  # fmt: skip
    return met
