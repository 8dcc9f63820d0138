"""School holidays, drill dates, blackout windows, and what runs the drills on time.

The public surface, used by the drill plan loader, the drill runner and ``entdrill schedule``:

- :func:`parse_schedule` / :func:`parse_blackouts`: a plan's ``schedule`` section and a
  ``blackouts`` list, pure, raising :class:`InvalidSchedule` (an ``InvalidInput``) with field paths;
- :func:`in_blackout`: the blackout window covering an instant, for the runner's refusal;
- :func:`is_due`: whether a drill of a schedule is due now, for ``entdrill drill due PLAN``;
- :func:`plan_drills` over a :class:`SchoolCalendar` from :func:`load_calendar`;
- :func:`next_return`: the next holiday and the first school day after it, for the review;
- emitters for crontab, systemd and Kubernetes in :mod:`entdrill.calendar.emit`.
"""

from entdrill.calendar.blackouts import (
    Blackout,
    DateRange,
    DateTimeRange,
    WeeklyWindow,
    in_blackout,
    parse_blackouts,
)
from entdrill.calendar.due import DEFAULT_WINDOW_MINUTES, Due, is_due
from entdrill.calendar.fields import InvalidSchedule
from entdrill.calendar.first_morning import Return, next_return, next_return_in_zone
from entdrill.calendar.planner import MAX_SHIFT_SCHOOL_DAYS, PlannedDrill, plan_drills
from entdrill.calendar.school_calendar import (
    SchoolCalendar,
    SchoolHoliday,
    load_calendar,
    parse_holiday_list,
)
from entdrill.calendar.spec import ScheduleSpec, parse_schedule

__all__ = [
    "DEFAULT_WINDOW_MINUTES",
    "MAX_SHIFT_SCHOOL_DAYS",
    "Blackout",
    "DateRange",
    "DateTimeRange",
    "Due",
    "InvalidSchedule",
    "PlannedDrill",
    "Return",
    "ScheduleSpec",
    "SchoolCalendar",
    "SchoolHoliday",
    "WeeklyWindow",
    "in_blackout",
    "is_due",
    "load_calendar",
    "next_return",
    "next_return_in_zone",
    "parse_blackouts",
    "parse_holiday_list",
    "parse_schedule",
    "plan_drills",
]
