"""Blackout windows: the three kinds, their bounds, the school rule, and every way to get one wrong."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from entdrill.calendar import (
    DateRange,
    DateTimeRange,
    InvalidSchedule,
    WeeklyWindow,
    in_blackout,
    parse_blackouts,
)
from entdrill.calendar.yamlfile import load_yaml

PARIS = ZoneInfo("Europe/Paris")

BRIEF_SHAPE = """\
blackouts:
  - {start: 2027-06-07, end: 2027-06-18, reason: "épreuves du baccalauréat"}
  - {start: "2027-09-01T00:00", end: "2027-09-03T18:00", reason: "rentrée"}
  - {weekly: [mon, tue, thu, fri], from: "08:00", until: "12:00", school: college-jean-moulin, reason: "class hours"}
"""


def paris(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=PARIS)  # type: ignore[misc]


def problems(items: object) -> list[tuple[str, str]]:
    with pytest.raises(InvalidSchedule) as caught:
        parse_blackouts(items, "blackouts")
    return caught.value.fields


@pytest.fixture
def windows() -> list[DateRange | DateTimeRange | WeeklyWindow]:
    data, _ = load_yaml(BRIEF_SHAPE, "test.yaml")
    return parse_blackouts(data["blackouts"], "blackouts")


def test_the_three_kinds_read_from_the_documented_yaml_shape(windows: list[object]) -> None:
    exams, rentree, classes = windows
    assert isinstance(exams, DateRange)
    assert (exams.start, exams.end, exams.reason) == (
        dt.date(2027, 6, 7),
        dt.date(2027, 6, 18),
        "épreuves du baccalauréat",
    )
    assert isinstance(rentree, DateTimeRange)
    assert rentree.start == paris(2027, 9, 1, 0, 0) and rentree.end == paris(2027, 9, 3, 18, 0)
    assert isinstance(classes, WeeklyWindow)
    assert classes.days == frozenset({0, 1, 3, 4})
    assert (classes.start, classes.end) == (dt.time(8), dt.time(12))
    assert classes.school == "college-jean-moulin"
    assert classes.describe() == "class hours (mon, tue, thu, fri 08:00-12:00, college-jean-moulin)"


def test_a_date_range_covers_its_last_day_until_midnight(windows: list[object]) -> None:
    exams = windows[:1]
    assert in_blackout(exams, paris(2027, 6, 7, 0, 0)) is exams[0]  # type: ignore[arg-type]
    assert in_blackout(exams, paris(2027, 6, 18, 23, 59)) is exams[0]  # type: ignore[arg-type]
    assert in_blackout(exams, paris(2027, 6, 19, 0, 0)) is None  # type: ignore[arg-type]
    assert in_blackout(exams, paris(2027, 6, 6, 23, 59)) is None  # type: ignore[arg-type]


def test_a_date_range_is_read_in_paris_time_whatever_the_instant_zone(
    windows: list[object],
) -> None:
    exams = windows[:1]
    # 22:30 UTC on 18 June is 00:30 on 19 June in Paris: outside.
    late = dt.datetime(2027, 6, 18, 22, 30, tzinfo=dt.UTC)
    assert in_blackout(exams, late) is None  # type: ignore[arg-type]
    assert in_blackout(exams, dt.datetime(2027, 6, 6, 22, 30, tzinfo=dt.UTC)) is exams[0]  # type: ignore[arg-type]


def test_a_datetime_range_includes_its_start_and_excludes_its_end(windows: list[object]) -> None:
    rentree = windows[1:2]
    assert in_blackout(rentree, paris(2027, 9, 1, 0, 0)) is rentree[0]  # type: ignore[arg-type]
    assert in_blackout(rentree, paris(2027, 9, 3, 17, 59)) is rentree[0]  # type: ignore[arg-type]
    assert in_blackout(rentree, paris(2027, 9, 3, 18, 0)) is None  # type: ignore[arg-type]


def test_a_weekly_window_binds_its_school_and_drills_for_every_school(
    windows: list[object],
) -> None:
    classes = windows[2:]
    monday_9 = paris(2027, 9, 6, 9, 0)
    assert in_blackout(classes, monday_9) is classes[0]  # type: ignore[arg-type]
    assert in_blackout(classes, monday_9, "college-jean-moulin") is classes[0]  # type: ignore[arg-type]
    assert in_blackout(classes, monday_9, "lycee-victor-hugo") is None  # type: ignore[arg-type]
    assert in_blackout(classes, paris(2027, 9, 8, 9, 0)) is None  # type: ignore[arg-type]  # Wednesday
    assert in_blackout(classes, paris(2027, 9, 6, 12, 0)) is None  # type: ignore[arg-type]
    assert in_blackout(classes, paris(2027, 9, 6, 7, 45)) is None  # type: ignore[arg-type]


def test_a_weekly_window_follows_local_time_across_daylight_saving() -> None:
    (window,) = parse_blackouts([{"weekly": ["mon"], "from": "08:00", "until": "09:00"}], "b")
    assert in_blackout([window], dt.datetime(2027, 1, 4, 7, 30, tzinfo=dt.UTC))  # 08:30 CET
    assert in_blackout([window], dt.datetime(2027, 7, 5, 6, 30, tzinfo=dt.UTC))  # 08:30 CEST
    assert not in_blackout([window], dt.datetime(2027, 7, 5, 7, 30, tzinfo=dt.UTC))  # 09:30


def test_a_datetime_with_an_offset_keeps_it() -> None:
    (window,) = parse_blackouts(
        [{"start": "2027-09-01T06:00+00:00", "end": "2027-09-01T07:00+00:00"}], "b"
    )
    assert in_blackout([window], paris(2027, 9, 1, 8, 30))
    assert not in_blackout([window], paris(2027, 9, 1, 7, 30))


def test_a_naive_instant_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        in_blackout([], dt.datetime(2027, 1, 1, 8, 0))


def test_no_blackouts_is_an_empty_list() -> None:
    assert parse_blackouts(None, "blackouts") == []
    assert parse_blackouts([], "blackouts") == []


def test_unquoted_times_are_refused_with_the_text_yaml_kept() -> None:
    data, _ = load_yaml("blackouts:\n  - {weekly: [mon], from: 08:00, until: 09:30}\n", "test.yaml")
    assert problems(data["blackouts"]) == [
        (
            "blackouts[0].from",
            'write the time in quotes, "08:00": unquoted, YAML reads a time '
            "such as 7:45 as the number 465",
        ),
        (
            "blackouts[0].until",
            'write the time in quotes, "09:30": unquoted, YAML reads a time '
            "such as 7:45 as the number 465",
        ),
    ]


def test_a_time_that_safe_load_turned_into_a_number_is_refused_and_explained() -> None:
    """A plan loader using plain ``yaml.safe_load`` hands over 480 for ``8:00``."""
    ((path, message),) = problems([{"weekly": ["mon"], "from": 480, "until": "12:00"}])
    assert path == "blackouts[0].from"
    assert message == (
        'got the number 480, which is how YAML reads an unquoted 08:00; write it in quotes, "08:00"'
    )


def test_every_wrong_field_is_reported_at_once() -> None:
    found = problems(
        [
            {"start": "2027-06-18", "end": "2027-06-07"},
            {"start": "2027-06-07", "end": "2027-06-08T10:00"},
            {"start": "2027-06-07"},
            {"weekly": ["mon", "funday"], "from": "09:00", "until": "08:00"},
            {"weekly": ["mon"], "from": "25:00", "until": "26:00", "colour": "red"},
            "exams",
            {"start": "2027-09-03T18:00", "end": "2027-09-01T00:00"},
        ]
    )
    assert [path for path, _ in found] == [
        "blackouts[0].end",
        "blackouts[1]",
        "blackouts[2].end",
        "blackouts[3].weekly[1]",
        "blackouts[4].colour",
        "blackouts[4].from",
        "blackouts[4].until",
        "blackouts[5]",
        "blackouts[6].end",
    ]
    messages = dict(found)
    assert messages["blackouts[0].end"] == "ends (2027-06-07) before it starts (2027-06-18)"
    assert "must both be dates (YYYY-MM-DD) or both date-times" in messages["blackouts[1]"]
    assert "funday" in messages["blackouts[3].weekly[1]"]


def test_a_weekly_window_across_midnight_is_refused() -> None:
    ((path, message),) = problems([{"weekly": ["fri"], "from": "22:00", "until": "02:00"}])
    assert path == "blackouts[0].until"
    assert "across midnight is two windows" in message


def test_blackouts_must_be_a_list() -> None:
    assert problems({"start": "2027-06-07"}) == [
        ("blackouts", "expected a list of blackout windows, got dict")
    ]
