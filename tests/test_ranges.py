"""The one range check: numbers (NaN, infinity, booleans), choices, text, dates, click options."""

from __future__ import annotations

import datetime as dt
import math

import click
import pytest
from click.testing import CliRunner

from entdrill import ranges
from entdrill.errors import InvalidArgument

SECONDS = ranges.Number(0, 3600, unit="seconds")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, -1, 3600.5, True, "5", None])
def test_a_number_out_of_range_or_of_another_type_is_refused(value: object) -> None:
    with pytest.raises(InvalidArgument) as caught:
        SECONDS.check(value, "--wait")
    assert str(caught.value) == (
        f"--wait: expected a number of seconds from 0 to 3600, got {value!r}"
    )


def test_bounds_are_included_unless_above_says_otherwise() -> None:
    assert SECONDS.check(0, "x") == 0 and SECONDS.check(3600.0, "x") == 3600.0
    above = ranges.Number(0, 10, above=True)
    assert above.problem(0) == "expected a number above 0 and at most 10, got 0"
    whole = ranges.Number(1, 5, integer=True)
    assert whole.problem(2.5) == "expected a whole number from 1 to 5, got 2.5"
    assert whole.problem(3) is None


def test_choices_text_and_parsed_values() -> None:
    assert ranges.OneOf(("a", "b")).problem("c") == "expected one of a, b, got 'c'"
    path = ranges.Text("a path starting with /", min_length=1, pattern=r"/\S*")
    assert path.problem("/homework") is None and path.problem("homework") is not None

    def parse(text: str) -> object:
        raise InvalidArgument(f"{text!r} is not a mix")

    assert ranges.Parsed("a mix", parse).problem("x") == "'x' is not a mix"


def test_dates_are_kept_within_the_calendar_entdrill_accepts() -> None:
    assert ranges.check_date(dt.date(2027, 3, 31), "--from") == dt.date(2027, 3, 31)
    for day in (dt.date(1, 1, 1), dt.date(1969, 12, 31), dt.date(3000, 1, 1)):
        with pytest.raises(InvalidArgument, match="expected a date from 1970-01-01 to 2999-12-31"):
            ranges.check_date(day, "--from")
    east = dt.datetime(1970, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    with pytest.raises(InvalidArgument, match="--now"):
        ranges.check_instant(east, "--now")  # 1969 in UTC


def test_a_click_option_refuses_nan_which_floatrange_lets_through() -> None:
    @click.command()
    @click.option("--wait", type=ranges.option(SECONDS), default=5.0)
    def command(wait: float) -> None:
        click.echo(repr(wait))

    assert CliRunner().invoke(command, ["--wait", "2.5"]).output == "2.5\n"
    refused = CliRunner().invoke(command, ["--wait", "nan"])
    assert refused.exit_code == 2
    assert "Invalid value for '--wait': expected a number of seconds from 0 to 3600, got nan" in (
        refused.output
    )
    assert click.FloatRange(0, 3600).convert("nan", None, None) != 0  # the trap: NaN passes
