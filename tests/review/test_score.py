"""The readiness score: recency-weighted results per service, plain mean overall."""

from __future__ import annotations

from datetime import timedelta

import pytest

from entdrill.review.score import FORMULA, HALF_LIFE_DAYS, Score, grade, overall, score, weight

from .support import at


def test_a_test_one_half_life_older_weighs_half() -> None:
    assert weight(at(0), at(0)) == 1.0
    assert weight(at(0), at(HALF_LIFE_DAYS)) == pytest.approx(0.5)
    assert weight(at(0), at(2 * HALF_LIFE_DAYS)) == pytest.approx(0.25)


def test_a_service_score_is_the_weighted_mean_of_its_results() -> None:
    # Latest held (weight 1), one broke 120 days before (weight 1/2): 100 * 1 / 1.5.
    found = score([(at(0), 0.0), (at(HALF_LIFE_DAYS), 1.0)])
    assert found.value == pytest.approx(200 / 3)
    assert found.tests == 2


def test_recent_results_weigh_more_than_old_ones() -> None:
    improving = score([(at(0), 0.0), (at(200), 1.0)])
    worsening = score([(at(0), 1.0), (at(200), 0.0)])
    assert improving.value is not None and worsening.value is not None
    assert improving.value > 50 > worsening.value
    assert improving.value + worsening.value == pytest.approx(100)


def test_the_same_day_weighs_the_same_whatever_the_order() -> None:
    found = score([(at(5), 1.0), (at(5), 0.5), (at(5) + timedelta(hours=1), 0.0)])
    assert found.value == pytest.approx(100 * 1.5 / 3, rel=1e-3)


def test_nothing_tested_has_no_score() -> None:
    assert score([]) == Score(None, 0)
    assert overall([Score(None, 0)]) == Score(None, 0)


def test_the_overall_score_is_the_plain_mean_of_the_services_tested() -> None:
    found = overall([Score(100.0, 3), Score(50.0, 1), Score(None, 0), Score(90.0, 6)])
    assert found.value == pytest.approx(80.0)
    assert found.tests == 10


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100, "ready"),
        (89.5, "ready"),
        (89.4, "at risk"),
        (70, "at risk"),
        (69.4, "not ready"),
        (0, "not ready"),
    ],
)
def test_grades_follow_the_rounded_score(value: float, expected: str) -> None:
    assert grade(value) == expected


def test_the_formula_is_stated_in_words_with_its_constants() -> None:
    text = " ".join(FORMULA)
    assert "2^(−d/120)" in text
    assert "½ when degraded" in text
    assert "plain mean" in text
