"""Tolerances for `promql_value`, taking their thresholds from the configuration (`${...}`)."""

import logging
import math

from actions.types import JsonObject

__all__ = ["promql_at_most"]
logger = logging.getLogger("chaostoolkit")


def promql_at_most(value: JsonObject = None, maximum: float = 0.0) -> bool:
    """True when a `promql_value` measured at most `maximum`, or measured nothing (skipped).

    value: the output of `promql_value` (given by Chaos Toolkit).
    maximum: the largest value that holds (a ratio from 0 to 1, seconds...).
    With no Prometheus configured the probe is skipped: nothing to judge, and the journal's
    `skipped` says why.
    """
    value = value or {}
    if value.get("skipped"):
        logger.info("PromQL tolerance not judged: %s", value["skipped"])
        return True
    measured = value.get("value")
    met = (
        measured is not None
        and not math.isnan(float(measured))
        and float(measured) <= float(maximum)
    )
    logger.info("PromQL %r <= %s: %s (%s)", value.get("query"), maximum, measured, met)
    return bool(met)
