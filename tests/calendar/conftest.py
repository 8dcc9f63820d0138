"""Calendars from the shipped data, loaded once per session (about half a second each)."""

from __future__ import annotations

import pytest

from entdrill.calendar import SchoolCalendar, load_calendar


@pytest.fixture(scope="session")
def zone_a() -> SchoolCalendar:
    return load_calendar("A")


@pytest.fixture(scope="session")
def zone_b() -> SchoolCalendar:
    return load_calendar("B")


@pytest.fixture(scope="session")
def zone_c() -> SchoolCalendar:
    return load_calendar("C")
