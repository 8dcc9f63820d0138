"""Retry with a capped exponential backoff: the one way entdrill tries a call again.

A channel that retries (SMS, email, Slack, Matrix) loops over :func:`attempts`, which yields the
attempt numbers 1 to ``max_attempts`` and sleeps the backoff before each attempt after the first:
``base_s``, then twice that, and so on, never more than ``cap_s``. What is worth another attempt,
and what to do between two, stays with the caller::

    for attempt in retry.attempts(3, base_s=1.0):
        try:
            return send(), attempt
        except Refused:
            if attempt == 3:
                raise

A rate limit (HTTP 429) is not a backoff: it waits what the server asks for (``Retry-After``).
"""

import time
from collections.abc import Callable, Iterator

__all__ = ["DEFAULT_CAP_S", "attempts", "delay"]

DEFAULT_CAP_S = 10.0


def delay(failures: int, *, base_s: float, cap_s: float = DEFAULT_CAP_S) -> float:
    """Seconds to wait after ``failures`` failed attempts in a row: ``base_s * 2**(failures - 1)``,
    at most ``cap_s``."""
    return min(cap_s, base_s * 2.0 ** (failures - 1))


def attempts(
    max_attempts: int,
    *,
    base_s: float,
    cap_s: float = DEFAULT_CAP_S,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[int]:
    """Attempt numbers 1 to ``max_attempts`` (at least 1), sleeping :func:`delay` before each one
    after the first; the caller stops early (``return``, ``break``, ``raise``) when one succeeds."""
    for attempt in range(1, max(1, max_attempts) + 1):
        if attempt > 1:
            sleep(delay(attempt - 1, base_s=base_s, cap_s=cap_s))
        yield attempt
