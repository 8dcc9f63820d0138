"""The school calendar read from vacances-scolaires-france and holidays, checked on known dates.

Every date asserted here was read in the package data (vacances-scolaires-france 0.12, its
``data/data.csv``), not recalled from memory.
"""

from __future__ import annotations

import datetime as dt

import pytest

from entdrill.calendar import MAX_SHIFT_SCHOOL_DAYS, InvalidSchedule, SchoolCalendar, load_calendar
from entdrill.calendar.fields import MAX_SCHOOL_DAYS_BEFORE
from entdrill.calendar.school_calendar import (
    SchoolHoliday,
    min_school_days_between_holidays,
    parse_holiday_list,
    periods_from_days,
)
from entdrill.errors import InvalidArgument, InvalidInput
from tests.calendar.support import d, holiday_list_calendar


def first_days(calendar: SchoolCalendar, year: int) -> dict[str, dt.date]:
    return {
        holiday.kind: holiday.first_day
        for holiday in calendar.drill_holidays()
        if holiday.first_day.year == year
    }


def test_winter_and_spring_holidays_of_2027_start_on_the_data_dates_in_each_zone(
    zone_a: SchoolCalendar, zone_b: SchoolCalendar, zone_c: SchoolCalendar
) -> None:
    assert first_days(zone_a, 2027) == {
        "hiver": d("2027-02-13"),
        "printemps": d("2027-04-10"),
        "ete": d("2027-07-03"),
        "toussaint": d("2027-10-23"),
        "noel": d("2027-12-18"),
    }
    assert first_days(zone_b, 2027)["hiver"] == d("2027-02-20")
    assert first_days(zone_b, 2027)["printemps"] == d("2027-04-17")
    assert first_days(zone_c, 2027)["hiver"] == d("2027-02-06")
    assert first_days(zone_c, 2027)["printemps"] == d("2027-04-03")


def test_a_holiday_runs_from_its_fin_des_cours_date_to_the_day_before_classes_resume(
    zone_c: SchoolCalendar,
) -> None:
    toussaint = zone_c.closure_on(d("2026-10-20"))
    assert toussaint == SchoolHoliday(
        "Vacances de la Toussaint", "toussaint", d("2026-10-17"), d("2026-11-01")
    )
    assert not zone_c.is_school_day(d("2026-11-01"))
    assert zone_c.is_school_day(d("2026-11-02"))  # Monday, classes resume
    assert zone_c.is_school_day(d("2026-10-16"))  # the Friday before the Saturday start


def test_zone_c_spring_2021_starts_on_saturday_17_april_in_the_package_data(
    zone_c: SchoolCalendar, zone_a: SchoolCalendar
) -> None:
    """The data keeps the calendar as first published. The April 2021 lockdown gave every zone
    zone A's dates (from 10 April); zones B and C keep their original dates here. Documented,
    asserted, not patched: a holiday file (--holidays) can correct such a year."""
    assert first_days(zone_c, 2021)["printemps"] == d("2021-04-17")
    assert first_days(zone_a, 2021)["printemps"] == d("2021-04-10")


def test_summer_2021_starts_on_tuesday_6_july_which_is_not_a_school_day(
    zone_a: SchoolCalendar,
) -> None:
    assert first_days(zone_a, 2021)["ete"] == d("2021-07-06")
    assert d("2021-07-06").weekday() == 1
    assert not zone_a.is_school_day(d("2021-07-06"))
    assert zone_a.is_school_day(d("2021-07-05"))


def test_the_ascension_pont_closes_schools_but_is_no_drill_target(zone_b: SchoolCalendar) -> None:
    pont = zone_b.closure_on(d("2027-05-07"))
    assert pont is not None and pont.kind == "pont" and pont.name == "Pont de l'Ascension"
    assert not zone_b.is_school_day(d("2027-05-07"))
    assert pont not in zone_b.drill_holidays()
    assert {holiday.kind for holiday in zone_b.drill_holidays()} == {
        "toussaint",
        "noel",
        "hiver",
        "printemps",
        "ete",
    }


def test_public_holidays_are_not_school_days(zone_c: SchoolCalendar) -> None:
    assert zone_c.public_holidays[d("2027-03-29")] == "Lundi de Pâques"
    assert not zone_c.is_school_day(d("2027-03-29"))
    assert not zone_c.is_school_day(d("2027-11-11"))  # Armistice, a Thursday
    assert not zone_c.is_school_day(d("2027-05-06"))  # Ascension Thursday
    assert zone_c.is_school_day(d("2027-03-30"))
    assert not zone_c.is_school_day(d("2027-03-27"))  # a Saturday


def test_coverage_ends_with_the_summer_of_2028_though_the_rows_run_to_december(
    zone_c: SchoolCalendar,
) -> None:
    assert zone_c.covers_until == d("2028-08-31")
    zone_c.check_covers(d("2028-08-31"), "--until")
    with pytest.raises(InvalidArgument, match=r"--until 2028-09-01 .* up to 2028-08-31"):
        zone_c.check_covers(d("2028-09-01"), "--until")


def test_coverage_starts_with_the_first_holiday_of_the_data(zone_a: SchoolCalendar) -> None:
    assert zone_a.covers_from == d("1990-10-27")
    with pytest.raises(InvalidArgument, match="before the school calendar"):
        zone_a.check_covers(d("1990-06-01"), "--from")


@pytest.mark.parametrize("zone", ["A", "B", "C"])
def test_every_school_period_is_longer_than_the_longest_count_and_its_shifts(zone: str) -> None:
    """What makes "beyond the data is an error" complete: a drill can never reach back past the
    previous holiday, so no unknown holiday can put a drill inside the covered dates."""
    gap = min_school_days_between_holidays(load_calendar(zone))
    assert gap == {"A": 20, "B": 20, "C": 21}[zone]
    assert gap > MAX_SCHOOL_DAYS_BEFORE + MAX_SHIFT_SCHOOL_DAYS


def test_zone_corse_without_a_holiday_file_is_a_clear_error() -> None:
    with pytest.raises(InvalidArgument, match=r"zone Corse has no data .* --holidays FILE"):
        load_calendar("Corse")


def test_a_holiday_list_gives_a_calendar_for_corse() -> None:
    calendar = holiday_list_calendar(
        "Corse",
        ("toussaint", "2027-10-23", "2027-11-07"),
        ("noel", "2027-12-18", "2028-01-02"),
    )
    assert calendar.zone == "Corse"
    assert [h.name for h in calendar.drill_holidays()] == [
        "Vacances de la Toussaint",
        "Vacances de Noël",
    ]
    assert (calendar.covers_from, calendar.covers_until) == (d("2027-10-23"), d("2028-01-02"))
    assert calendar.public_holidays[d("2027-11-11")] == "Armistice"


def test_a_wrong_holiday_list_names_every_bad_field() -> None:
    data = {
        "holidays": [
            {"kind": "carnaval", "start": "2027-02-06", "end": "2027-02-21"},
            {"kind": "noel", "start": "2027-12-18", "end": "2027-12-01"},
            {"kind": "ete", "start": "soon", "end": "2027-08-31", "colour": "blue"},
        ]
    }
    with pytest.raises(InvalidSchedule) as caught:
        parse_holiday_list(data, "", zone="Corse", source="test")
    assert [path for path, _ in caught.value.fields] == [
        "holidays[0].kind",
        "holidays[1].end",
        "holidays[2].colour",
        "holidays[2].start",
    ]
    assert isinstance(caught.value, InvalidInput)


def test_an_empty_holiday_list_is_refused() -> None:
    with pytest.raises(InvalidSchedule, match="holidays: expected a non-empty list"):
        parse_holiday_list({"holidays": []}, "", zone="Corse", source="test")


def test_days_off_group_into_periods_by_name_and_continuity() -> None:
    days = [
        (d("2027-05-06"), "Pont de l'Ascension"),
        (d("2027-04-03"), "Vacances de printemps"),
        (d("2027-04-04"), "Vacances de printemps"),
        (d("2027-05-07"), "Pont de l'Ascension"),
        (d("2027-04-06"), "Vacances de printemps"),  # a gap: a new period
    ]
    assert periods_from_days(days) == [
        SchoolHoliday("Vacances de printemps", "printemps", d("2027-04-03"), d("2027-04-04")),
        SchoolHoliday("Vacances de printemps", "printemps", d("2027-04-06"), d("2027-04-06")),
        SchoolHoliday("Pont de l'Ascension", "pont", d("2027-05-06"), d("2027-05-07")),
    ]
