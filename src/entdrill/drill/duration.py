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


#: The longest deadline, escalation delay or drill a plan may give: a drill runs in a morning.
MAX_DURATION_S = 24 * 3600.0


def check_duration(value: str) -> tuple[float | None, str]:
    """The seconds of a plan's duration ``value`` and "", or None and why it cannot be one
    (None and "" when it is not a duration at all: the schema says so)."""
    try:
        seconds = parse_duration(value)
    except ValueError:
        return None, ""
    if seconds <= 0:
        return None, f'"{value}" is no time at all; a deadline must be longer than zero'
    if seconds > MAX_DURATION_S:
        return None, (
            f'"{value}" is longer than a day ({format_duration(MAX_DURATION_S)}); a drill runs '
            "in a morning: write a duration such as 10m or 1h30m"
        )
    return seconds, ""


def escalation_problem(after: str, within: str) -> str:
    """Why an escalation ``after`` cannot come with a deadline ``within`` ("" when it can)."""
    delay, _ = check_duration(after)
    deadline, _ = check_duration(within)
    if delay is None or deadline is None or delay < deadline:
        return ""
    return (
        f'"{after}" is not before the channel\'s deadline (expect.within "{within}"): an '
        "escalation after the deadline comes too late to count; escalate sooner"
    )
