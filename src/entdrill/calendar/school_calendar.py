"""The school calendar of one zone: holidays, public holidays, school days, and what the data covers.

Sources:

- School holidays of zones A, B and C come from ``vacances-scolaires-france`` (official dates of
  the Ministry of Education, shipped offline). It has no data for Corsica: zone ``Corse`` needs a
  holiday file (:func:`parse_holiday_list`), for instance the calendar the académie de Corse
  publishes; without one it is an error, never a guess.
- Public holidays (jours fériés of metropolitan France) come from ``holidays``.

**First day of a holiday.** The data gives each holiday as starting on the official "fin des
cours" date: a Saturday for Toussaint, Noël, hiver and printemps (classes end the Friday evening
or the Saturday morning), and for the summer sometimes a weekday (Tuesday 6 July 2021, Thursday
7 July 2022, Tuesday 4 July 2028) on which classes end after the day's lessons. That date is the
first day of the holiday here, and it is never a school day: on that last, half-empty day a drill
would reach nobody. *N school days before the holiday* counts school days strictly before it.

**School day.** Monday to Friday, not a public holiday, and not inside any closure of the zone in
the data: the five holidays and the one-off *ponts* (``Pont de l'Ascension``). Ponts close the
schools but are not holidays a drill prepares for.

**Coverage.** The data of ``vacances-scolaires-france`` 0.12 has rows until 2028-12-31, but the
last school year it describes ends with the summer holiday of 2028: after 2028-08-31 it would say
"not a holiday" about the Toussaint 2028 it does not know. Coverage therefore ends on the last day
of the last holiday in the data, and asking beyond it is an error naming that date.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from entdrill.calendar.fields import (
    MAX_SCHOOL_DAYS_BEFORE,
    Problems,
    join,
    read_date,
    read_text,
    reject_unknown_keys,
)
from entdrill.errors import InvalidArgument

log = logging.getLogger(__name__)

DRILL_KINDS = ("toussaint", "noel", "hiver", "printemps", "ete")
KIND_NAMES = {
    "toussaint": "Vacances de la Toussaint",
    "noel": "Vacances de Noël",
    "hiver": "Vacances d'hiver",
    "printemps": "Vacances de printemps",
    "ete": "Vacances d'été",
    "pont": "Pont",
}
_KINDS_BY_NAME = {name: kind for kind, name in KIND_NAMES.items() if kind != "pont"}
PACKAGE_ZONES = ("A", "B", "C")


@dataclass(frozen=True)
class SchoolHoliday:
    """A closure of the schools of a zone: ``first_day`` to ``last_day``, both days off."""

    name: str
    kind: str  # one of DRILL_KINDS, or "pont"
    first_day: dt.date
    last_day: dt.date

    @property
    def is_drill_target(self) -> bool:
        return self.kind in DRILL_KINDS


def kind_of(name: str) -> str:
    """``"Vacances d'hiver"`` -> ``"hiver"``; a name starting with "Pont" -> ``"pont"``."""
    if name in _KINDS_BY_NAME:
        return _KINDS_BY_NAME[name]
    if name.lower().startswith("pont"):
        return "pont"
    log.warning(
        "unknown school holiday name %r: counted as a closure, no drill planned for it", name
    )
    return "pont"


def periods_from_days(days: Iterable[tuple[dt.date, str]]) -> list[SchoolHoliday]:
    """Group days off ``(date, holiday name)`` into periods of consecutive days with one name."""
    periods: list[SchoolHoliday] = []
    for day, name in sorted(days):
        last = periods[-1] if periods else None
        if last and last.name == name and day - last.last_day == dt.timedelta(days=1):
            periods[-1] = SchoolHoliday(last.name, last.kind, last.first_day, day)
        else:
            periods.append(SchoolHoliday(name, kind_of(name), day, day))
    return periods


@dataclass(frozen=True)
class SchoolCalendar:
    """The holidays of one zone, the public holidays, and the dates the data covers."""

    zone: str
    holidays: tuple[SchoolHoliday, ...]
    public_holidays: dict[dt.date, str]
    covers_from: dt.date
    covers_until: dt.date
    source: str

    def closure_on(self, day: dt.date) -> SchoolHoliday | None:
        for holiday in self.holidays:
            if holiday.first_day <= day <= holiday.last_day:
                return holiday
        return None

    def is_school_day(self, day: dt.date) -> bool:
        """Monday to Friday, not a public holiday, not in a holiday or pont of the zone."""
        return (
            day.weekday() < 5 and day not in self.public_holidays and self.closure_on(day) is None
        )

    def check_covers(self, day: dt.date, option: str) -> None:
        """Raise ``InvalidArgument`` naming ``option`` when ``day`` is outside the data."""
        if day > self.covers_until:
            raise InvalidArgument(
                f"{option} {day} is beyond the school calendar of zone {self.zone}: "
                f"{self.source} covers holidays up to {self.covers_until}; "
                f"choose an earlier date or give newer holiday data"
            )
        if day < self.covers_from:
            raise InvalidArgument(
                f"{option} {day} is before the school calendar of zone {self.zone}: "
                f"{self.source} starts on {self.covers_from}"
            )

    def school_days_before(self, day: dt.date, count: int) -> list[dt.date]:
        """The ``count`` school days strictly before ``day``, nearest first."""
        found: list[dt.date] = []
        probe = day
        while len(found) < count:
            probe -= dt.timedelta(days=1)
            if probe < self.covers_from:
                raise InvalidArgument(
                    f"counting school days before {day} reaches {probe}, before the school "
                    f"calendar of zone {self.zone} starts ({self.covers_from})"
                )
            if self.is_school_day(probe):
                found.append(probe)
        return found

    def drill_holidays(self) -> list[SchoolHoliday]:
        """Holidays a drill prepares for (no ponts), in order."""
        return [holiday for holiday in self.holidays if holiday.is_drill_target]

    def default_until(self, start: dt.date) -> dt.date:
        """The last day of the first summer holiday ending on or after ``start``: the school year."""
        for holiday in self.holidays:
            if holiday.kind == "ete" and holiday.last_day >= start:
                return holiday.last_day
        raise InvalidArgument(
            f"--from {start} is beyond the school calendar of zone {self.zone}: "
            f"{self.source} covers holidays up to {self.covers_until}"
        )


def public_holidays(first_year: int, last_year: int) -> dict[dt.date, str]:
    """Jours fériés of metropolitan France from ``holidays``, in French."""
    import holidays

    found = holidays.country_holidays("FR", years=range(first_year, last_year + 1), language="fr")
    return {day: str(name) for day, name in found.items()}


def build_calendar(zone: str, periods: list[SchoolHoliday], source: str) -> SchoolCalendar:
    """A calendar over ``periods`` (not empty), with public holidays for its years.

    Coverage runs from the first day of the first period to the last day of the last one.
    """
    first = min(period.first_day for period in periods)
    last = max(period.last_day for period in periods)
    return SchoolCalendar(
        zone=zone,
        holidays=tuple(sorted(periods, key=lambda period: period.first_day)),
        public_holidays=public_holidays(first.year - 1, last.year + 1),
        covers_from=first,
        covers_until=last,
        source=source,
    )


@functools.cache
def load_calendar(zone: str) -> SchoolCalendar:
    """The calendar of zone ``A``, ``B`` or ``C`` from ``vacances-scolaires-france`` (cached)."""
    if zone not in PACKAGE_ZONES:
        raise InvalidArgument(
            f"zone {zone} has no data in vacances-scolaires-france (it ships zones A, B and C); "
            f"give the holidays of zone {zone} with --holidays FILE "
            f"(see `entdrill schedule --help`)"
        )
    from vacances_scolaires_france import SchoolHolidayDates

    dates = SchoolHolidayDates()
    days = [
        (day, str(row["nom_vacances"]))
        for year in range(dates.min_year, dates.max_year + 1)
        for day, row in dates.holidays_for_year_and_zone(year, zone).items()
    ]
    periods = periods_from_days(days)
    # Coverage starts with the first holiday of the data (the Toussaint of 1990 in 0.12): before
    # it, the data has no holiday at all, not even the summer. A period starting on the first
    # date of the data would be cut short, its real start unknown: drop it.
    if periods and periods[0].first_day == dt.date(dates.min_year, 1, 1):
        periods.pop(0)
    version = metadata.version("vacances-scolaires-france")
    source = f"vacances-scolaires-france {version}"
    return build_calendar(zone, periods, source)


_HOLIDAY_KEYS = ("kind", "name", "start", "end")


def parse_holiday_list(data: object, where: str, *, zone: str, source: str) -> SchoolCalendar:
    """A calendar from a holiday file's data: ``{holidays: [{kind, start, end, name?}, ...]}``.

    ``kind`` is one of toussaint, noel, hiver, printemps, ete or pont; ``start`` is the official
    "fin des cours" date (the first day off, as in the national data) and ``end`` the last day
    off, both inclusive. Coverage runs from the first ``start`` to the last ``end``.
    """
    problems = Problems()
    items = data.get("holidays") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        problems.add(join(where, "holidays"), "expected a non-empty list of holidays")
        problems.check()
    assert isinstance(items, list)
    periods: list[SchoolHoliday] = []
    for index, item in enumerate(items):
        path = join(where, f"holidays[{index}]")
        if not isinstance(item, dict):
            problems.add(path, "expected a mapping with kind, start and end")
            continue
        period = _read_holiday(item, path, problems)
        if period is not None:
            periods.append(period)
    problems.check()
    return build_calendar(zone, periods, source)


def _read_holiday(item: dict[str, Any], path: str, problems: Problems) -> SchoolHoliday | None:
    reject_unknown_keys(item, _HOLIDAY_KEYS, path, problems)
    kind = item.get("kind")
    if kind not in KIND_NAMES:
        problems.add(join(path, "kind"), f"expected one of {', '.join(KIND_NAMES)}, got {kind!r}")
    first = read_date(item.get("start"), join(path, "start"), problems)
    last = read_date(item.get("end"), join(path, "end"), problems)
    name = KIND_NAMES.get(str(kind), "")
    if "name" in item:
        name = read_text(item["name"], join(path, "name"), problems) or name
    if kind not in KIND_NAMES or first is None or last is None:
        return None
    if last < first:
        problems.add(join(path, "end"), f"ends ({last}) before it starts ({first})")
        return None
    return SchoolHoliday(name, str(kind), first, last)


def min_school_days_between_holidays(calendar: SchoolCalendar) -> int:
    """The fewest school days between the end of one holiday and the start of the next (no ponts).

    The planner relies on it exceeding ``MAX_SCHOOL_DAYS_BEFORE``: then every drill date lies after
    the previous holiday, and a holiday the data does not know yet cannot have a drill date inside
    the covered range. A test checks it on the shipped data.
    """
    targets = calendar.drill_holidays()
    gaps = []
    for before, after in itertools.pairwise(targets):
        day, count = before.last_day + dt.timedelta(days=1), 0
        while day < after.first_day:
            count += calendar.is_school_day(day)
            day += dt.timedelta(days=1)
        gaps.append(count)
    return min(gaps, default=MAX_SCHOOL_DAYS_BEFORE + 1)
