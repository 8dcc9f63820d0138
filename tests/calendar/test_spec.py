"""The plan's ``schedule`` section: defaults, the documented shape, and every problem named."""

from __future__ import annotations

import datetime as dt

import pytest

from entdrill.calendar import InvalidSchedule, ScheduleSpec, WeeklyWindow, parse_schedule
from entdrill.calendar.yamlfile import load_yaml
from entdrill.errors import InvalidInput

PLAN = """\
name: pre-holiday drill
schedule:
  zone: C                      # A | B | C | Corse
  school_days_before: 3
  at: "07:45"                  # quoted HH:MM
  timezone: Europe/Paris       # optional, default Europe/Paris
  blackouts:
    - {start: 2027-06-07, end: 2027-06-18, reason: "épreuves du baccalauréat"}
    - {start: "2027-09-01T00:00", end: "2027-09-03T18:00", reason: "rentrée"}
    - {weekly: [mon, tue, thu, fri], from: "08:00", until: "12:00", school: college-jean-moulin, reason: "class hours"}
"""


def fields_of(data: object) -> list[tuple[str, str]]:
    with pytest.raises(InvalidSchedule) as caught:
        parse_schedule(data, "schedule")
    assert isinstance(caught.value, InvalidInput)
    return caught.value.fields


def test_the_documented_schedule_section_parses() -> None:
    data, _ = load_yaml(PLAN, "plan.yaml")
    spec = parse_schedule(data["schedule"], "schedule")
    assert (spec.zone, spec.school_days_before, spec.at, spec.timezone) == (
        "C",
        3,
        dt.time(7, 45),
        "Europe/Paris",
    )
    assert len(spec.blackouts) == 3 and isinstance(spec.blackouts[2], WeeklyWindow)


def test_only_the_zone_is_required() -> None:
    assert parse_schedule({"zone": "b"}) == ScheduleSpec(zone="B")
    assert ScheduleSpec(zone="B").at == dt.time(7, 45)
    assert ScheduleSpec(zone="B").school_days_before == 3
    assert parse_schedule({"zone": "corse"}).zone == "Corse"


def test_the_drill_instant_is_paris_time_with_its_daylight_saving_offset() -> None:
    spec = ScheduleSpec(zone="A")
    assert spec.instant(dt.date(2027, 1, 6)).utcoffset() == dt.timedelta(hours=1)
    assert spec.instant(dt.date(2027, 6, 30)).utcoffset() == dt.timedelta(hours=2)


def test_another_time_zone_moves_the_instant_and_the_blackouts() -> None:
    spec = parse_schedule(
        {
            "zone": "A",
            "timezone": "America/Cayenne",
            "blackouts": [{"weekly": ["mon"], "from": "07:00", "until": "08:00"}],
        }
    )
    assert spec.instant(dt.date(2027, 1, 4)).utcoffset() == dt.timedelta(hours=-3)
    window = spec.blackouts[0]
    assert window.covers(dt.datetime(2027, 1, 4, 10, 30, tzinfo=dt.UTC))  # 07:30 in Cayenne


def test_every_problem_of_a_schedule_is_reported_with_its_field() -> None:
    found = fields_of(
        {
            "zone": "D",
            "school_days_before": 0,
            "at": "25:00",
            "timezone": "Europe/Lutece",
            "blackouts": [{"start": "soon", "end": "2027-06-01"}],
            "weekdays": "mon",
        }
    )
    assert [path for path, _ in found] == [
        "schedule.weekdays",
        "schedule.zone",
        "schedule.school_days_before",
        "schedule.at",
        "schedule.timezone",
        "schedule.blackouts[0]",
    ]
    messages = dict(found)
    assert messages["schedule.zone"] == "expected a school zone A, B, C or Corse, got 'D'"
    assert messages["schedule.at"] == (
        "expected a time \"HH:MM\" between 00:00 and 23:59, got '25:00'"
    )


@pytest.mark.parametrize("days", [0, 16, -1, True, "three", 2.5])
def test_school_days_before_must_be_from_1_to_15(days: object) -> None:
    ((path, message),) = fields_of({"zone": "A", "school_days_before": days})
    assert path == "schedule.school_days_before"
    assert message.startswith("expected a whole number of school days from 1 to 15")


def test_a_missing_zone_is_named() -> None:
    assert fields_of({"at": "07:45"}) == [
        ("schedule.zone", "missing; expected the school zone A, B, C or Corse")
    ]


def test_unquoted_times_in_a_plan_are_refused_whatever_yaml_made_of_them() -> None:
    data, _ = load_yaml("schedule:\n  zone: A\n  at: 07:45\n", "plan.yaml")
    ((path, message),) = fields_of(data["schedule"])
    assert path == "schedule.at"
    assert message.startswith('write the time in quotes, "07:45"')
    ((_, message),) = fields_of({"zone": "A", "at": 465})  # yaml.safe_load's reading of 7:45
    assert "unquoted 07:45" in message


def test_a_schedule_that_is_not_a_mapping_is_refused() -> None:
    assert fields_of("C") == [("schedule", "expected a mapping with zone, at, ..., got str")]


def test_problems_can_be_located_at_their_file_lines() -> None:
    text = 'schedule:\n  zone: C\n  at: "7h45"\n  blackouts:\n    - {start: 2027-06-07}\n'
    data, lines = load_yaml(text, "plan.yaml")
    with pytest.raises(InvalidSchedule) as caught:
        parse_schedule(data["schedule"], "schedule")
    located = caught.value.located("plan.yaml", lines)
    assert str(located).splitlines() == [
        "2 problems:",
        "plan.yaml:3: schedule.at: expected a time \"HH:MM\" between 00:00 and 23:59, got '7h45'",
        "plan.yaml:5: schedule.blackouts[0].end: missing; a blackout needs start and end, "
        "or weekly/from/until",
    ]
