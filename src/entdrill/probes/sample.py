"""A sample of synthetic logins run concurrently: the share that succeeded and their latency."""

from __future__ import annotations

import math
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from entdrill.errors import InvalidArgument
from entdrill.journeys import LoginJourney
from entdrill.probes.login import LoginResult, journey_login, pick_user, synthetic_login


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (``share`` from 0 to 1); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(results: list[LoginResult]) -> dict[str, Any]:
    """Success ratio and latency of a sample (pure). Failed logins count with their duration."""
    seconds = [r.seconds for r in results]
    ok = sum(1 for r in results if r.ok)
    errors = Counter(f"{r.step}: {r.error}" for r in results if not r.ok)
    return {
        "count": len(results),
        "ok": ok,
        "success_ratio": ok / len(results) if results else 0.0,
        "p50_s": round(percentile(seconds, 0.50), 4),
        "p95_s": round(percentile(seconds, 0.95), 4),
        "max_s": round(max(seconds, default=0.0), 4),
        "errors": dict(errors.most_common(5)),
    }


def sample(
    journey: LoginJourney,
    accounts: list[tuple[str, str]],
    *,
    concurrency: int = 5,
    page: str = "",
    timeout_s: float = 5.0,
) -> dict[str, Any]:
    """Log each of ``accounts`` in along ``journey``, ``concurrency`` at a time; summarize."""

    def one(account: tuple[str, str]) -> LoginResult:
        return journey_login(journey, account[0], account[1], page=page, timeout_s=timeout_s)

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(accounts)))) as pool:
        return summarize(list(pool.map(one, accounts)))


def login_sample(
    portal_url: str,
    population_csv: str,
    *,
    count: int = 20,
    concurrency: int = 5,
    role: str = "pupil",
    timeout_s: float = 5.0,
    cas_url: str = "",
) -> dict[str, Any]:
    """Run ``count`` synthetic logins of ``role`` users, ``concurrency`` at a time; summarize."""
    if not portal_url:
        raise InvalidArgument(
            "ent_base_url: no portal to log in to; is the staging control declared?"
        )
    for name, value in (("count", count), ("concurrency", concurrency)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgument(f"{name}: expected a whole number of at least 1, got {value!r}")
    users = [pick_user(population_csv, role) for _ in range(count)]

    def one(user: tuple[str, str]) -> LoginResult:
        return synthetic_login(portal_url, user[0], user[1], cas_url=cas_url, timeout_s=timeout_s)

    with ThreadPoolExecutor(max_workers=min(concurrency, count)) as pool:
        results = list(pool.map(one, users))
    return summarize(results)
