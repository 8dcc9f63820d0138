"""Blackout windows: periods when no drill may run (exams, the rentrée, a school's class hours).

Three kinds, read from a plan's ``schedule.blackouts`` or the top-level ``blackouts:`` list of a
``--blackouts`` file::

    - {start: 2027-06-07, end: 2027-06-18, reason: "épreuves du baccalauréat"}   # dates, both inclusive
    - {start: "2027-09-01T00:00", end: "2027-09-03T18:00", reason: "rentrée"}  # from start, up to end
    - {weekly: [mon, tue, thu, fri], from: "08:00", until: "12:00",
       school: college-jean-moulin, reason: "class hours"}                     # from, up to until

Dates and clock times are local to the schedule's time zone (Europe/Paris unless said otherwise);
a date-time with an explicit offset keeps it. Ends of date-time and weekly windows are exclusive,
date ranges include their last day. A window may name one ``school``: it then applies to drills of
that school, and to drills that name no school (a drill for every school respects every window).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from entdrill.calendar.fields import (
    WEEKDAYS,
    Problems,
    is_date_only,
    join,
    read_clock,
    read_date,
    read_datetime,
    read_text,
    read_weekdays,
    reject_unknown_keys,
)

DEFAULT_TIMEZONE = "Europe/Paris"


@dataclass(frozen=True)
class _Window:
    reason: str
    school: str | None

    def applies_to(self, school: str | None) -> bool:
        """Whether this window binds a drill of ``school`` (``None``: a drill for every school)."""
        return self.school is None or school is None or self.school == school

    def describe(self) -> str:
        """``reason (window[, school])``, the way the schedule and the runner name it."""
        where = f", {self.school}" if self.school else ""
        return f"{self.reason} ({self.window()}{where})"

    def window(self) -> str:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "window": self.window(), "school": self.school}


@dataclass(frozen=True)
class DateRange(_Window):
    """Whole days, ``start`` to ``end`` inclusive, in ``tz``."""

    start: dt.date
    end: dt.date
    tz: dt.tzinfo

    def covers(self, instant: dt.datetime) -> bool:
        return self.start <= instant.astimezone(self.tz).date() <= self.end

    def window(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class DateTimeRange(_Window):
    """From ``start`` (included) up to ``end`` (excluded); both aware."""

    start: dt.datetime
    end: dt.datetime

    def covers(self, instant: dt.datetime) -> bool:
        return self.start <= instant < self.end

    def window(self) -> str:
        return f"{_stamp(self.start)} to {_stamp(self.end)}"


@dataclass(frozen=True)
class WeeklyWindow(_Window):
    """On each of ``days`` (Monday is 0), from ``start`` up to ``end`` local time in ``tz``."""

    days: frozenset[int]
    start: dt.time
    end: dt.time
    tz: dt.tzinfo

    def covers(self, instant: dt.datetime) -> bool:
        local = instant.astimezone(self.tz)
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def window(self) -> str:
        days = ", ".join(WEEKDAYS[day] for day in sorted(self.days))
        return f"{days} {self.start:%H:%M}-{self.end:%H:%M}"


Blackout = DateRange | DateTimeRange | WeeklyWindow


def _stamp(moment: dt.datetime) -> str:
    text = moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.utcoffset()
    return text if isinstance(moment.tzinfo, ZoneInfo) or offset is None else f"{text}{moment:%z}"


def in_blackout(
    blackouts: Iterable[Blackout], instant: dt.datetime, school: str | None = None
) -> Blackout | None:
    """The first blackout window that covers ``instant`` for ``school``, or ``None``.

    ``instant`` must be timezone-aware. The drill runner calls this before starting and refuses
    to start inside a window unless forced; the scheduler calls it at each drill instant.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"in_blackout needs a timezone-aware instant, got {instant.isoformat()}")
    for blackout in blackouts:
        if blackout.applies_to(school) and blackout.covers(instant):
            return blackout
    return None


_RANGE_KEYS = ("start", "end", "reason", "school")
_WEEKLY_KEYS = ("weekly", "from", "until", "reason", "school")


def parse_blackouts(
    items: object, where: str, *, timezone: str = DEFAULT_TIMEZONE
) -> list[Blackout]:
    """Read a ``blackouts`` list (see the module docstring); raise ``InvalidSchedule`` naming fields.

    ``where`` is the path of the list itself (``schedule.blackouts``); problems read like
    ``schedule.blackouts[2].until: expected a time "HH:MM" ...``. Pure: no file, no clock.
    """
    problems = Problems()
    result = read_blackouts(items, where, ZoneInfo(timezone), problems)
    problems.check()
    return result


def read_blackouts(items: object, where: str, tz: dt.tzinfo, problems: Problems) -> list[Blackout]:
    """Like :func:`parse_blackouts`, adding problems to ``problems`` instead of raising."""
    if items is None:
        return []
    if not isinstance(items, list):
        problems.add(where, f"expected a list of blackout windows, got {type(items).__name__}")
        return []
    result: list[Blackout] = []
    for index, item in enumerate(items):
        path = join(where, f"[{index}]")
        if not isinstance(item, dict):
            problems.add(path, "expected a mapping with start/end or weekly/from/until")
            continue
        blackout = (
            _read_weekly(item, path, tz, problems)
            if "weekly" in item
            else _read_range(item, path, tz, problems)
        )
        if blackout is not None:
            result.append(blackout)
    return result


def _read_common(
    item: dict[str, Any], path: str, default_reason: str, problems: Problems
) -> tuple[str, str | None]:
    reason = default_reason
    if "reason" in item:
        reason = read_text(item["reason"], join(path, "reason"), problems) or default_reason
    school = None
    if item.get("school") is not None:
        school = read_text(item["school"], join(path, "school"), problems)
    return reason, school


def _read_range(
    item: dict[str, Any], path: str, tz: dt.tzinfo, problems: Problems
) -> Blackout | None:
    reject_unknown_keys(item, _RANGE_KEYS, path, problems)
    missing = [key for key in ("start", "end") if key not in item]
    for key in missing:
        problems.add(
            join(path, key), "missing; a blackout needs start and end, or weekly/from/until"
        )
    if missing:
        return None
    start, end = item["start"], item["end"]
    if is_date_only(start) and is_date_only(end):
        first = read_date(start, join(path, "start"), problems)
        last = read_date(end, join(path, "end"), problems)
        reason, school = _read_common(item, path, "blackout", problems)
        if first is None or last is None:
            return None
        if last < first:
            problems.add(join(path, "end"), f"ends ({last}) before it starts ({first})")
            return None
        return DateRange(reason=reason, school=school, start=first, end=last, tz=tz)
    if is_date_only(start) != is_date_only(end):
        problems.add(
            path,
            "start and end must both be dates (YYYY-MM-DD) or both date-times (YYYY-MM-DDTHH:MM)",
        )
        return None
    begin = read_datetime(start, join(path, "start"), tz, problems)
    finish = read_datetime(end, join(path, "end"), tz, problems)
    reason, school = _read_common(item, path, "blackout", problems)
    if begin is None or finish is None:
        return None
    if finish <= begin:
        problems.add(
            join(path, "end"), f"ends ({_stamp(finish)}) before it starts ({_stamp(begin)})"
        )
        return None
    return DateTimeRange(reason=reason, school=school, start=begin, end=finish)


def _read_weekly(
    item: dict[str, Any], path: str, tz: dt.tzinfo, problems: Problems
) -> Blackout | None:
    reject_unknown_keys(item, _WEEKLY_KEYS, path, problems)
    days = read_weekdays(item["weekly"], join(path, "weekly"), problems)
    bounds: list[dt.time | None] = []
    for key in ("from", "until"):
        if key in item:
            bounds.append(read_clock(item[key], join(path, key), problems))
        else:
            problems.add(join(path, key), 'missing; a weekly window needs from: "HH:MM" and until')
            bounds.append(None)
    reason, school = _read_common(item, path, "weekly blackout", problems)
    begin, finish = bounds
    if days is None or begin is None or finish is None:
        return None
    if finish <= begin:
        problems.add(
            join(path, "until"),
            f"must be after from ({begin:%H:%M}); a window across midnight is two windows",
        )
        return None
    return WeeklyWindow(reason=reason, school=school, days=days, start=begin, end=finish, tz=tz)
