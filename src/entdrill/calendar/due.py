"""Whether a drill of a schedule is due now: the check behind a plain daily cron.

A drill is due when ``now`` lies in ``[instant, instant + window)`` of a planned (or shifted)
drill, and ``now`` itself is not inside a blackout window. A daily job at the drill time, such as
``45 7 * * 1-5  entdrill schedule --due --plan P && entdrill drill run P``, then runs the drill on
drill days only, whatever the year, and follows the plan's blackouts as they are on that day.
The window absorbs a late start (a busy node, a cron daemon catching up); keep it shorter than
the gap between two runs of the job, or the drill could run twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from entdrill.calendar.blackouts import Blackout, in_blackout
from entdrill.calendar.planner import PlannedDrill, plan_drills
from entdrill.calendar.school_calendar import SchoolCalendar, load_calendar
from entdrill.calendar.spec import ScheduleSpec
from entdrill.errors import InvalidArgument

DEFAULT_WINDOW_MINUTES = 30


@dataclass(frozen=True)
class Due:
    """The answer: ``due``, one sentence saying why, and the drill and blackout concerned."""

    due: bool
    reason: str
    drill: PlannedDrill | None = None
    blackout: Blackout | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "due": self.due,
            "reason": self.reason,
            "drill": self.drill.to_dict() if self.drill else None,
            "blackout": self.blackout.to_dict() if self.blackout else None,
        }


def is_due(
    spec: ScheduleSpec,
    now: dt.datetime,
    window_minutes: int = DEFAULT_WINDOW_MINUTES,
    *,
    calendar: SchoolCalendar | None = None,
    school: str | None = None,
) -> Due:
    """Whether a drill of ``spec`` is due at ``now`` (timezone-aware).

    ``calendar`` defaults to the zone's calendar from ``vacances-scolaires-france``. Raises
    ``InvalidArgument`` when ``now`` is beyond the calendar's data: a daily job then fails loudly
    instead of silently never running again.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"is_due needs a timezone-aware instant, got {now.isoformat()}")
    if window_minutes < 1:
        raise InvalidArgument(f"the due window must be at least 1 minute, got {window_minutes}")
    calendar = calendar or load_calendar(spec.zone)
    local = now.astimezone(spec.tz)
    window = dt.timedelta(minutes=window_minutes)
    calendar.check_covers(local.date(), "today")
    recent = plan_drills(spec, calendar, (local - window).date(), local.date(), school)
    for drill in recent:
        if drill.instant is None:
            continue
        if drill.instant <= now < drill.instant + window:
            stamp = f"{drill.instant:%Y-%m-%d %H:%M %Z}"
            blackout = in_blackout(spec.blackouts, now, school)
            if blackout is not None:
                return Due(
                    False,
                    f"the drill before {drill.holiday.name} was due at {stamp}, but now is inside "
                    f"blackout {blackout.describe()}",
                    drill,
                    blackout,
                )
            return Due(True, f"the drill before {drill.holiday.name} is due ({stamp})", drill)
    for drill in recent:
        if drill.instant is None and drill.date == local.date():
            return Due(False, f"the drill before {drill.holiday.name} is {drill.notes[-1]}", drill)
    return Due(
        False, f"no drill due at {local:%Y-%m-%d %H:%M %Z}; {_next(spec, calendar, local, school)}"
    )


def _next(
    spec: ScheduleSpec, calendar: SchoolCalendar, local: dt.datetime, school: str | None
) -> str:
    upcoming = plan_drills(spec, calendar, local.date(), calendar.covers_until, school)
    for drill in upcoming:
        if drill.instant is not None and drill.instant > local:
            return f"next: {drill.instant:%Y-%m-%d %H:%M %Z} before {drill.holiday.name}"
    return f"no further drill before the end of the data ({calendar.covers_until})"
