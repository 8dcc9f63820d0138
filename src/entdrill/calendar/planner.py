"""Drill dates: the Nth school day before the first day of each holiday, around blackouts.

For each holiday of the zone (Toussaint, Noël, hiver, printemps, été; never a pont), the nominal
drill date is the ``school_days_before``-th school day strictly before the holiday's first day
(see :mod:`entdrill.calendar.school_calendar` for both definitions), at ``at`` local time.

**Blackouts shift earlier.** When the drill instant falls inside a blackout window, the drill
moves to the previous school day at the same time, then the one before, at most
``MAX_SHIFT_SCHOOL_DAYS`` school days in all; moving earlier keeps the drill before the holiday
and leaves more days to fix what it finds. If every candidate is blacked out, the drill is
**skipped** for that holiday, and the schedule says which windows blocked it. Shifted and skipped
drills carry notes naming the window and its reason.

Pure: no clock, no file; the calendar is passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from entdrill.calendar.blackouts import in_blackout
from entdrill.calendar.school_calendar import SchoolCalendar, SchoolHoliday
from entdrill.calendar.spec import ScheduleSpec
from entdrill.errors import InvalidArgument

MAX_SHIFT_SCHOOL_DAYS = 2

Status = Literal["planned", "shifted", "skipped"]


@dataclass(frozen=True)
class PlannedDrill:
    """One holiday's drill: where it lands, or why it does not."""

    holiday: SchoolHoliday
    nominal_date: dt.date
    date: dt.date  # the day it runs; the nominal date when skipped
    instant: dt.datetime | None  # aware, local to the schedule's time zone; None when skipped
    status: Status
    notes: tuple[str, ...]
    blocked_by: tuple[dict[str, Any], ...]  # each blackout met: reason, window, school, date

    @property
    def runs(self) -> bool:
        return self.instant is not None

    def to_dict(self) -> dict[str, Any]:
        instant = self.instant
        return {
            "holiday": self.holiday.name,
            "kind": self.holiday.kind,
            "holiday_first_day": self.holiday.first_day.isoformat(),
            "nominal_date": self.nominal_date.isoformat(),
            "date": self.date.isoformat(),
            "status": self.status,
            "local": instant.isoformat() if instant else None,
            "utc": instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if instant else None,
            "notes": list(self.notes),
            "blackouts": list(self.blocked_by),
        }


def plan_drill(
    spec: ScheduleSpec,
    calendar: SchoolCalendar,
    holiday: SchoolHoliday,
    school: str | None = None,
) -> PlannedDrill:
    """The drill before ``holiday``: nominal date, then earlier school days around blackouts."""
    nominal = calendar.school_days_before(holiday.first_day, spec.school_days_before)[-1]
    notes: list[str] = []
    blocked: list[dict[str, Any]] = []
    day = nominal
    for attempt in range(MAX_SHIFT_SCHOOL_DAYS + 1):
        if attempt:
            day = calendar.school_days_before(day, 1)[0]
        instant = spec.instant(day)
        blackout = in_blackout(spec.blackouts, instant, school)
        if blackout is None:
            if day != nominal:
                notes.append(
                    f"shifted from {nominal} to {day}, the nearest earlier school day free"
                )
            return PlannedDrill(
                holiday=holiday,
                nominal_date=nominal,
                date=day,
                instant=instant,
                status="planned" if day == nominal else "shifted",
                notes=tuple(notes),
                blocked_by=tuple(blocked),
            )
        notes.append(f"{day} {spec.at:%H:%M} is in blackout {blackout.describe()}")
        blocked.append({"date": day.isoformat(), **blackout.to_dict()})
    notes.append(
        f"skipped: {nominal} and the {MAX_SHIFT_SCHOOL_DAYS} school days before it are blacked out"
    )
    return PlannedDrill(
        holiday=holiday,
        nominal_date=nominal,
        date=nominal,
        instant=None,
        status="skipped",
        notes=tuple(notes),
        blocked_by=tuple(blocked),
    )


def plan_drills(
    spec: ScheduleSpec,
    calendar: SchoolCalendar,
    start: dt.date,
    until: dt.date,
    school: str | None = None,
) -> list[PlannedDrill]:
    """Every drill whose date (after shifting) lies in ``start..until`` inclusive, in order.

    Raises ``InvalidArgument`` when the range leaves the calendar's data, naming the last date
    covered, so a range beyond the data is an error and never a silent gap.
    """
    if until < start:
        raise InvalidArgument(f"--until {until} is before --from {start}")
    if calendar.zone != spec.zone:
        raise InvalidArgument(
            f"the calendar is for zone {calendar.zone}, the schedule for {spec.zone}"
        )
    calendar.check_covers(start, "--from")
    calendar.check_covers(until, "--until")
    drills = []
    for holiday in calendar.drill_holidays():
        if holiday.first_day <= start:
            continue  # its drill came before the range
        drill = plan_drill(spec, calendar, holiday, school)
        if start <= drill.date <= until:
            drills.append(drill)
        elif drill.date > until:
            break
    return drills
