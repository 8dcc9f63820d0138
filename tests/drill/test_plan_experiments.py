"""A plan's experiments as the drill would run them: Chaos Toolkit's own validation, and each
``vars`` value against the type and range of every use its configuration key has."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from entdrill.drill.plan import check_plan
from tests.drill.plans import VALID_PLAN, line_of, replace

STORM = {
    "title": "A storm",
    "description": "test experiment",
    "configuration": {
        "ent_base_url": {"type": "env", "key": "ENT_BASE_URL", "default": ""},
        "storm_multiplier": 10,
        "storm_duration_s": 60,
        "storm_label": "morning",
        "observe_s": 5,
    },
    "method": [
        {
            "type": "action",
            "name": "start-login-storm",
            "provider": {
                "type": "python",
                "module": "actions.login.actions",
                "func": "start_login_storm",
                "arguments": {
                    "multiplier": "${storm_multiplier}",
                    "duration_s": "${storm_duration_s}",
                    "mix": "pupil-login=1",
                },
            },
            "pauses": {"after": "${observe_s}"},
        },
        {
            "type": "probe",
            "name": "report",
            "provider": {
                "type": "python",
                "module": "actions.login.probes",
                "func": "login_storm_report",
                "arguments": {"run_id": "storm-${storm_label}"},
            },
        },
    ],
}
VARS = "vars: {storm_multiplier: 10, storm_duration_s: 15}"


def problems(tmp_path: Path, vars_text: str, experiment: dict[str, Any] = STORM) -> list[str]:
    (tmp_path / "experiments").mkdir(exist_ok=True)
    (tmp_path / "experiments" / "storm.json").write_text(json.dumps(experiment))
    text = replace(VALID_PLAN, VARS, vars_text)
    return [
        f"{p.line}: {p.field}: {p.message}"
        for p in check_plan(text, file="plan.yaml", base_dir=tmp_path)
    ]


def test_values_that_fit_every_use_are_accepted(tmp_path: Path) -> None:
    assert problems(tmp_path, "vars: {storm_multiplier: 2.5, observe_s: 0, storm_label: x}") == []


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        ("storm_multiplier: -5", "the argument multiplier of start_login_storm (start-login-storm): "
         "expected a number of times normal load above 0 and at most 10000, got -5"),
        ("storm_multiplier: 0", "above 0 and at most 10000, got 0"),
        ('storm_multiplier: "10"', "the argument multiplier of start_login_storm "
         "(start-login-storm) expects a number, got '10' (text)"),
        ("storm_duration_s: 31536000", "expected a number of seconds above 0 and at most 86400"),
        ("storm_duration_s: true", "expects a number, got True (true or false)"),
        ("observe_s: -1", "the pause after start-login-storm: expected a number of seconds "
         "from 0 to 86400, got -1"),
        ("storm_label: true", "it is written into the argument run_id of login_storm_report "
         "(report), which expects text or a number, got True"),
    ],
)  # fmt: skip
def test_a_value_its_use_cannot_take_is_a_problem_on_its_line(
    tmp_path: Path, value: str, sentence: str
) -> None:
    [problem] = problems(tmp_path, f"vars: {{{value}}}")
    key = value.split(":")[0]
    line = line_of(VALID_PLAN, VARS)
    assert problem.startswith(f'{line}: experiments[0].vars.{key}: "experiments/storm.json": ')
    assert sentence in problem


def test_a_key_used_by_no_activity_is_checked_against_its_declared_type(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, "vars: {ent_base_url: 5}")
    assert "the experiment declares it as text, got 5 (a whole number)" in problem


def test_an_experiment_chaos_toolkit_refuses_is_a_problem_naming_why(tmp_path: Path) -> None:
    broken = {**STORM, "method": [{**STORM["method"][0], "provider": {
        **STORM["method"][0]["provider"], "arguments": {"multiplyer": 3}}}]}  # fmt: skip
    [problem] = problems(tmp_path, "vars: {storm_multiplier: 3}", broken)
    assert 'experiments[0].path: Chaos Toolkit refuses "experiments/storm.json": ' in problem
    assert "multiplyer" in problem


def test_chaos_toolkit_resolves_secrets_in_the_environment_the_drill_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs = {**STORM, "secrets": {"k": {"token": {"type": "env", "key": "CORPUS_UNSET_TOKEN"}}}}
    monkeypatch.delenv("CORPUS_UNSET_TOKEN", raising=False)
    [problem] = problems(tmp_path, "vars: {storm_multiplier: 3}", needs)
    assert "CORPUS_UNSET_TOKEN" in problem
    monkeypatch.setenv("CORPUS_UNSET_TOKEN", "value-of-the-token")
    assert problems(tmp_path, "vars: {storm_multiplier: 3}", needs) == []
    import os

    assert os.environ["CORPUS_UNSET_TOKEN"] == "value-of-the-token"  # put back as it was


def test_deadlines_past_a_day_and_escalations_after_the_deadline_are_refused(
    tmp_path: Path,
) -> None:
    text = replace(VALID_PLAN, "within: 10m}", "within: 99999999999999999999h}")
    text = replace(text, "escalation: {after: 5m", "escalation: {after: 6m")
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "storm.json").write_text(json.dumps(STORM))
    found = [str(p) for p in check_plan(text, file="plan.yaml", base_dir=tmp_path)]
    assert any('"99999999999999999999h" is longer than a day (24h)' in p for p in found)
    short = replace(VALID_PLAN, "escalation: {after: 5m", "escalation: {after: 10m")
    found = [str(p) for p in check_plan(short, file="plan.yaml", base_dir=tmp_path)]
    assert any(
        'escalation.after: "10m" is not before the channel\'s deadline (expect.within "10m")' in p
        for p in found
    )


def test_a_readiness_value_the_experiment_would_refuse_is_named_at_its_field(
    tmp_path: Path,
) -> None:
    """The drill hands ``readiness.normal_rate`` to an experiment declaring
    ``normal_login_rate``; ``drill validate`` checks it as ``chaos run`` will, and a value the
    experiment accepts passes."""
    experiment = json.loads(json.dumps(STORM))
    experiment["configuration"]["normal_login_rate"] = "two"  # declared as text: a number won't do
    experiment["configuration"]["observe_s"] = 5
    text = VARS + "\nreadiness: {required_multiple: 100, normal_rate: 1.5}"
    found = problems(tmp_path, text, experiment)
    assert len(found) == 1 and "readiness.normal_rate" in found[0], found
    assert "declares it as text, got 1.5" in found[0]
    experiment["configuration"]["normal_login_rate"] = 2.0
    assert problems(tmp_path, text, experiment) == []
