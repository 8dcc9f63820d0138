"""Median and nearest-rank percentiles, as the review states them."""

from __future__ import annotations

import pytest

from entdrill.review.quantiles import median, nearest_rank, share


def test_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones() -> None:
    assert median([30, 10, 20]) == 20
    assert median([40, 10, 30, 20]) == 25
    assert median([]) is None


def test_p90_by_nearest_rank_is_an_observed_value() -> None:
    assert nearest_rank(range(1, 11), 0.9) == 9
    assert nearest_rank(range(1, 21), 0.9) == 18
    assert nearest_rank([5.0, 1.0, 3.0], 0.9) == 5.0
    assert nearest_rank([7.0], 0.9) == 7.0
    assert nearest_rank([], 0.9) is None


def test_nearest_rank_refuses_a_percentile_outside_0_1() -> None:
    with pytest.raises(ValueError, match="outside"):
        nearest_rank([1.0], 0)


def test_a_share_of_nothing_is_none() -> None:
    assert share(3, 4) == 0.75
    assert share(0, 0) is None
