"""The first morning after the next holiday: what the review's decision is about."""

from __future__ import annotations

import datetime as dt

import pytest

from entdrill.calendar import next_return, next_return_in_zone, parse_holiday_list
from entdrill.errors import InvalidArgument


@pytest.mark.parametrize(
    ("after", "holiday", "first_morning"),
    [
        ("2026-03-20", "Vacances de printemps", "2026-04-27"),
        ("2026-04-20", "Vacances de printemps", "2026-04-27"),  # during it: this one
        ("2026-06-20", "Vacances d'été", "2026-09-01"),
        ("2026-12-01", "Vacances de Noël", "2027-01-04"),
    ],
)
def test_the_next_holiday_of_zone_b_and_the_first_school_day_after_it(
    after: str, holiday: str, first_morning: str
) -> None:
    found = next_return_in_zone("B", dt.date.fromisoformat(after))
    assert found is not None
    assert found.holiday.name == holiday
    assert found.first_morning == dt.date.fromisoformat(first_morning)


def test_a_public_holiday_on_the_monday_after_moves_the_first_morning() -> None:
    calendar = parse_holiday_list(
        {"holidays": [{"kind": "printemps", "start": "2031-03-29", "end": "2031-04-13"}]},
        "holidays.yaml",
        zone="Corse",
        source="test",
    )
    found = next_return(calendar, dt.date(2031, 3, 1))
    assert found is not None and found.first_morning == dt.date(
        2031, 4, 15
    )  # Easter Monday is the 14th


def test_beyond_the_data_there_is_no_answer_and_an_unknown_zone_is_refused() -> None:
    assert next_return_in_zone("A", dt.date(2040, 1, 1)) is None
    with pytest.raises(InvalidArgument, match="zone 'Corse' has no school calendar here"):
        next_return_in_zone("Corse", dt.date(2026, 1, 1))
