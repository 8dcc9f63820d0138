"""``is_due``: the check a plain daily cron runs before ``entdrill drill run``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from entdrill.calendar import DEFAULT_WINDOW_MINUTES, SchoolCalendar, is_due, parse_schedule
from entdrill.errors import InvalidArgument

PARIS = ZoneInfo("Europe/Paris")


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[misc]


def test_a_drill_is_due_from_its_instant_for_the_window(zone_c: SchoolCalendar) -> None:
    """Zone C drills on Wednesday 3 February 2027 at 07:45 CET, 06:45 UTC."""
    spec = parse_schedule({"zone": "C"})
    assert DEFAULT_WINDOW_MINUTES == 30
    answer = is_due(spec, utc(2027, 2, 3, 6, 45), calendar=zone_c)
    assert answer.due
    assert answer.reason == "the drill before Vacances d'hiver is due (2027-02-03 07:45 CET)"
    assert answer.drill is not None and answer.drill.date == dt.date(2027, 2, 3)
    assert is_due(spec, utc(2027, 2, 3, 7, 14), calendar=zone_c).due
    assert not is_due(spec, utc(2027, 2, 3, 7, 15), calendar=zone_c).due
    assert not is_due(spec, utc(2027, 2, 3, 6, 44), calendar=zone_c).due
    assert is_due(spec, utc(2027, 2, 3, 7, 40), 60, calendar=zone_c).due


def test_summer_time_drills_are_due_an_hour_earlier_in_utc(zone_c: SchoolCalendar) -> None:
    spec = parse_schedule({"zone": "C"})
    assert is_due(spec, utc(2027, 3, 31, 5, 50), calendar=zone_c).due
    assert not is_due(spec, utc(2027, 3, 31, 6, 50), calendar=zone_c).due
    assert is_due(spec, dt.datetime(2027, 3, 31, 7, 50, tzinfo=PARIS), calendar=zone_c).due


def test_a_day_without_a_drill_is_not_due_and_names_the_next_one(zone_c: SchoolCalendar) -> None:
    spec = parse_schedule({"zone": "C"})
    answer = is_due(spec, utc(2027, 2, 4, 6, 45), calendar=zone_c)
    assert not answer.due and answer.drill is None
    assert answer.reason == (
        "no drill due at 2027-02-04 07:45 CET; next: 2027-03-31 07:45 CEST before "
        "Vacances de printemps"
    )


def test_a_drill_is_not_due_while_a_blackout_covers_now(zone_c: SchoolCalendar) -> None:
    """The drill instant (07:45) is free, but a late start at 08:10 falls in class hours."""
    spec = parse_schedule(
        {
            "zone": "C",
            "blackouts": [
                {"weekly": ["wed"], "from": "08:00", "until": "12:00", "reason": "class hours"}
            ],
        }
    )
    late = dt.datetime(2027, 2, 3, 8, 10, tzinfo=PARIS)
    answer = is_due(spec, late, 60, calendar=zone_c)
    assert not answer.due
    assert answer.blackout is not None and answer.blackout.reason == "class hours"
    assert "inside blackout class hours (wed 08:00-12:00)" in answer.reason
    assert is_due(spec, dt.datetime(2027, 2, 3, 7, 50, tzinfo=PARIS), 60, calendar=zone_c).due


def test_a_shifted_drill_is_due_on_its_new_day_only(zone_c: SchoolCalendar) -> None:
    spec = parse_schedule(
        {"zone": "C", "blackouts": [{"start": "2027-02-03", "end": "2027-02-03", "reason": "x"}]}
    )
    assert is_due(spec, dt.datetime(2027, 2, 2, 7, 50, tzinfo=PARIS), calendar=zone_c).due
    assert not is_due(spec, dt.datetime(2027, 2, 3, 7, 50, tzinfo=PARIS), calendar=zone_c).due


def test_a_skipped_drill_is_not_due_and_says_why(zone_c: SchoolCalendar) -> None:
    spec = parse_schedule(
        {"zone": "C", "blackouts": [{"start": "2027-01-25", "end": "2027-02-05", "reason": "x"}]}
    )
    answer = is_due(spec, dt.datetime(2027, 2, 3, 7, 50, tzinfo=PARIS), calendar=zone_c)
    assert not answer.due
    assert answer.reason.startswith("the drill before Vacances d'hiver is skipped: 2027-02-03")


def test_a_window_crossing_midnight_still_finds_yesterdays_drill(zone_c: SchoolCalendar) -> None:
    spec = parse_schedule({"zone": "C", "at": "23:50"})
    assert is_due(spec, dt.datetime(2027, 2, 4, 0, 5, tzinfo=PARIS), calendar=zone_c).due


def test_now_beyond_the_data_fails_loudly(zone_c: SchoolCalendar) -> None:
    spec = parse_schedule({"zone": "C"})
    with pytest.raises(InvalidArgument, match=r"today 2028-09-04 .* up to 2028-08-31"):
        is_due(spec, utc(2028, 9, 4, 6, 0), calendar=zone_c)


def test_naive_now_and_empty_windows_are_refused(zone_c: SchoolCalendar) -> None:
    spec = parse_schedule({"zone": "C"})
    with pytest.raises(ValueError, match="timezone-aware"):
        is_due(spec, dt.datetime(2027, 2, 3, 7, 50), calendar=zone_c)
    with pytest.raises(InvalidArgument, match="at least 1 minute"):
        is_due(spec, utc(2027, 2, 3, 6, 50), 0, calendar=zone_c)


def test_the_calendar_defaults_to_the_zone_data() -> None:
    spec = parse_schedule({"zone": "B"})
    assert is_due(spec, dt.datetime(2027, 2, 17, 7, 45, tzinfo=PARIS)).due
