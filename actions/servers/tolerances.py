"""Tolerances for the server-loss hypotheses, usable with configuration keys (`${...}`).

A `range` tolerance takes literal numbers only; these take their thresholds as arguments, which
Chaos Toolkit fills from the configuration, so `chaos run --var` can change them. Use one as a
probe tolerance: `{"type": "probe", "name": ..., "provider": {"type": "python", "module":
"actions.servers.tolerances", "func": "login_slo_met", "arguments": {...}}}`.
"""

import logging

from actions.types import JsonObject

__all__ = ["login_slo_met"]
logger = logging.getLogger("chaostoolkit")


def login_slo_met(
    value: JsonObject = None, min_success_ratio: float = 0.95, max_p95_s: float = 2.0
) -> bool:
    """True when a login sample's success ratio and p95 meet the objective.

    value: the output of `login_sample` (given by Chaos Toolkit).
    min_success_ratio: the least share of logins that must succeed (0 to 1).
    max_p95_s: the most seconds the 95th percentile of logins may take.
    """
    value = value or {}
    ratio, p95 = value.get("success_ratio"), value.get("p95_s")
    met = (
        ratio is not None
        and p95 is not None
        and float(ratio) >= float(min_success_ratio)
        and float(p95) <= float(max_p95_s)
    )
    logger.info(
        "Login objective (>= %s ok, p95 <= %s s): ratio %s, p95 %s s: %s",
        min_success_ratio, max_p95_s, ratio, p95, "met" if met else "NOT met",
    )  # fmt: skip
    return bool(met)
