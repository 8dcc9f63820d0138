"""The readiness score (pure): one per service, and overall, with the formula in words.

Every **test** in the period gives a result between 0 and 1 (see :data:`FORMULA`). A test weighs
``2 ** (-age / 120)``, its age being the days from the test to the **review date** (``--as-of``,
default today): evidence fades as it ages. A service's score is 100 times the weighted mean of
its results, times the weight of its most recent test (its *freshness*): a single drill two
years old is worth almost nothing, however well it went. A service whose most recent test is
older than the half-life is **stale**.

Every service of the readiness model counts: one never tested in the period is *not tested* and
counts 0 in the overall score, the plain mean over every service. 90 and above reads *ready*,
70 to 89 *at risk*, below 70 *not ready* (the review's decision adds what the score cannot say:
see ``entdrill.review.decision``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

HALF_LIFE_DAYS = 120.0
DEGRADED_RESULT = 0.5
GRADES: tuple[tuple[float, str], ...] = ((90.0, "ready"), (70.0, "at risk"), (0.0, "not ready"))

FORMULA: tuple[str, ...] = (
    "Each test in the period gives a result from 0 to 1: a capacity search its headroom "
    "(the multiple of normal logins sustained ÷ the required multiple, at most 1; 0 when even "
    "its lowest rate broke); a login storm that held its multiple ÷ the required multiple, at "
    "most 1 (a storm that held below the requirement is partial evidence, not a pass), 0 when "
    "it broke; a server loss, session-store loss or video run 1 when the service survived, 0 "
    "when it did not; a fallback channel in a drill 1 when it worked, ½ when degraded, 0 when "
    "it failed (the channels service takes, per drill, the mean of its channels).",
    f"Age counts from the review date (--as-of, default today): a test d days old weighs "
    f"2^(−d/{HALF_LIFE_DAYS:g}); the half-life is {HALF_LIFE_DAYS:g} days (about a school "
    "term).",
    "A service's score is 100 × the weighted mean of its results × the weight of its most "
    "recent test (its freshness): evidence fades, so a single drill two years old is worth "
    f"almost nothing. A service whose most recent test is more than {HALF_LIFE_DAYS:g} days "
    "old (the half-life) is stale.",
    "Every service of the readiness model counts: login under storm, server loss, "
    "session-store loss, the video fallback and the fallback channels (video degraded too "
    "when tested). A service never tested in the period is “not tested” and counts 0; the "
    "overall score is the plain mean over every service, and coverage is the share tested.",
    "90 and above reads “ready”, 70 to 89 “at risk”, below 70 “not ready”. The decision at "
    "the top is not ready when something measured broke (logins below the required multiple, "
    "a service or channel whose latest run failed) or the score is below 70; at risk when "
    "evidence is missing or weak (a service not tested or stale, logins shown to hold only "
    "below the required multiple, a channel short of its expectation) or the score is below "
    "90; ready otherwise.",
)


@dataclass(frozen=True, slots=True)
class Score:
    """A readiness score from 0 to 100 (None when nothing was tested), how many tests, and when
    the most recent was (``latest``) with its weight at the review date (``freshness``)."""

    value: float | None
    tests: int
    latest: datetime | None = None
    freshness: float = 0.0

    @property
    def grade(self) -> str | None:
        return grade(self.value)

    @property
    def tested(self) -> bool:
        return self.tests > 0

    @property
    def stale(self) -> bool:
        """The most recent test is older than the half-life at the review date."""
        return self.tested and self.freshness < 0.5


def grade(value: float | None) -> str | None:
    if value is None:
        return None
    return next(name for floor, name in GRADES if round(value) >= floor)


def age_days(at: datetime, as_of: datetime) -> float:
    """Days from ``at`` to the review date (0 for a test after it)."""
    return max(0.0, (as_of - at).total_seconds() / 86400)


def weight(at: datetime, as_of: datetime) -> float:
    """The weight at the review date ``as_of`` of a test at ``at``."""
    return float(0.5 ** (age_days(at, as_of) / HALF_LIFE_DAYS))


def score(tests: Sequence[tuple[datetime, float]], as_of: datetime) -> Score:
    """The score at ``as_of`` of (time, result) tests, results between 0 and 1."""
    if not tests:
        return Score(None, 0)
    latest = max(at for at, _ in tests)
    weights = [(weight(at, as_of), result) for at, result in tests]
    total = sum(w for w, _ in weights)
    freshness = weight(latest, as_of)
    if total <= 0:  # every test is so old its weight underflows: nothing left of the evidence
        return Score(0.0, len(tests), latest, 0.0)
    mean = sum(w * r for w, r in weights) / total
    return Score(100.0 * mean * freshness, len(tests), latest, freshness)


def overall(scores: Iterable[Score]) -> Score:
    """The plain mean over every service; a service not tested counts 0."""
    found = list(scores)
    if not any(s.tested for s in found):
        return Score(None, 0)
    return Score(
        sum(s.value or 0.0 for s in found) / len(found),
        sum(s.tests for s in found),
        max((s.latest for s in found if s.latest is not None), default=None),
        min((s.freshness for s in found), default=0.0),
    )
