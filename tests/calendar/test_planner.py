"""Drill dates: the Nth school day before each holiday, DST-correct, around public holidays,
ponts and blackouts; a range beyond the data is an error."""

from __future__ import annotations

import datetime as dt

import pytest

from entdrill.calendar import (
    PlannedDrill,
    ScheduleSpec,
    SchoolCalendar,
    parse_blackouts,
    parse_schedule,
    plan_drills,
)
from entdrill.errors import InvalidArgument
from tests.calendar.support import d, holiday_list_calendar


def drills(
    calendar: SchoolCalendar,
    start: str,
    until: str,
    school: str | None = None,
    **schedule: object,
) -> list[PlannedDrill]:
    spec = parse_schedule({"zone": calendar.zone, **schedule})
    return plan_drills(spec, calendar, d(start), d(until), school)


def dates(planned: list[PlannedDrill]) -> list[tuple[str, dt.date]]:
    return [(drill.holiday.kind, drill.date) for drill in planned]


def test_zone_a_drills_fall_three_school_days_before_each_holiday(zone_a: SchoolCalendar) -> None:
    assert dates(drills(zone_a, "2026-11-29", "2027-08-31")) == [
        ("noel", d("2026-12-16")),  # holiday from Saturday 19 December
        ("hiver", d("2027-02-10")),  # from Saturday 13 February
        ("printemps", d("2027-04-07")),  # from Saturday 10 April
        ("ete", d("2027-06-30")),  # from Saturday 3 July
    ]


def test_zone_b_drills_fall_three_school_days_before_each_holiday(zone_b: SchoolCalendar) -> None:
    assert dates(drills(zone_b, "2027-01-01", "2027-06-01")) == [
        ("hiver", d("2027-02-17")),  # from Saturday 20 February
        ("printemps", d("2027-04-14")),  # from Saturday 17 April
    ]


def test_zone_c_drills_fall_three_school_days_before_each_holiday(zone_c: SchoolCalendar) -> None:
    assert dates(drills(zone_c, "2027-01-01", "2027-12-31")) == [
        ("hiver", d("2027-02-03")),  # from Saturday 6 February
        ("printemps", d("2027-03-31")),  # from Saturday 3 April
        ("ete", d("2027-06-30")),
        ("toussaint", d("2027-10-20")),  # from Saturday 23 October
        ("noel", d("2027-12-15")),  # from Saturday 18 December
    ]


def test_zone_c_spring_2021_drill_counts_back_from_the_data_start_of_17_april(
    zone_c: SchoolCalendar,
) -> None:
    assert dates(drills(zone_c, "2021-04-01", "2021-04-16")) == [("printemps", d("2021-04-14"))]


def test_a_weekday_summer_start_is_not_counted_as_a_school_day(zone_a: SchoolCalendar) -> None:
    """Summer 2021 starts on Tuesday 6 July (classes end after that day): one school day before
    it is Monday 5 July, three are Thursday 1 July."""
    assert dates(drills(zone_a, "2021-06-01", "2021-07-06", school_days_before=1)) == [
        ("ete", d("2021-07-05"))
    ]
    assert dates(drills(zone_a, "2021-06-01", "2021-07-06")) == [("ete", d("2021-07-01"))]


def test_easter_monday_inside_the_counted_days_is_skipped(zone_c: SchoolCalendar) -> None:
    """Zone C spring 2027 starts Saturday 3 April; Easter Monday is 29 March. Five school days
    before: 2, 1, 31, 30 April/March, then Friday 26 March (not Monday 29)."""
    planned = drills(zone_c, "2027-03-01", "2027-04-02", school_days_before=5)
    assert dates(planned) == [("printemps", d("2027-03-26"))]


def test_armistice_day_inside_the_counted_days_is_skipped() -> None:
    """A holiday from Saturday 13 November 2027 (a holiday file): Thursday 11 November is a
    public holiday, so three school days before are 12, 10 and 9 November."""
    calendar = holiday_list_calendar(
        "Corse",
        ("toussaint", "2027-10-23", "2027-11-07"),
        ("noel", "2027-11-13", "2027-11-21"),
    )
    assert dates(drills(calendar, "2027-11-08", "2027-11-12")) == [("noel", d("2027-11-09"))]


def test_ascension_and_its_pont_inside_the_counted_days_are_skipped() -> None:
    """Ascension Thursday 6 May 2027 and the pont on Friday 7: a holiday from Tuesday 11 May
    has Monday 10, Wednesday 5 and Tuesday 4 May as its three school days before."""
    calendar = holiday_list_calendar(
        "Corse",
        ("printemps", "2027-04-10", "2027-04-25"),
        ("pont", "2027-05-06", "2027-05-09"),
        ("ete", "2027-05-11", "2027-05-31"),
    )
    planned = drills(calendar, "2027-04-26", "2027-05-10")
    assert dates(planned) == [("ete", d("2027-05-04"))]


def test_drill_instants_follow_paris_time_across_daylight_saving(zone_c: SchoolCalendar) -> None:
    """07:45 in Paris is 06:45 UTC in winter (CET) and 05:45 UTC in summer (CEST, from 28
    March 2027)."""
    winter, spring = drills(zone_c, "2027-01-01", "2027-04-02")
    assert winter.instant is not None and spring.instant is not None
    assert winter.instant.astimezone(dt.UTC) == dt.datetime(2027, 2, 3, 6, 45, tzinfo=dt.UTC)
    assert spring.instant.astimezone(dt.UTC) == dt.datetime(2027, 3, 31, 5, 45, tzinfo=dt.UTC)
    assert winter.to_dict()["utc"] == "2027-02-03T06:45:00Z"
    assert spring.to_dict()["local"] == "2027-03-31T07:45:00+02:00"


def test_a_drill_in_a_blackout_moves_to_the_previous_school_day(zone_c: SchoolCalendar) -> None:
    planned = drills(
        zone_c,
        "2027-01-01",
        "2027-02-05",
        blackouts=[{"start": "2027-02-03", "end": "2027-02-03", "reason": "conseil de classe"}],
    )
    (drill,) = planned
    assert (drill.status, drill.nominal_date, drill.date) == (
        "shifted",
        d("2027-02-03"),
        d("2027-02-02"),
    )
    assert drill.blocked_by[0]["reason"] == "conseil de classe"
    assert "conseil de classe" in drill.notes[0]
    assert "shifted from 2027-02-03 to 2027-02-02" in drill.notes[-1]


def test_a_shift_skips_public_holidays_and_weekends(zone_c: SchoolCalendar) -> None:
    """Four school days before zone C's spring 2027 is Tuesday 30 March; blacked out, the drill
    moves to the previous school day, Friday 26 March, across Easter Monday and the weekend."""
    planned = drills(
        zone_c,
        "2027-03-01",
        "2027-04-02",
        school_days_before=4,
        blackouts=[{"start": "2027-03-30", "end": "2027-03-30", "reason": "bac blanc"}],
    )
    assert dates(planned) == [("printemps", d("2027-03-26"))]
    assert planned[0].nominal_date == d("2027-03-30")


def test_a_drill_blacked_out_on_every_candidate_is_skipped_and_says_why(
    zone_c: SchoolCalendar,
) -> None:
    (drill,) = drills(
        zone_c,
        "2027-06-01",
        "2027-07-02",
        blackouts=[{"start": "2027-06-24", "end": "2027-06-30", "reason": "brevet"}],
    )
    assert drill.status == "skipped" and drill.instant is None
    assert drill.date == drill.nominal_date == d("2027-06-30")
    assert [block["date"] for block in drill.blocked_by] == [
        "2027-06-30",
        "2027-06-29",
        "2027-06-28",
    ]
    assert drill.notes[-1].startswith("skipped: 2027-06-30 and the 2 school days before it")
    assert drill.to_dict()["utc"] is None


def test_a_school_window_binds_drills_of_that_school_and_of_every_school(
    zone_c: SchoolCalendar,
) -> None:
    window = [
        {
            "weekly": ["wed"],
            "from": "07:30",
            "until": "09:00",
            "school": "college-jean-moulin",
            "reason": "devoir commun",
        }
    ]
    everyone = drills(zone_c, "2027-01-01", "2027-02-05", blackouts=window)
    same = drills(zone_c, "2027-01-01", "2027-02-05", "college-jean-moulin", blackouts=window)
    other = drills(zone_c, "2027-01-01", "2027-02-05", "lycee-victor-hugo", blackouts=window)
    assert everyone[0].date == same[0].date == d("2027-02-02")
    assert other[0].date == d("2027-02-03") and other[0].status == "planned"


def test_a_datetime_window_ending_at_the_drill_instant_does_not_block_it(
    zone_c: SchoolCalendar,
) -> None:
    planned = drills(
        zone_c,
        "2027-01-01",
        "2027-02-05",
        blackouts=[{"start": "2027-02-02T18:00", "end": "2027-02-03T07:45", "reason": "grève"}],
    )
    assert planned[0].status == "planned" and planned[0].date == d("2027-02-03")


def test_a_range_beyond_the_data_is_an_error_naming_the_last_date_covered(
    zone_b: SchoolCalendar,
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        drills(zone_b, "2028-01-01", "2028-12-31")
    assert "--until 2028-12-31" in str(caught.value)
    assert "covers holidays up to 2028-08-31" in str(caught.value)


def test_the_whole_covered_range_plans_every_holiday_once(zone_a: SchoolCalendar) -> None:
    planned = drills(zone_a, "2026-09-01", "2028-08-31")
    assert [drill.holiday.first_day for drill in planned] == [
        holiday.first_day
        for holiday in zone_a.drill_holidays()
        if d("2026-09-01") < holiday.first_day <= d("2028-08-31")
    ]
    assert len(planned) == 10


def test_a_range_ending_before_it_starts_is_refused(zone_a: SchoolCalendar) -> None:
    with pytest.raises(InvalidArgument, match="--until 2027-01-01 is before --from 2027-02-01"):
        drills(zone_a, "2027-02-01", "2027-01-01")


def test_a_calendar_of_another_zone_is_refused(zone_a: SchoolCalendar) -> None:
    spec = ScheduleSpec(zone="B", blackouts=tuple(parse_blackouts([], "x")))
    with pytest.raises(InvalidArgument, match="zone A, the schedule for B"):
        plan_drills(spec, zone_a, d("2027-01-01"), d("2027-02-01"))
