"""How the review's figures read (pure): shares, durations, latencies, multiples, dates.

Times are shown in Europe/Paris, the schools' time; the view model (``view``) words every
figure with these functions once, for the HTML and the Markdown alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

#: The page's title unless ``--title`` says otherwise.
TITLE = "Continuity readiness review"

PARIS = ZoneInfo("Europe/Paris")
NONE = "–"
#: The columns of the drills table, the same in HTML and Markdown.
DRILL_COLUMNS = (
    "started",
    "plan",
    "status",
    "login storm",
    "services",
    "channels",
    "open findings",
    "id",
)
#: The columns of the channels-over-the-period table, the same in HTML and Markdown.
CHANNEL_COLUMNS = (
    "channel",
    "drills",
    "worked ✓",
    "degraded ~",
    "failed ✗",
    "delivered",
    "acknowledged",
    "median time to ack",
    "p90 time to ack",
    "never reached",
    "score",
)


def pct(share: float | None, digits: int = 1) -> str:
    """``0.9734`` → ``97.3%``; None → ``–``."""
    if share is None:
        return NONE
    return f"{100 * share:.{digits}f}%"


def score(value: float | None) -> str:
    """A readiness score as an integer out of 100 (``–`` when nothing was tested)."""
    return NONE if value is None else f"{round(value):d}"


def multiple(value: float | None) -> str:
    """``300.0`` → ``300x``."""
    if value is None:
        return NONE
    return f"{value:g}x"


def latency(ms: float | None) -> str:
    """``850`` → ``850 ms``, ``13396.8`` → ``13.4 s``."""
    if ms is None:
        return NONE
    return f"{ms:,.0f} ms" if ms < 1000 else f"{ms / 1000:,.1f} s"


def duration(seconds: float | None) -> str:
    """``42.4`` → ``42 s``, ``312.8`` → ``5 min 13 s``, ``7260`` → ``2 h 1 min``."""
    if seconds is None:
        return NONE
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def when(moment: datetime | None) -> str:
    """``2026-03-12 07:45`` (Paris time)."""
    return NONE if moment is None else f"{moment.astimezone(PARIS):%Y-%m-%d %H:%M}"


def day(moment: datetime | None) -> str:
    """``2026-03-12`` (Paris time)."""
    return NONE if moment is None else f"{moment.astimezone(PARIS):%Y-%m-%d}"


def review_day(as_of: datetime | None) -> str:
    """The review date: ``--as-of DATE`` is the end of that day (its next midnight), so the
    day shown is the one just before that instant."""
    return NONE if as_of is None else day(as_of - timedelta(microseconds=1))


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 drill``, ``3 drills``, ``10,000 drills``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def ratio(part: int, whole: int) -> str:
    """``162 of 189``."""
    return f"{part:,} of {whole:,}"
