"""Durations (``90s``, ``10m``, ``1h30m``), times of day (``"07:45"``) and local dates in plans."""

from __future__ import annotations

import math
import re

_DURATION = re.compile(r"^(?=\d)(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
_HHMM = re.compile(r"^(?P<h>[01]\d|2[0-3]):(?P<m>[0-5]\d)$")
_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$")


def parse_duration(text: str) -> float:
    """Seconds in ``text`` (``"1h30m"`` -> 5400.0); ``ValueError`` if it is not a duration."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f'{text!r} is not a duration such as "90s", "10m" or "1h30m"')
    hours, minutes, seconds = (int(match.group(k) or 0) for k in ("h", "m", "s"))
    total = hours * 3600 + minutes * 60 + seconds
    return float(total) if total < 10**15 else math.inf  # past any range: refused by the checks


def format_duration(seconds: float) -> str:
    """``5400`` -> ``"1h30m"``; the inverse of ``parse_duration`` for whole seconds."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts) or "0s"
