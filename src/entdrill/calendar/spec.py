"""The ``schedule`` section of a drill plan: when drills of the plan run.

::

    schedule:
      zone: C                      # A | B | C | Corse
      school_days_before: 3        # 1 to 15, default 3
      at: "07:45"                  # quoted HH:MM, default 07:45
      timezone: Europe/Paris       # optional, default Europe/Paris
      blackouts: [...]             # optional, see entdrill.calendar.blackouts

The drill-plan loader and ``entdrill schedule`` both read it with :func:`parse_schedule`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from entdrill.calendar.blackouts import DEFAULT_TIMEZONE, Blackout, read_blackouts
from entdrill.calendar.fields import (
    Problems,
    join,
    read_clock,
    read_school_days,
    read_timezone,
    read_zone,
    reject_unknown_keys,
)

DEFAULT_SCHOOL_DAYS_BEFORE = 3
DEFAULT_AT = dt.time(7, 45)
SCHEDULE_KEYS = ("zone", "school_days_before", "at", "timezone", "blackouts")


@dataclass(frozen=True)
class ScheduleSpec:
    """When the drills of a plan run: N school days before each holiday of ``zone``, at ``at``."""

    zone: str
    school_days_before: int = DEFAULT_SCHOOL_DAYS_BEFORE
    at: dt.time = DEFAULT_AT
    timezone: str = DEFAULT_TIMEZONE
    blackouts: tuple[Blackout, ...] = field(default_factory=tuple)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def instant(self, day: dt.date) -> dt.datetime:
        """The drill instant on ``day``: ``at`` local time in ``timezone``, aware (DST-correct)."""
        return dt.datetime.combine(day, self.at, tzinfo=self.tz)

    def with_blackouts(self, extra: list[Blackout]) -> ScheduleSpec:
        return replace(self, blackouts=(*self.blackouts, *extra))

    def to_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "school_days_before": self.school_days_before,
            "at": f"{self.at:%H:%M}",
            "timezone": self.timezone,
            "blackouts": [{"kind": type(b).__name__, **b.to_dict()} for b in self.blackouts],
        }


def parse_schedule(data: object, where: str = "schedule") -> ScheduleSpec:
    """Read a plan's ``schedule`` mapping; raise ``InvalidSchedule`` (an ``InvalidInput``).

    Every problem is reported, each with its field path under ``where``
    (``schedule.at: got the number 465, which is how YAML reads an unquoted 07:45; ...``).
    Pure: the caller reads the file (with ``yaml.safe_load`` or stricter) and passes the data.
    """
    problems = Problems()
    if not isinstance(data, dict):
        problems.add(where, f"expected a mapping with zone, at, ..., got {type(data).__name__}")
        problems.check()
    assert isinstance(data, dict)
    reject_unknown_keys(data, SCHEDULE_KEYS, where, problems)
    zone = None
    if "zone" in data:
        zone = read_zone(data["zone"], join(where, "zone"), problems)
    else:
        problems.add(join(where, "zone"), "missing; expected the school zone A, B, C or Corse")
    days: int | None = DEFAULT_SCHOOL_DAYS_BEFORE
    if "school_days_before" in data:
        days = read_school_days(
            data["school_days_before"], join(where, "school_days_before"), problems
        )
    at: dt.time | None = DEFAULT_AT
    if "at" in data:
        at = read_clock(data["at"], join(where, "at"), problems)
    timezone: str | None = DEFAULT_TIMEZONE
    if "timezone" in data:
        timezone = read_timezone(data["timezone"], join(where, "timezone"), problems)
    blackouts = read_blackouts(
        data.get("blackouts"),
        join(where, "blackouts"),
        ZoneInfo(timezone or DEFAULT_TIMEZONE),
        problems,
    )
    problems.check()
    assert zone is not None and days is not None and at is not None and timezone is not None
    return ScheduleSpec(
        zone=zone,
        school_days_before=days,
        at=at,
        timezone=timezone,
        blackouts=tuple(blackouts),
    )
