"""The one range check for numbers, durations, dates and choices, wherever they come from.

A command-line option, a plan field, an environment variable and a Chaos Toolkit ``vars`` value
are checked by the same declarations, so each says what it expects the same way:

- :class:`Number`: finite (never NaN or infinity), between declared bounds, whole when asked,
  never a boolean (YAML's ``yes`` and JSON's ``true`` are not 1);
- :class:`OneOf` and :class:`Text`: text among choices, or text of a bounded length;
- :func:`check_date` and :func:`check_instant`: between :data:`FIRST_DATE` and
  :data:`LAST_DATE`, so no time-zone conversion can overflow (``0001-01-01T00:00+14:00`` is
  out of Python's calendar in UTC) and no date is absurd for a school calendar;
- :func:`option` turns a :class:`Number` into a click parameter type, so an option given
  ``nan`` or ``-5`` is refused by click with the same sentence (``click.FloatRange`` lets NaN
  through: every comparison with NaN is false).

Activities declare the ranges of their arguments next to them (``actions/*/limits.py``) with
these same classes; ``drill validate`` checks a plan's ``vars`` against them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from entdrill.errors import InvalidArgument, InvalidInput

#: Dates entdrill accepts anywhere: school calendars and records live well inside these.
FIRST_DATE = dt.date(1970, 1, 1)
LAST_DATE = dt.date(2999, 12, 31)

DAY = 86400.0


class Limit:
    """A declared range; :meth:`problem` says what is wrong with a value, or None."""

    def problem(self, value: Any) -> str | None:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def check(self, value: Any, name: str, error: type[InvalidInput] = InvalidArgument) -> Any:
        """``value`` when it fits; else ``error`` with ``name: expected ..., got ...``."""
        problem = self.problem(value)
        if problem is not None:
            raise error(f"{name}: {problem}")
        return value


@dataclass(frozen=True)
class Number(Limit):
    """A finite number from ``low`` to ``high`` (``above`` makes ``low`` itself refused)."""

    low: float
    high: float
    unit: str = ""  # "seconds", "arrivals per second", ... as the sentence reads
    integer: bool = False
    above: bool = False

    def describe(self) -> str:
        kind = "a whole number" if self.integer else "a number"
        if self.unit:
            kind += f" of {self.unit}"
        low = _figure(self.low)
        start = f"above {low}" if self.above else f"from {low}"
        return f"{kind} {start} {'and at most' if self.above else 'to'} {_figure(self.high)}"

    def problem(self, value: Any) -> str | None:
        expected = f"expected {self.describe()}, got {_shown(value)}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return expected
        if isinstance(value, float) and not math.isfinite(value):
            return expected
        if self.integer and not (isinstance(value, int) or float(value).is_integer()):
            return expected
        if value < self.low or value > self.high or (self.above and value == self.low):
            return expected
        return None


@dataclass(frozen=True)
class OneOf(Limit):
    """Text among ``choices``."""

    choices: tuple[str, ...]

    def describe(self) -> str:
        return "one of " + ", ".join(self.choices)

    def problem(self, value: Any) -> str | None:
        if isinstance(value, str) and value in self.choices:
            return None
        return f"expected {self.describe()}, got {_shown(value)}"


@dataclass(frozen=True)
class Text(Limit):
    """Text of ``min_length`` to ``max_length`` characters, matching ``pattern`` when given."""

    what: str = "text"
    min_length: int = 0
    max_length: int = 4096
    pattern: str = ""

    def describe(self) -> str:
        at_least = "non-empty " if self.min_length else ""
        return f"{at_least}{self.what} of at most {self.max_length} characters"

    def problem(self, value: Any) -> str | None:
        if (
            isinstance(value, str)
            and self.min_length <= len(value) <= self.max_length
            and (not self.pattern or re.fullmatch(self.pattern, value))
        ):
            return None
        return f"expected {self.describe()}, got {_shown(value)}"


@dataclass(frozen=True)
class Parsed(Limit):
    """Text that ``parse`` accepts (it raises :class:`InvalidInput` saying why not)."""

    what: str
    parse: Callable[[str], object]

    def describe(self) -> str:
        return self.what

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return f"expected {self.what}, got {_shown(value)}"
        try:
            self.parse(value)
        except InvalidInput as error:
            return str(error)
        return None


def check_date(value: dt.date, name: str, error: type[InvalidInput] = InvalidArgument) -> dt.date:
    """``value`` when it lies from :data:`FIRST_DATE` to :data:`LAST_DATE`."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not FIRST_DATE <= day <= LAST_DATE:
        raise error(f"{name}: expected a date from {FIRST_DATE} to {LAST_DATE}, got {value}")
    return value


def check_instant(
    value: dt.datetime, name: str, error: type[InvalidInput] = InvalidArgument
) -> dt.datetime:
    """An aware ``value`` whose date, in its own zone and in UTC, lies within the dates."""
    check_date(value, name, error)
    if value.tzinfo is not None:
        # The local date is in range, so UTC (at most a day away) cannot overflow.
        check_date(value.astimezone(dt.UTC), name, error)
    return value


class NumberOption(click.ParamType):  # type: ignore[type-arg]  # generic in click 8.3+
    """A click parameter type checked by a :class:`Number` (NaN and infinity refused)."""

    def __init__(self, limit: Number) -> None:
        self.limit = limit
        self.name = "integer" if limit.integer else "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number: float = value
        else:
            try:
                number = int(str(value).strip()) if self.limit.integer else float(str(value))
            except ValueError:
                self.fail(f"expected {self.limit.describe()}, got {_shown(value)}", param, ctx)
        problem = self.limit.problem(number)
        if problem is not None:
            self.fail(problem, param, ctx)
        return number

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "INTEGER" if self.limit.integer else "NUMBER"


def option(limit: Number) -> NumberOption:
    """``click.option("--wait", type=ranges.option(WAIT))``."""
    return NumberOption(limit)


def _figure(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "")
    return f"{value:g}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
