"""Strict YAML reading: aliases, duplicate keys and unquoted clock times are caught, lines kept."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from entdrill.calendar.fields import UnquotedTime
from entdrill.calendar.yamlfile import load_yaml
from entdrill.errors import InvalidInput


def test_unquoted_clock_times_are_marked_whatever_their_first_digit() -> None:
    data, _ = load_yaml('a: 07:45\nb: 7:45\nc: 12:30\nd: "07:45"\ne: 1:2\n', "f.yaml")
    assert data == {"a": "07:45", "b": "7:45", "c": "12:30", "d": "07:45", "e": "1:2"}
    assert [isinstance(data[key], UnquotedTime) for key in "abcde"] == [
        True,
        True,
        True,
        False,
        True,
    ]
    # What plain safe_load makes of the same text: the trap being closed.
    assert yaml.safe_load("b: 7:45\nc: 12:30\na: 07:45") == {"b": 465, "c": 750, "a": "07:45"}


def test_other_scalars_load_as_safe_load_loads_them() -> None:
    data, _ = load_yaml("d: 2027-06-07\nn: 12\nt: '2027-09-01T00:00'\nok: yes\n", "f.yaml")
    assert data == {"d": dt.date(2027, 6, 7), "n": 12, "t": "2027-09-01T00:00", "ok": True}


def test_each_field_path_knows_its_line() -> None:
    _, lines = load_yaml("schedule:\n  zone: C\n  blackouts:\n    - {start: 1}\n    - x\n", "f")
    assert lines == {
        "schedule": 1,
        "schedule.zone": 2,
        "schedule.blackouts": 3,
        "schedule.blackouts[0]": 4,
        "schedule.blackouts[0].start": 4,
        "schedule.blackouts[1]": 5,
    }


def test_a_duplicate_key_is_refused_at_its_line() -> None:
    with pytest.raises(InvalidInput) as caught:
        load_yaml("schedule:\n  zone: C\n  at: '07:45'\n  zone: B\n", "plan.yaml")
    assert str(caught.value) == (
        "plan.yaml:4: schedule.zone: duplicate key (YAML would keep only the last one)"
    )


def test_an_alias_is_refused_at_its_line() -> None:
    with pytest.raises(InvalidInput, match=r"^f.yaml:3: YAML aliases"):
        load_yaml("a: &x [1, 2]\nb:\n  *x\n", "f.yaml")


def test_broken_yaml_and_python_tags_are_input_errors() -> None:
    with pytest.raises(InvalidInput, match=r"^f.yaml:2: not valid YAML"):
        load_yaml("a: [1,\n", "f.yaml")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_yaml("a: !!python/object/apply:os.system ['true']\n", "f.yaml")


def test_an_empty_document_is_none() -> None:
    assert load_yaml("", "f.yaml") == (None, {})
