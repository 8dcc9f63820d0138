"""A plan's ``readiness`` section: the load to hold, checked, and handed to its experiments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.drill.plan import Readiness, load_plan
from entdrill.drill.readiness import record
from tests.drill.plans import VALID_PLAN, replace, write_plan

WITH_READINESS = VALID_PLAN + "readiness:\n  required_multiple: 150\n  normal_rate: 1.5\n"


def test_without_the_section_the_requirement_is_100_times_normal(tmp_path: Path) -> None:
    plan = load_plan(write_plan(tmp_path))
    assert plan.readiness == Readiness(required_multiple=100.0, normal_rate=None)
    assert plan.experiments[0].vars == {"storm_multiplier": 10, "storm_duration_s": 15}


def test_the_normal_rate_goes_to_every_experiment_that_declares_it(tmp_path: Path) -> None:
    path = write_plan(tmp_path, WITH_READINESS)
    experiment = tmp_path / "experiments" / "storm.json"
    document = json.loads(experiment.read_text())
    document["configuration"] |= {"normal_login_rate": 2.0, "required_multiple": 100}
    experiment.write_text(json.dumps(document))
    plan = load_plan(path)
    assert plan.readiness == Readiness(required_multiple=150.0, normal_rate=1.5)
    assert plan.experiments[0].vars == {
        "normal_login_rate": 1.5,
        "required_multiple": 150.0,
        "storm_multiplier": 10,
        "storm_duration_s": 15,
    }


def test_the_plan_s_own_vars_win_over_the_readiness_section(tmp_path: Path) -> None:
    text = replace(
        WITH_READINESS,
        "vars: {storm_multiplier: 10, storm_duration_s: 15}",
        "vars: {storm_multiplier: 10, storm_duration_s: 15, normal_login_rate: 3}",
    )
    path = write_plan(tmp_path, text)
    experiment = tmp_path / "experiments" / "storm.json"
    document = json.loads(experiment.read_text())
    document["configuration"]["normal_login_rate"] = 2.0
    experiment.write_text(json.dumps(document))
    assert load_plan(path).experiments[0].vars["normal_login_rate"] == 3


def test_an_experiment_that_declares_neither_key_gets_neither(tmp_path: Path) -> None:
    plan = load_plan(write_plan(tmp_path, WITH_READINESS))
    assert "normal_login_rate" not in plan.experiments[0].vars
    assert "required_multiple" not in plan.experiments[0].vars


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "required_multiple: 0",
            "readiness.required_multiple: the number 0 is too small; expected a multiple",
        ),
        ("required_multiple: -5", "readiness.required_multiple: the number -5 is too small"),
        (
            "normal_rate: 0",
            "readiness.normal_rate: the number 0 is too small; expected the ENT's normal",
        ),
        ("required_multiple: lots", "readiness.required_multiple: expected a multiple"),
        ("required: 100", "readiness.required: is not a known field here (did you mean"),
    ],
)
def test_a_bad_readiness_section_is_one_located_sentence_exit_2(
    tmp_path: Path, section: str, message: str
) -> None:
    path = write_plan(tmp_path, VALID_PLAN + f"readiness:\n  {section}\n")
    result = CliRunner().invoke(cli, ["drill", "validate", str(path)])
    assert result.exit_code == 2
    assert message in result.output
    assert f"plan.yaml:{len(VALID_PLAN.splitlines()) + 2}:" in result.output


def test_the_drill_records_the_requirement_and_the_zone_for_the_review() -> None:
    assert record(Readiness(150.0, 1.5), "B") == {
        "required_multiple": 150.0,
        "normal_rate": 1.5,
        "zone": "B",
    }
