"""Medians and percentiles as the review states them (pure).

- **median**: the middle value, or the mean of the two middle values of an even count;
- **p90** (any percentile ``q``): *nearest rank*, the smallest value such that at least ``q`` of
  the values are at or below it (the ``ceil(q * n)``-th smallest), so it is always a value that
  was observed.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable


def median(values: Iterable[float]) -> float | None:
    """The median of ``values`` (None when there are none)."""
    found = list(values)
    return statistics.median(found) if found else None


def nearest_rank(values: Iterable[float], q: float) -> float | None:
    """The ``q`` percentile (0 < q <= 1) by nearest rank (None when there are no values)."""
    if not 0 < q <= 1:
        raise ValueError(f"percentile {q} is outside (0, 1]")
    found = sorted(values)
    if not found:
        return None
    rank = max(1, math.ceil(round(q * len(found), 9)))
    return found[rank - 1]


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when ``whole`` is 0."""
    return part / whole if whole else None
