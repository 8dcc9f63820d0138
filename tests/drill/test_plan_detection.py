"""``expect: {detected_within: 60s}`` on a plan's experiment: read, and refused line-exact."""

from __future__ import annotations

from pathlib import Path

from entdrill.drill.plan import check_plan, load_plan
from tests.drill.plans import VALID_PLAN, line_of, replace, write_plan

VARS = "    vars: {storm_multiplier: 10, storm_duration_s: 15}\n"


def with_expect(expect: str) -> str:
    return replace(VALID_PLAN, VARS, VARS + f"    expect: {expect}\n")


def located(text: str) -> list[tuple[int, str, str]]:
    problems = check_plan(text, file="plan.yaml", base_dir=Path("."), check_files=False)
    return [(p.line, p.field, p.message) for p in problems]


def test_detected_within_is_read_in_seconds(tmp_path: Path) -> None:
    path = write_plan(tmp_path, with_expect("{detected_within: 1m30s}"))
    [experiment] = load_plan(path).experiments
    assert experiment.detected_within_s == 90.0
    (tmp_path / "b").mkdir()
    [plain] = load_plan(write_plan(tmp_path / "b", VALID_PLAN)).experiments
    assert plain.detected_within_s is None


def test_a_detected_within_that_is_not_a_duration_is_refused_on_its_line() -> None:
    text = with_expect("{detected_within: soon}")
    [(line, field, message)] = located(text)
    assert (line, field) == (
        line_of(text, "detected_within: soon"),
        "experiments[0].expect.detected_within",
    )
    assert message.startswith('"soon" is not a duration such as "90s", "10m" or "1h30m"')


def test_an_unknown_expectation_or_a_missing_one_is_refused_on_its_line() -> None:
    text = with_expect("{detected_in: 60s}")
    line = line_of(text, "detected_in: 60s")
    found = {field: (at, message) for at, field, message in located(text)}
    assert set(found) == {
        "experiments[0].expect.detected_in",
        "experiments[0].expect.detected_within",
    }
    assert found["experiments[0].expect.detected_within"] == (
        line,
        "is missing; it is required here",
    )
    assert found["experiments[0].expect.detected_in"][0] == line
