"""The rate ceiling: no plan may ask more than ``ENTDRILL_MAX_RATE`` arrivals per second."""

from __future__ import annotations

import math
import os

from entdrill.errors import GuardRefusal, InvalidConfig

ENV = "ENTDRILL_MAX_RATE"
DEFAULT_MAX_RATE = 2000.0


def max_rate() -> float:
    """The configured ceiling (arrivals per second, the whole plan over every shard)."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return DEFAULT_MAX_RATE
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise InvalidConfig(f"{ENV} must be a number of arrivals per second above 0, got {text!r}")
    return value


def check(peak_rate: float, ceiling: float | None = None) -> None:
    """Raise :class:`GuardRefusal` (rule ``rate ceiling``) when ``peak_rate`` exceeds it."""
    limit = max_rate() if ceiling is None else ceiling
    if peak_rate > limit:
        raise GuardRefusal(
            f"refused by the rate ceiling: the plan peaks at {peak_rate:g} arrivals/s, above "
            f"the ceiling of {limit:g}/s ({ENV})",
            rule="rate ceiling",
        )
