"""The readiness score (pure): one per service, and overall, with the formula in words.

Every **test** in the period gives a result between 0 and 1: a login storm 1 when it held and 0
when it broke; a server loss, session-store loss or video run 1 when the service survived and 0
when it did not; a fallback channel in a drill 1 when it worked, ½ when degraded, 0 when it
failed. A test weighs ``2 ** (-d / 120)``, ``d`` being the days between it and the most recent
test of the same service in the period: the last drill counts fully, one 120 days (about a school
term) older counts half. A service's score is 100 times the weighted mean of its results; the
overall score is the plain mean of the scores of the services tested in the period. 90 and above
reads *ready*, 70 to 89 *at risk*, below 70 *not ready*.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

HALF_LIFE_DAYS = 120.0
DEGRADED_RESULT = 0.5
GRADES: tuple[tuple[float, str], ...] = ((90.0, "ready"), (70.0, "at risk"), (0.0, "not ready"))

FORMULA: tuple[str, ...] = (
    "Each test in the period gives a result: a login storm 1 when it held, 0 when it broke; "
    "a server loss, session-store loss or video run 1 when the service survived, 0 when it "
    "did not; a fallback channel in a drill 1 when it worked, ½ when degraded, 0 when it failed.",
    f"A test weighs 2^(−d/{HALF_LIFE_DAYS:g}), d being the days between it and the most recent "
    f"test of the same service: the latest counts fully, one {HALF_LIFE_DAYS:g} days (about a "
    "school term) older counts half.",
    "A service's score is 100 × the weighted mean of its results. The overall score is the "
    "plain mean of the scores of the services tested in the period (a service not tested has "
    "no score and does not count).",
    "90 and above reads “ready”, 70 to 89 “at risk”, below 70 “not ready”.",
)


@dataclass(frozen=True, slots=True)
class Score:
    """A readiness score from 0 to 100 (None when nothing was tested) and how many tests."""

    value: float | None
    tests: int

    @property
    def grade(self) -> str | None:
        return grade(self.value)


def grade(value: float | None) -> str | None:
    if value is None:
        return None
    return next(name for floor, name in GRADES if round(value) >= floor)


def weight(at: datetime, latest: datetime) -> float:
    """The weight of a test at ``at`` when the latest test is at ``latest``."""
    days = max(0.0, (latest - at).total_seconds() / 86400)
    return float(0.5 ** (days / HALF_LIFE_DAYS))


def score(tests: Sequence[tuple[datetime, float]]) -> Score:
    """The score of (time, result) tests, results between 0 and 1."""
    if not tests:
        return Score(None, 0)
    latest = max(at for at, _ in tests)
    weights = [(weight(at, latest), result) for at, result in tests]
    total = sum(w for w, _ in weights)
    return Score(100.0 * sum(w * r for w, r in weights) / total, len(tests))


def overall(scores: Iterable[Score]) -> Score:
    """The plain mean of the scores that have a value."""
    found = [s for s in scores if s.value is not None]
    if not found:
        return Score(None, 0)
    return Score(
        sum(s.value for s in found if s.value is not None) / len(found),
        sum(s.tests for s in found),
    )
