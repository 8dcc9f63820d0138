"""Strict YAML reading: what PyYAML would silently accept is refused, each with its line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entdrill.drill.plan import check_plan
from entdrill.yaml_safe import MAX_BYTES, read_yaml
from tests.drill.plans import VALID_PLAN, line_of, replace


def only_problem(text: str) -> tuple[int, str, str]:
    doc = read_yaml(text)
    assert len(doc.problems) == 1, doc.problems
    problem = doc.problems[0]
    return problem.line, ".".join(str(p) for p in problem.path), problem.message


def test_duplicate_key_is_refused_naming_both_lines() -> None:
    line, field, message = only_problem("name: a\ndescription: b\nname: c\n")
    assert (line, field) == (3, "name")
    assert "appears twice (first on line 1)" in message
    assert "keep only the last one" in message


def test_duplicate_key_inside_a_list_item_is_refused() -> None:
    doc = read_yaml("channels:\n  - name: a\n    type: sms\n    type: email\n")
    assert [(p.line, p.path) for p in doc.problems] == [(4, ("channels", 0, "type"))]


def test_alias_and_anchor_are_refused_with_their_lines() -> None:
    doc = read_yaml("a: &base {x: 1}\nb: *base\n")
    found = {(p.line, p.path): p.message for p in doc.problems}
    assert "anchor &base is not allowed" in found[(1, ("a",))]
    assert "alias *base is not allowed" in found[(2, ("b",))]
    assert doc.data == {"a": {"x": 1}, "b": None}  # nothing was expanded


def test_merge_key_is_refused() -> None:
    doc = read_yaml("a:\n  <<: {x: 1}\n  y: 2\n")
    assert any("merge keys" in p.message and p.line == 2 for p in doc.problems)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("!!python/object/apply:os.system ['true']", "!!python/object/apply:os.system"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!custom 3", "!custom"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!str 12:30", "!!str"),
    ],
)
def test_explicit_tags_are_refused_and_nothing_is_constructed(value: str, shown: str) -> None:
    line, field, message = only_problem(f"name: x\nroom: {value}\n")
    assert (line, field) == (2, "room")
    assert f"the tag {shown} is not allowed" in message


@pytest.mark.parametrize(
    ("value", "reads_as"),
    [
        ("no", "the boolean false"),
        ("off", "the boolean false"),
        ("on", "the boolean true"),
        ("yes", "the boolean true"),
        ("No", "the boolean false"),
        ("OFF", "the boolean false"),
    ],
)
def test_norway_booleans_are_refused_with_a_sentence_to_quote_them(
    value: str, reads_as: str
) -> None:
    line, field, message = only_problem(f"a: 1\nreason: {value}\n")
    assert (line, field) == (2, "reason")
    assert message.startswith(f"{value} without quotes is read as {reads_as}")
    assert f'write "{value}" in quotes' in message


def test_true_and_false_and_quoted_norway_values_are_accepted() -> None:
    doc = read_yaml("a: true\nb: false\nc: 'no'\nd: \"on\"\n")
    assert doc.problems == []
    assert doc.data == {"a": True, "b": False, "c": "no", "d": "on"}


def test_unquoted_time_of_day_is_refused_as_base_60_number() -> None:
    line, field, message = only_problem("schedule:\n  zone: B\n  at: 12:30\n")
    assert (line, field) == (3, "schedule.at")
    assert "12:30 without quotes is read as the number 750" in message
    assert 'write "12:30" in quotes' in message


def test_leading_zero_octal_number_is_refused() -> None:
    _, _, message = only_problem("room: 0755\n")
    assert "octal number 493" in message


def test_non_finite_number_is_refused() -> None:
    _, _, message = only_problem("share: .nan\n")
    assert "not a finite number" in message


def test_key_that_yaml_reads_as_a_boolean_is_refused() -> None:
    line, field, message = only_problem("name: x\non: push\n")
    assert (line, field) == (2, "on")
    assert "key on without quotes is read as the boolean true" in message


def test_dates_are_kept_as_the_text_written() -> None:
    doc = read_yaml("start: 2026-06-15\nwhen: 2026-06-15T08:00:00\n")
    assert doc.problems == []
    assert doc.data == {"start": "2026-06-15", "when": "2026-06-15T08:00:00"}


def test_every_field_keeps_the_line_of_its_key() -> None:
    doc = read_yaml("a:\n  b:\n    - x\n    - {c: 1}\n")
    assert doc.lines[("a",)] == 1
    assert doc.lines[("a", "b")] == 2
    assert doc.lines[("a", "b", 1, "c")] == 4
    assert doc.scalars[("a", "b", 0)].plain


def test_billion_laughs_is_refused_fast_without_expanding() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    text = "\n".join(lines) + "\n"
    started = time.perf_counter()
    problems = check_plan(text, file="laughs.yaml", base_dir=Path("."))
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0  # expanded, this would be 9**10 strings; generous bound for a busy CI
    assert any("alias *a0 is not allowed" in p.message for p in problems)
    assert all(p.line <= 10 for p in problems)


def test_syntax_error_names_its_line() -> None:
    doc = read_yaml("name: x\nchannels: [a, b\nother: 1\n")
    assert len(doc.problems) == 1
    assert doc.problems[0].message.startswith("YAML syntax error")
    assert doc.problems[0].line >= 2


def test_empty_file_and_second_document_are_refused() -> None:
    assert "empty" in read_yaml("").problems[0].message
    assert read_yaml("a: 1\n---\nb: 2\n").problems[0].message.startswith("YAML syntax error")


def test_oversized_document_is_refused_before_parsing() -> None:
    doc = read_yaml("a: " + "x" * MAX_BYTES)
    assert "larger than" in doc.problems[0].message


def test_a_refused_value_in_a_plan_is_reported_once_not_again_by_the_schema() -> None:
    text = replace(VALID_PLAN, "reason: exams}", "reason: off}")
    problems = check_plan(text, file="p.yaml", base_dir=Path("."), check_files=False)
    assert [(p.line, p.field) for p in problems] == [
        (line_of(text, "reason: off"), "schedule.blackouts[0].reason")
    ]
    assert 'write "off" in quotes' in problems[0].message


MUTATIONS = [
    "no",
    "on",
    "12:30",
    "&a",
    "*a",
    "!!python/object:x",
    "[",
    "]",
    "{",
    "}",
    "- ",
    ": ",
    "~",
    "",
    "1.10",
    "#",
    "'",
    '"',
    "<<: {a: 1}",
    "null",
    "-1",
    "1e400",
    ".inf",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=200),
            st.sampled_from(["drop", "append", "value"]),
            st.sampled_from(MUTATIONS),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_damage_to_a_plan_gives_located_problems_never_an_exception(
    edits: list[tuple[int, str, str]],
) -> None:
    lines = VALID_PLAN.splitlines()
    for index, how, token in edits:
        i = index % len(lines)
        if how == "drop":
            del lines[i]
        elif how == "append":
            lines[i] += " " + token
        elif ":" in lines[i]:
            lines[i] = lines[i][: lines[i].index(":") + 1] + " " + token
    text = "\n".join(lines) + "\n"
    problems = check_plan(text, file="p.yaml", base_dir=Path("."), check_files=False)
    assert all(1 <= p.line <= len(lines) + 1 and p.message for p in problems)
