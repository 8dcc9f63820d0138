"""Profile arithmetic: rates, totals, peaks, and the options that are refused."""

from __future__ import annotations

import math

import pytest

from entdrill.errors import InvalidArgument
from entdrill.flood import profiles


def test_constant_profile_asks_rate_times_duration_arrivals() -> None:
    p = profiles.build("constant", duration_s=60, rate=25)
    assert p.tick(0) == 25 and p.tick(59.9) == 25
    assert p.cumulative(60) == 1500
    assert p.tick(60) is None and p.tick(-1) is None


def test_ramp_profile_reaches_target_rate_at_end_and_averages_its_ends() -> None:
    p = profiles.build("ramp", duration_s=10, rate=10, to=30)
    assert p.rate_at(0) == 10
    assert p.rate_at(5) == 20
    assert p.cumulative(10) == pytest.approx(200)
    assert p.cumulative(5) == pytest.approx(75)
    assert p.peak_rate() == 30


def test_steps_profile_climbs_in_equal_plateaus() -> None:
    p = profiles.build("steps", duration_s=40, rate=10, to=40, steps=4)
    assert [p.rate_at(t) for t in (0, 9.9, 10, 25, 39.9)] == [10, 10, 20, 30, 40]
    assert p.cumulative(40) == pytest.approx(10 * (10 + 20 + 30 + 40))


def test_spike_is_a_multiple_of_normal_for_the_middle_half() -> None:
    p = profiles.build("spike", duration_s=100, normal_rate=2, multiplier=100)
    assert p.rate_at(10) == 2 and p.rate_at(50) == 200 and p.rate_at(90) == 2
    assert p.cumulative(100) == pytest.approx(2 * 50 + 200 * 50)
    assert p.peak_rate() == 200


def test_school_morning_starts_at_normal_and_peaks_at_multiplier_times_normal() -> None:
    p = profiles.build("school-morning", duration_s=100, normal_rate=5, multiplier=10)
    assert p.rate_at(0) == pytest.approx(5)
    assert p.rate_at(30) == pytest.approx(50)
    assert max(p.rate_at(t / 10) for t in range(1000)) == pytest.approx(50, rel=1e-3)
    assert p.rate_at(99) < 10
    # the numerical integral agrees with a fine Riemann sum
    riemann = sum(p.rate_at((i + 0.5) / 100) for i in range(10_000)) / 100
    assert p.cumulative(100) == pytest.approx(riemann, rel=1e-4)


def test_multiplier_defaults_to_ten() -> None:
    assert profiles.build("spike", duration_s=8, normal_rate=1).peak_rate() == 10


@pytest.mark.parametrize("rate", [0, -5, math.nan, math.inf])
def test_a_rate_that_is_not_a_positive_finite_number_is_refused_naming_the_option(
    rate: float,
) -> None:
    with pytest.raises(InvalidArgument, match="--rate must be a finite number above 0"):
        profiles.build("constant", duration_s=10, rate=rate)


def test_an_unknown_profile_is_refused_with_the_known_ones() -> None:
    with pytest.raises(InvalidArgument, match="--profile 'tsunami' is unknown; expected one of"):
        profiles.build("tsunami", duration_s=10, rate=1)


def test_spike_without_normal_rate_names_the_missing_option() -> None:
    with pytest.raises(InvalidArgument, match="--normal-rate is required"):
        profiles.build("spike", duration_s=10)
