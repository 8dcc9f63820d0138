"""Typed values of a schedule, read from YAML or the command line, with the place of each problem.

Every reader takes the raw value and its field path (``schedule.blackouts[1].end`` or ``--at``)
and either returns the typed value or records a problem in a :class:`Problems` collector, so a
file with three mistakes reports three, each where it is. PyYAML's surprises are named: an
unquoted ``07:45`` arrives as the integer 465 (YAML 1.1 sexagesimal), a bare ``2027-06-07`` as a
``date``, ``no``/``off`` as ``False``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from entdrill import ranges
from entdrill.errors import InvalidInput

_D = TypeVar("_D", dt.date, dt.datetime)
ZONES = ("A", "B", "C", "Corse")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SCHOOL_DAYS_BEFORE = 15
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARENT = re.compile(r"(\[\d+\]|\.[^.\[]+)$")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class UnquotedTime(str):
    """A clock time written without quotes in YAML (``at: 07:45``), as :func:`load_yaml` reads it.

    PyYAML (YAML 1.1) reads an unquoted ``7:45`` as the integer 465 and ``12:30`` as 750, but
    ``07:45`` as the text "07:45": whether a time survives depends on its first digit. Times must
    therefore be quoted, always; this marker lets :func:`read_clock` refuse the lucky ones too.
    """

    __slots__ = ()


class InvalidSchedule(InvalidInput):
    """A schedule, a blackout list or a holiday list is wrong; ``fields`` lists every problem.

    Each problem is ``(path, message)``; ``str()`` gives one line per problem, ``path: message``.
    A loader that knows the line of each path can re-render them with :meth:`located`.
    """

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self.fields = list(fields)
        super().__init__(_render([f"{path}: {message}" for path, message in self.fields]))

    def located(self, source: str, lines: dict[str, int]) -> InvalidSchedule:
        """The same problems, each prefixed with ``source:line`` when the line of its path is known."""
        located = [(_locate(source, lines, path), message) for path, message in self.fields]
        return InvalidSchedule(located)


def _locate(source: str, lines: dict[str, int], path: str) -> str:
    """``source:line: path`` for the nearest enclosing path whose line is known."""
    probe = path
    while probe:
        if probe in lines:
            return f"{source}:{lines[probe]}: {path}"
        parent = _PARENT.sub("", probe)
        if parent == probe:
            break
        probe = parent
    return f"{source}: {path}"


def _render(problems: list[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    return "\n".join([f"{len(problems)} problems:", *problems])


class Problems:
    """Collects ``(path, message)`` problems; :meth:`check` raises them all at once."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def check(self) -> None:
        if self.items:
            raise InvalidSchedule(self.items)


def join(where: str, field: str) -> str:
    """``join("schedule", "at") == "schedule.at"``; an index field ``[2]`` attaches without a dot."""
    if not where:
        return field
    return f"{where}{field}" if field.startswith("[") else f"{where}.{field}"


def reject_unknown_keys(
    data: dict[str, Any], known: Iterable[str], where: str, problems: Problems
) -> None:
    allowed = list(known)
    for key in data:
        if key not in allowed:
            problems.add(
                join(where, str(key)), f"unknown field; expected one of {', '.join(allowed)}"
            )


def read_clock(value: object, path: str, problems: Problems) -> dt.time | None:
    """A quoted ``"HH:MM"`` (24-hour clock) as a ``time``; an unquoted YAML time is refused."""
    if isinstance(value, bool):
        problems.add(path, f'expected a quoted time "HH:MM", got {value!r}')
        return None
    if isinstance(value, UnquotedTime):
        problems.add(
            path,
            f'write the time in quotes, "{value}": unquoted, YAML reads a time such as 7:45 '
            "as the number 465",
        )
        return None
    if isinstance(value, int):
        hours, minutes = divmod(value, 60)
        problems.add(
            path,
            f"got the number {value}, which is how YAML reads an unquoted {hours:02d}:{minutes:02d}; "
            f'write it in quotes, "{hours:02d}:{minutes:02d}"',
        )
        return None
    if not isinstance(value, str) or not (match := _CLOCK.fullmatch(value.strip())):
        problems.add(path, f'expected a time "HH:MM" between 00:00 and 23:59, got {value!r}')
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        problems.add(path, f'expected a time "HH:MM" between 00:00 and 23:59, got {value!r}')
        return None
    return dt.time(hours, minutes)


def read_date(value: object, path: str, problems: Problems) -> dt.date | None:
    """A calendar date: a YAML date or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        problems.add(path, f"expected a date YYYY-MM-DD, got the date and time {value.isoformat()}")
        return None
    day: dt.date | None = value if isinstance(value, dt.date) else None
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        problems.add(path, f"expected a date YYYY-MM-DD, got {value!r}")
        return None
    return _in_range(day, path, problems)


def _in_range(value: _D, path: str, problems: Problems) -> _D | None:
    """``value`` (a date or an aware date-time) when within the dates entdrill accepts."""
    try:
        ranges.check_date(value, path)
        if isinstance(value, dt.datetime):
            ranges.check_instant(value, path)
    except InvalidInput as error:
        problems.add(path, str(error).removeprefix(f"{path}: "))
        return None
    return value


def read_datetime(
    value: object, path: str, tz: dt.tzinfo, problems: Problems
) -> dt.datetime | None:
    """A date and time ``YYYY-MM-DDTHH:MM``: local to ``tz`` unless it carries an offset."""
    parsed: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and not is_date_only(value):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        problems.add(path, f"expected a date and time YYYY-MM-DDTHH:MM, got {value!r}")
        return None
    if not ranges.FIRST_DATE <= parsed.date() <= ranges.LAST_DATE:  # before any zone arithmetic
        return _in_range(parsed, path, problems)
    return _in_range(parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed, path, problems)


def is_date_only(value: object) -> bool:
    """Whether ``value`` is a bare date (a YAML date, or a ``YYYY-MM-DD`` string), no time of day."""
    if isinstance(value, dt.datetime):
        return False
    if isinstance(value, dt.date):
        return True
    return isinstance(value, str) and _DATE.fullmatch(value.strip()) is not None


def read_zone(value: object, path: str, problems: Problems) -> str | None:
    """A school zone: ``A``, ``B``, ``C`` or ``Corse`` (any case)."""
    if isinstance(value, str):
        for zone in ZONES:
            if value.strip().lower() == zone.lower():
                return zone
    problems.add(path, f"expected a school zone A, B, C or Corse, got {value!r}")
    return None


def read_school_days(value: object, path: str, problems: Problems) -> int | None:
    """How many school days before a holiday: an integer from 1 to 15."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 1 <= number <= MAX_SCHOOL_DAYS_BEFORE:
        problems.add(
            path,
            f"expected a whole number of school days from 1 to {MAX_SCHOOL_DAYS_BEFORE}, "
            f"got {value!r}",
        )
        return None
    return number


def read_timezone(value: object, path: str, problems: Problems) -> str | None:
    """An IANA time zone name such as ``Europe/Paris``."""
    if isinstance(value, str) and value.strip():
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return value.strip()
    problems.add(path, f"expected an IANA time zone such as Europe/Paris, got {value!r}")
    return None


def read_text(value: object, path: str, problems: Problems) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    problems.add(path, f"expected a non-empty text, got {value!r}")
    return None


def read_weekdays(value: object, path: str, problems: Problems) -> frozenset[int] | None:
    """A list of days ``[mon, tue, ...]`` as weekday numbers (Monday is 0)."""
    if not isinstance(value, list) or not value:
        problems.add(path, f"expected a list of days among {', '.join(WEEKDAYS)}, got {value!r}")
        return None
    days: set[int] = set()
    wrong = False
    for index, item in enumerate(value):
        name = item.strip().lower() if isinstance(item, str) else ""
        name = WEEKDAYS[_DAY_NAMES.index(name)] if name in _DAY_NAMES else name
        if name not in WEEKDAYS:
            problems.add(f"{path}[{index}]", f"expected one of {', '.join(WEEKDAYS)}, got {item!r}")
            wrong = True
            continue
        days.add(WEEKDAYS.index(name))
    return None if wrong else frozenset(days)
