"""`entdrill drill validate`: every problem on its own line, exit 2; a one-line summary, exit 0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from tests.drill.plans import VALID_PLAN, line_of, replace, write_plan


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["drill", "validate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_valid_plan_prints_one_summary_line_and_exits_0(tmp_path: Path) -> None:
    path = write_plan(tmp_path)
    code, out, err = invoke(str(path))
    assert code == 0, out + err
    [line] = out.splitlines()
    assert line.startswith(f"{path}: valid: drill 'small-drill' on the sandbox: ")
    assert (
        "2 groups (from_sandbox: a default sandbox's people, the sandbox is not running), " in line
    )
    assert "1 experiments, 3 channels, 1 manual steps" in line
    assert err == ""


def test_invalid_plan_prints_every_problem_one_per_line_and_exits_2(tmp_path: Path) -> None:
    text = replace(
        VALID_PLAN,
        "audience: [enseignants]\n    expect: {delivered_share: 1.0",
        "audience: [profs]\n    expect: {delivered_share: 1.0",
    )
    text = replace(text, 'at: "07:45"', "at: 18:30")
    text = replace(text, "        title: dane\n", "        title: dane\n        title: dsi\n")
    path = write_plan(tmp_path, text)
    code, out, err = invoke(str(path))
    assert code == 2
    assert out.splitlines() == [
        f"{path}:{line_of(text, 'title: dsi')}: groups.cellule.people[0].title: the key 'title' "
        f"appears twice (first on line {line_of(text, 'title: dane')}); a YAML reader would "
        "silently keep only the last one: remove one of them",
        f'{path}:{line_of(text, "[profs]")}: channels[0].audience[0]: "profs" is not a declared '
        "group; declared: cellule, enseignants",
        f"{path}:{line_of(text, 'at: 18:30')}: schedule.at: 18:30 without quotes is read as the "
        'number 1110 (YAML 1.1 base 60): write "18:30" in quotes',
    ]
    assert err.strip() == f"Error: {path}: 3 problems in the plan; the plan was not accepted"


def test_missing_experiment_fails_unless_no_check_files_is_given(tmp_path: Path) -> None:
    path = write_plan(tmp_path, experiments=False)
    code, out, _ = invoke(str(path))
    assert code == 2
    assert "experiments[0].path" in out and "does not exist" in out
    code, out, _ = invoke("--no-check-files", str(path))
    assert code == 0
    assert "(missing experiment files tolerated)" in out


def test_several_plans_are_checked_and_any_invalid_one_exits_2(tmp_path: Path) -> None:
    good = write_plan(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    code, out, _ = invoke(str(good), str(bad))
    assert code == 2
    lines = out.splitlines()
    assert lines[0].startswith(f"{good}: valid:")
    assert lines[1].startswith(f"{bad}:") and "YAML syntax error" in lines[1]


def test_missing_plan_file_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    code, out, err = invoke(str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "cannot read the plan" in out
    assert "Traceback" not in out + err


def test_drill_group_and_validate_have_help() -> None:
    result = CliRunner().invoke(cli, ["drill", "--help"])
    assert result.exit_code == 0 and "validate" in result.stdout
    result = CliRunner().invoke(cli, ["drill", "validate", "--help"])
    assert result.exit_code == 0 and "--no-check-files" in result.stdout


def test_from_sandbox_groups_are_counted_from_the_running_sandbox(
    tmp_path: Path, sandbox: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from entdrill.population import read_csv

    monkeypatch.setenv("ENTDRILL_HOME", str(Path(sandbox["directory"]).parent))
    path = write_plan(tmp_path, replace(VALID_PLAN, "roles: [teacher]", "roles: [pupil]"))
    code, out, err = invoke(str(path))
    assert code == 0, out + err
    pupils = [
        p
        for p in read_csv(Path(sandbox["population_csv"]))
        if p.role == "pupil" and p.school == "college-jean-moulin"
    ]
    assert 0 < len(pupils) < 120  # the test sandbox is smaller than a default one
    assert (
        f": {len(pupils) + 2} people in 2 groups (from_sandbox: the running sandbox's people)"
        in out
    )
