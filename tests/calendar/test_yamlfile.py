"""Strict YAML reading: aliases, duplicate keys and unquoted clock times are caught, lines kept."""

from __future__ import annotations

import pytest
import yaml

from entdrill.calendar.fields import UnquotedTime
from entdrill.calendar.yamlfile import load_yaml
from entdrill.errors import InvalidInput


def test_unquoted_clock_time_kept_as_text_by_yaml_is_marked() -> None:
    data, _ = load_yaml('a: 07:45\nd: "07:45"\n', "f.yaml")
    assert data == {"a": "07:45", "d": "07:45"}
    assert isinstance(data["a"], UnquotedTime)
    assert not isinstance(data["d"], UnquotedTime)


def test_unquoted_clock_time_yaml_reads_as_a_number_is_refused_at_its_line() -> None:
    # What plain safe_load makes of the same text: the trap being closed.
    assert yaml.safe_load("b: 7:45\nc: 12:30") == {"b": 465, "c": 750}
    with pytest.raises(InvalidInput) as caught:
        load_yaml("x: 1\nb: 7:45\nc: 12:30\n", "f.yaml")
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("f.yaml:2: b: 7:45 without quotes is read as the number 465")
    assert lines[1].startswith("f.yaml:3: c: 12:30 without quotes is read as the number 750")


def test_dates_stay_text_and_numbers_stay_numbers() -> None:
    data, _ = load_yaml("d: 2027-06-07\nn: 12\nt: '2027-09-01T00:00'\n", "f.yaml")
    assert data == {"d": "2027-06-07", "n": 12, "t": "2027-09-01T00:00"}


def test_each_field_path_knows_its_line() -> None:
    _, lines = load_yaml("schedule:\n  zone: C\n  blackouts:\n    - {start: 1}\n    - x\n", "f")
    assert lines["schedule.zone"] == 2
    assert lines["schedule.blackouts"] == 3
    assert lines["schedule.blackouts[0].start"] == 4
    assert lines["schedule.blackouts[1]"] == 5


def test_a_duplicate_key_is_refused_at_its_line() -> None:
    with pytest.raises(InvalidInput, match=r"^plan.yaml:4: schedule.zone: .*zone.*line 2"):
        load_yaml("schedule:\n  zone: C\n  at: '07:45'\n  zone: B\n", "plan.yaml")


def test_an_alias_is_refused_at_its_line() -> None:
    with pytest.raises(InvalidInput, match=r"f.yaml:3: b: alias \*x is not allowed"):
        load_yaml("a: &x [1, 2]\nb:\n  *x\n", "f.yaml")


def test_broken_yaml_and_python_tags_are_input_errors() -> None:
    with pytest.raises(InvalidInput, match=r"^f.yaml:2: document: YAML syntax error"):
        load_yaml("a: [1,\n", "f.yaml")
    with pytest.raises(
        InvalidInput, match=r"the tag !!python/object/apply:os\.system is not allowed"
    ):
        load_yaml("a: !!python/object/apply:os.system ['true']\n", "f.yaml")


def test_an_empty_document_is_refused() -> None:
    with pytest.raises(InvalidInput, match="the file is empty"):
        load_yaml("", "f.yaml")
