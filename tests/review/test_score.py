"""The readiness score: results weighted by their age at the review date, faded by the age of
the most recent test; every service counts, a service not tested counts 0."""

from __future__ import annotations

from datetime import timedelta

import pytest

from entdrill.review.score import FORMULA, HALF_LIFE_DAYS, Score, grade, overall, score, weight

from .support import at


def test_a_test_one_half_life_older_than_the_review_date_weighs_half() -> None:
    assert weight(at(0), at(0)) == 1.0
    assert weight(at(0), at(HALF_LIFE_DAYS)) == pytest.approx(0.5)
    assert weight(at(0), at(2 * HALF_LIFE_DAYS)) == pytest.approx(0.25)
    assert weight(at(10), at(0)) == 1.0  # a test after the review date is not older


def test_a_fresh_service_score_is_the_weighted_mean_of_its_results() -> None:
    # Reviewed on the day of the latest test (held, weight 1); one broke a half-life before.
    found = score([(at(0), 0.0), (at(HALF_LIFE_DAYS), 1.0)], at(HALF_LIFE_DAYS))
    assert found.value == pytest.approx(200 / 3)
    assert found.tests == 2 and found.freshness == 1.0 and not found.stale


def test_a_single_old_test_fades_with_its_age_at_the_review_date() -> None:
    tests = [(at(0), 1.0)]
    assert score(tests, at(0)).value == pytest.approx(100)
    assert score(tests, at(HALF_LIFE_DAYS)).value == pytest.approx(50)
    two_years = score(tests, at(730))
    assert two_years.value == pytest.approx(100 * 0.5 ** (730 / HALF_LIFE_DAYS))
    assert two_years.value < 2 and two_years.stale


def test_stale_means_the_latest_test_is_older_than_the_half_life() -> None:
    assert not score([(at(0), 1.0)], at(HALF_LIFE_DAYS - 1)).stale
    assert score([(at(0), 1.0)], at(HALF_LIFE_DAYS + 1)).stale
    assert not score([(at(0), 1.0), (at(200), 1.0)], at(210)).stale


def test_recent_results_weigh_more_than_old_ones() -> None:
    improving = score([(at(0), 0.0), (at(200), 1.0)], at(200))
    worsening = score([(at(0), 1.0), (at(200), 0.0)], at(200))
    assert improving.value is not None and worsening.value is not None
    assert improving.value > 50 > worsening.value
    assert improving.value + worsening.value == pytest.approx(100)


def test_the_same_day_weighs_the_same_whatever_the_order() -> None:
    found = score([(at(5), 1.0), (at(5), 0.5), (at(5) + timedelta(hours=1), 0.0)], at(5, 3600))
    assert found.value == pytest.approx(100 * 1.5 / 3, rel=1e-3)


def test_nothing_tested_has_no_score() -> None:
    assert score([], at(0)) == Score(None, 0)
    assert not Score(None, 0).tested and not Score(None, 0).stale
    assert overall([Score(None, 0)]) == Score(None, 0)


def test_the_overall_score_counts_every_service_and_an_untested_one_as_0() -> None:
    found = overall([Score(100.0, 3), Score(50.0, 1), Score(None, 0), Score(90.0, 6)])
    assert found.value == pytest.approx(60.0)
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


def test_the_formula_states_the_half_life_stale_coverage_and_the_review_date() -> None:
    text = " ".join(FORMULA)
    assert "2^(−d/120)" in text and "half-life is 120 days" in text
    assert "review date (--as-of, default today)" in text
    assert "stale" in text and "counts 0" in text and "coverage" in text
    assert "partial evidence" in text and "headroom" in text
    assert "½ when degraded" in text
