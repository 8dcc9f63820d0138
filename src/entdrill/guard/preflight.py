"""The checks every flood passes before its first request, in the order that costs nothing first.

1. every origin the plan sends to is in the allow-list (no network);
2. the plan's peak rate is under the ceiling (no network);
3. every origin serves the expected consent token (one GET each, to the consent path only).
"""

from __future__ import annotations

from entdrill.guard import ceiling, consent
from entdrill.guard.allowlist import AllowList


def check(
    origins: list[str],
    *,
    peak_rate: float,
    token: str,
    allow: AllowList,
    consent_timeout_s: float = 5.0,
) -> None:
    """Raise :class:`entdrill.errors.GuardRefusal` naming the first rule that refuses."""
    for url in origins:
        allow.check(url)
    ceiling.check(peak_rate)
    for url in origins:
        consent.check(url, token, timeout_s=consent_timeout_s)
