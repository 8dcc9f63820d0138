"""The first morning after the next holiday: the day the readiness review's decision is about.

When school starts again after a holiday (*la rentrée*), everyone logs in at once: that morning
is what a pre-holiday drill prepares for. :func:`next_return` gives, for a review date, the next
holiday of the zone that is not over yet (one a drill prepares for: Toussaint, Noël, winter,
spring, summer; not a *pont*) and the first school day after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from entdrill.calendar.school_calendar import SchoolCalendar, SchoolHoliday, load_calendar
from entdrill.errors import InvalidArgument

#: How far after a holiday's last day the first school day is looked for.
MAX_DAYS_TO_RETURN = 21


@dataclass(frozen=True)
class Return:
    """The holiday ahead and the first school day after it (the morning everyone logs in)."""

    zone: str
    holiday: SchoolHoliday
    first_morning: dt.date


def next_return(calendar: SchoolCalendar, after: dt.date) -> Return | None:
    """The next holiday not over on ``after`` and the first school day after it; None when the
    calendar's data ends before (its coverage is :attr:`SchoolCalendar.covers_until`)."""
    for holiday in calendar.drill_holidays():
        if holiday.last_day < after:
            continue
        day = holiday.last_day
        for _ in range(MAX_DAYS_TO_RETURN):
            day += dt.timedelta(days=1)
            if calendar.is_school_day(day):
                return Return(calendar.zone, holiday, day)
        return None
    return None


def next_return_in_zone(zone: str, after: dt.date) -> Return | None:
    """:func:`next_return` in zone A, B or C (from ``vacances-scolaires-france``)."""
    if zone not in ("A", "B", "C"):
        raise InvalidArgument(
            f"zone {zone!r} has no school calendar here (zones A, B and C are known); "
            "give --zone A, B or C"
        )
    return next_return(load_calendar(zone), after)
