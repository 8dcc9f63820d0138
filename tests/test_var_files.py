"""Var files and --var values checked against an experiment: one sentence naming file and key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from entdrill.errors import InvalidConfig
from entdrill.var_files import check

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = json.loads((ROOT / "experiments" / "login_storm.json").read_text())


def write(tmp_path: Path, name: str, content: Any) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def refused(var_files: list[str], variables: dict[str, Any] | None = None) -> str:
    with pytest.raises(InvalidConfig) as caught:
        check(EXPERIMENT, var_files, variables or {})
    return str(caught.value)


def test_the_shipped_example_and_a_yaml_file_pass(tmp_path: Path) -> None:
    example = str(ROOT / "experiments" / "staging.example.json")
    yaml_file = write(
        tmp_path,
        "staging.yaml",
        "configuration:\n  ent_base_url: https://ent.example.fr\n  storm_multiplier: 20\nsecrets:\n  staging:\n    consent_token: abc\n",
    )
    check(EXPERIMENT, [example, yaml_file], {"storm_duration_s": 15})


def test_a_file_that_is_not_json_names_the_file_and_where(tmp_path: Path) -> None:
    path = write(tmp_path, "staging.json", '{\n  "configuration": {"ent_base_url": "https://x"\n}')
    assert refused([path]) == f"{path}: not valid JSON (line 3, column 2: Expecting ',' delimiter)"
    bad_yaml = write(tmp_path, "staging.yml", "configuration: [a\n")
    assert refused([bad_yaml]).startswith(f"{bad_yaml}: not valid YAML (line ")


def test_a_flat_mapping_is_refused_where_chaos_toolkit_would_ignore_it(tmp_path: Path) -> None:
    path = write(tmp_path, "staging.json", {"ent_base_url": "https://ent.example.fr"})
    assert refused([path]) == (
        f"{path}: key 'ent_base_url' at the top level: Chaos Toolkit reads only \"configuration\" "
        'and "secrets" (write {"configuration": {\'ent_base_url\': ...}})'
    )


def test_an_unknown_key_names_the_file_the_key_and_the_likely_one(tmp_path: Path) -> None:
    path = write(tmp_path, "staging.json", {"configuration": {"ent_url": "https://ent.example.fr"}})
    assert refused([path]) == (
        f"{path}: configuration key 'ent_url' is not a configuration key of this experiment "
        "(did you mean 'ent_base_url'?)"
    )
    secrets = write(tmp_path, "s.json", {"secrets": {"staging": {"consent": "x"}}})
    assert (
        refused([secrets])
        == f"{secrets}: secret staging.consent is not declared by this experiment (did you mean 'consent_token'?)"
    )
    group = write(tmp_path, "g.json", {"secrets": {"probe": {"probe_username": "x"}}})
    assert "secrets group 'probe' is not declared" in refused([group])


@pytest.mark.parametrize(
    ("configuration", "message"),
    [
        (
            {"storm_multiplier": "10x"},
            "configuration key 'storm_multiplier': the argument multiplier of start_login_storm (start-login-storm) expects a number, got '10x' (text)",
        ),
        (
            {"storm_multiplier": True},
            "configuration key 'storm_multiplier': the argument multiplier of start_login_storm (start-login-storm) expects a number, got True (true or false)",
        ),
        (
            {"ent_base_url": 8800},
            "configuration key 'ent_base_url': the experiment declares it as text, got 8800 (a whole number)",
        ),
        (
            {"cas_service_url": "ent.example.fr/"},
            "configuration key 'cas_service_url': expected an http(s) URL such as https://ent-staging.example.fr, got 'ent.example.fr/'",
        ),
        (
            {"login_journey": "saml"},
            "configuration key 'login_journey': expected one of cas, cas-portal, form, got 'saml'",
        ),
        (
            {"probe_page": "homework"},
            "configuration key 'probe_page': expected a path starting with /, got 'homework'",
        ),
    ],
)
def test_a_value_of_the_wrong_type_names_the_file_and_key(
    tmp_path: Path, configuration: dict[str, Any], message: str
) -> None:
    path = write(tmp_path, "staging.json", {"configuration": configuration})
    assert refused([path]) == f"{path}: {message}"


def test_var_values_are_checked_too_with_the_typed_form_suggested() -> None:
    assert refused([], {"storm_duration_s": "15"}) == (
        "--var: key 'storm_duration_s': the argument duration_s of start_login_storm "
        "(start-login-storm) expects a number, got '15' (text) (write --var storm_duration_s:int=15)"
    )
    assert refused([], {"storm_multiplyer": 5}).startswith(
        "--var: key 'storm_multiplyer' is not a configuration key of this experiment (did you mean 'storm_multiplier'?)"
    )


def test_a_value_is_judged_by_what_the_experiment_does_with_it_not_by_its_default() -> None:
    """The default 10 is a whole number, but the multiplier feeds a float argument: 2.5 and
    100.0 fit; a negative one does not fit the range the activity declares."""
    check(EXPERIMENT, [], {"storm_multiplier": 2.5})
    check(EXPERIMENT, [], {"storm_multiplier": 100.0})
    assert "above 0" in refused([], {"storm_multiplier": -1})


def test_an_env_file_is_left_to_chaos_toolkit(tmp_path: Path) -> None:
    check(EXPERIMENT, [write(tmp_path, "staging.env", "ENT_BASE_URL=https://ent.example.fr\n")], {})
