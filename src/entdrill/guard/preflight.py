"""The checks every flood passes before its first request, in the order that costs nothing first.

1. every origin the plan sends to is in the allow-list (no network);
2. the plan's peak rate is under the ceiling (no network);
3. every origin serves the expected consent token (one GET each, to the consent path only).
"""

from __future__ import annotations

from collections.abc import Sequence

from entdrill.guard import ceiling, consent
from entdrill.guard.allowlist import AllowList


def check(
    origins: Sequence[str | tuple[str, str]],
    *,
    peak_rate: float,
    token: str,
    allow: AllowList,
    consent_timeout_s: float = 5.0,
) -> None:
    """Raise :class:`entdrill.errors.GuardRefusal` naming the first rule that refuses.

    Each origin is a URL, or ``(option, URL)`` so a refusal names the option that gave it
    (``--cas-url``, ``--service-url``...).
    """
    named = [item if isinstance(item, tuple) else ("--target", item) for item in origins]
    for option, url in named:
        allow.check(url, option)
    ceiling.check(peak_rate)
    seen: set[str] = set()
    for _, url in named:
        origin = consent.origin(url)
        if origin not in seen:
            seen.add(origin)
            consent.check(url, token, timeout_s=consent_timeout_s)
