"""Rate limits and forced failures of the sandbox's Slack-compatible API.

Limits follow Slack's published tiers (calls per minute per method, with short bursts allowed):
tier 2 = 20/min, tier 3 = 50/min, tier 4 = 100/min, "special" for ``auth.test``, and
``chat.postMessage`` at about one message per second per channel with a burst of a few, under a
workspace-wide ceiling. Slack counts per app and workspace; here every token is its own app (the
bot, and each simulated person with their user token), so staff reacting never starve the drill
runner. A call over its limit is answered HTTP 429 with ``Retry-After`` in whole seconds.

Forced failures are queued by the admin API for tests: the next N calls of a method fail with a
status (429 with ``Retry-After``, 500, 503), or are carried out and *then* answered 500 or cut off
(the ambiguous failure after which a retry would post twice).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

FORCE_MODES = ("fail", "accept_then_fail", "accept_then_drop")
FORCE_STATUSES = (429, 500, 502, 503)


@dataclass(frozen=True)
class Rate:
    """``per_minute`` calls per minute, with up to ``burst`` calls at once."""

    per_minute: float
    burst: int

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


TIER_2 = Rate(per_minute=20, burst=10)
TIER_3 = Rate(per_minute=50, burst=20)
TIER_4 = Rate(per_minute=100, burst=40)
SPECIAL = Rate(per_minute=600, burst=100)
POST_PER_CHANNEL = Rate(per_minute=60, burst=4)  # about 1 per second per channel
POST_PER_WORKSPACE = Rate(per_minute=300, burst=100)

METHOD_RATES: dict[str, Rate] = {
    "auth.test": SPECIAL,
    "chat.postMessage": POST_PER_WORKSPACE,
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,
    "conversations.replies": TIER_3,
    "conversations.list": TIER_2,
    "conversations.info": TIER_3,
    "conversations.members": TIER_4,
    "reactions.add": TIER_3,
    "reactions.get": TIER_3,
    "users.list": TIER_2,
    "users.info": TIER_4,
    "users.lookupByEmail": TIER_3,
}


class TokenBucket:
    """A bucket of ``rate.burst`` calls refilled at ``rate.per_second``."""

    def __init__(self, rate: Rate, now: float) -> None:
        self.rate = rate
        self.tokens = float(rate.burst)
        self.updated = now

    def take(self, now: float) -> float:
        """Spend one call: 0.0 if allowed, else the seconds until one is available."""
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(float(self.rate.burst), self.tokens + elapsed * self.rate.per_second)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate.per_second


class RateLimiter:
    """Token buckets by (who, method[, channel]); thread-safe."""

    def __init__(self, rates: dict[str, Rate] | None = None, *, enabled: bool = True) -> None:
        self.rates = dict(METHOD_RATES if rates is None else rates)
        self.enabled = enabled
        self._buckets: dict[tuple[str, ...], TokenBucket] = {}
        self._lock = threading.Lock()

    def check(self, who: str, method: str, now: float, *, channel: str = "") -> int:
        """0 if the call may proceed, else the whole seconds (at least 1) to wait."""
        if not self.enabled:
            return 0
        checks: list[tuple[tuple[str, ...], Rate]] = []
        rate = self.rates.get(method)
        if rate is not None:
            checks.append(((who, method), rate))
        if method == "chat.postMessage" and channel:
            checks.append(((who, method, channel), POST_PER_CHANNEL))
        with self._lock:
            wait = 0.0
            for key, bucket_rate in checks:
                bucket = self._buckets.get(key)
                if bucket is None:
                    bucket = self._buckets[key] = TokenBucket(bucket_rate, now)
                wait = max(wait, bucket.take(now))
        return 0 if wait <= 0 else max(1, math.ceil(wait))


@dataclass(frozen=True)
class Force:
    """One queued forced failure of a method."""

    method: str
    count: int
    mode: str = "fail"
    status: int = 500
    retry_after: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "count": self.count,
            "mode": self.mode,
            "status": self.status,
            "retry_after": self.retry_after,
        }


def parse_force(data: Any, known_methods: set[str]) -> Force:
    """A :class:`Force` from the admin API's JSON; ValueError names what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object with method, count and status or mode")
    unknown = sorted(set(data) - {"method", "count", "mode", "status", "retry_after"})
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    method = data.get("method")
    if method not in known_methods:
        raise ValueError(
            f"method must be one of {', '.join(sorted(known_methods))}, got {method!r}"
        )
    count = data.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a whole number of at least 0, got {count!r}")
    mode = data.get("mode", "fail")
    if mode not in FORCE_MODES:
        raise ValueError(f"mode must be one of {', '.join(FORCE_MODES)}, got {mode!r}")
    default_status = 500 if mode != "fail" else 429
    status = data.get("status", default_status)
    if status not in FORCE_STATUSES:
        raise ValueError(
            f"status must be one of {', '.join(map(str, FORCE_STATUSES))}, got {status!r}"
        )
    retry_after = data.get("retry_after", 1)
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
        raise ValueError(f"retry_after must be whole seconds of at least 0, got {retry_after!r}")
    return Force(method=method, count=count, mode=mode, status=status, retry_after=retry_after)


class ForcedFailures:
    """Queued forced failures by method, consumed one call at a time; thread-safe."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Force]] = {}
        self._lock = threading.Lock()

    def add(self, force: Force) -> None:
        with self._lock:
            if force.count == 0:
                self._queues.pop(force.method, None)  # count 0 clears the method's queue
                return
            self._queues.setdefault(force.method, deque()).append(force)

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()

    def take(self, method: str) -> Force | None:
        """The forced failure for this call of ``method``, if any is queued."""
        with self._lock:
            queue = self._queues.get(method)
            if not queue:
                return None
            force = queue[0]
            if force.count <= 1:
                queue.popleft()
            else:
                queue[0] = Force(
                    method=force.method,
                    count=force.count - 1,
                    mode=force.mode,
                    status=force.status,
                    retry_after=force.retry_after,
                )
            return force

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [force.to_dict() for queue in self._queues.values() for force in queue]
