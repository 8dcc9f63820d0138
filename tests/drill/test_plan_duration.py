"""Durations, times of day and local dates as plans write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entdrill.drill.duration import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90.0), ("10m", 600.0), ("1h30m", 5400.0), ("2h", 7200.0), ("1h0m5s", 3605.0)],
)
def test_durations_read_as_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "m", "10 m", "1.5h", "-5m", "5m1h", "10min"])
def test_malformed_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


@given(st.integers(min_value=0, max_value=10 * 24 * 3600))
def test_formatting_a_duration_reads_back_the_same_seconds(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds
