"""Helpers for the calendar tests: calendars from holiday lists, dates in one call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from entdrill.calendar import SchoolCalendar, parse_holiday_list


def holiday_list_calendar(zone: str, *holidays: tuple[str, str, str]) -> SchoolCalendar:
    """A calendar from ``(kind, first day, last day)`` triples, as a holiday file gives them."""
    data: dict[str, Any] = {
        "holidays": [{"kind": kind, "start": start, "end": end} for kind, start, end in holidays]
    }
    return parse_holiday_list(data, "", zone=zone, source="a test holiday list")


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
