"""--since and --until: Paris days (until included) or instants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from entdrill.errors import InvalidArgument
from entdrill.review.period import parse_period


def test_dates_are_whole_paris_days_and_until_includes_its_day() -> None:
    since, until = parse_period("2026-01-05", "2026-07-04")
    assert since == datetime(2026, 1, 4, 23, 0, tzinfo=UTC)  # CET
    assert until == datetime(2026, 7, 4, 22, 0, tzinfo=UTC)  # the next midnight, CEST


def test_instants_are_paris_time_unless_they_carry_an_offset() -> None:
    since, until = parse_period("2026-03-02T07:45", "2026-03-02T08:00+00:00")
    assert since == datetime(2026, 3, 2, 6, 45, tzinfo=UTC)
    assert until == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_open_bounds_stay_open() -> None:
    assert parse_period(None, None) == (None, None)


@pytest.mark.parametrize("value", ["2026-02-30", "yesterday", "12:30", "2026-03"])
def test_a_bad_date_names_the_option_and_the_expected_form(value: str) -> None:
    with pytest.raises(InvalidArgument, match=r"--since: expected a date YYYY-MM-DD"):
        parse_period(value, None)


def test_an_empty_or_inverted_period_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="must come after"):
        parse_period("2026-03-01T10:00", "2026-03-01T10:00")
    with pytest.raises(InvalidArgument, match="must come after"):
        parse_period("2026-03-02", "2026-03-01")
