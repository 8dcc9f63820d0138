"""A plan's staging target takes the experiments' own keys, and hands them to the experiments."""

from __future__ import annotations

from pathlib import Path

import pytest

from entdrill.drill.inject import child_environment
from entdrill.drill.plan import load_plan
from entdrill.errors import InvalidPlan
from tests.drill.plans import VALID_PLAN, replace, write_plan

STAGING = """target:
  ent_url: https://ent-staging.example.fr
  cas_url: https://cas-staging.example.fr/cas
  login_journey: cas-portal
  login_url: https://ent-staging.example.fr/accounts/login/?next=%2Fhomework
  app_path: /homework
  probe_page: /homework
  population_csv: staging-population.csv
  bridge_url: https://visio-staging.example.fr/bigbluebutton/api
  secrets_from_env: {consent_token: ENT_STAGING_CONSENT}"""


def staging_plan(tmp_path: Path, target: str = STAGING) -> Path:
    text = replace(VALID_PLAN, "target: sandbox", target)
    text = text.replace(
        "  enseignants:\n    from_sandbox:\n      roles: [teacher]\n      schools: [college-jean-moulin]\n",
        "",
    )
    text = text.replace("[enseignants]", "[cellule]").replace("[cellule, enseignants]", "[cellule]")
    return write_plan(tmp_path, text)


def test_the_target_keys_reach_the_experiments_as_their_own_variables(tmp_path: Path) -> None:
    plan = load_plan(staging_plan(tmp_path))
    environment = plan.target.experiment_environment({"ENT_STAGING_CONSENT": "tok-123"})
    assert environment == {
        "ENT_BASE_URL": "https://ent-staging.example.fr",
        "ENTDRILL_CAS_URL": "https://cas-staging.example.fr/cas",
        "ENTDRILL_LOGIN_JOURNEY": "cas-portal",
        "ENTDRILL_LOGIN_URL": "https://ent-staging.example.fr/accounts/login/?next=%2Fhomework",
        "ENTDRILL_APP_PATH": "/homework",
        "ENTDRILL_PROBE_PAGE": "/homework",
        "ENTDRILL_POPULATION_CSV": "staging-population.csv",
        "ENTDRILL_BRIDGE_URL": "https://visio-staging.example.fr/bigbluebutton/api",
        "ENTDRILL_CONSENT_TOKEN": "tok-123",
    }
    child = child_environment(plan.target.ent_url, tmp_path, environment)
    assert (
        child["ENTDRILL_LOGIN_JOURNEY"] == "cas-portal"
        and child["ENT_BASE_URL"] == "https://ent-staging.example.fr"
    )


def test_a_bad_journey_in_the_target_is_a_plan_problem_with_its_line(tmp_path: Path) -> None:
    path = staging_plan(
        tmp_path, STAGING.replace("login_journey: cas-portal", "login_journey: saml")
    )
    with pytest.raises(InvalidPlan) as caught:
        load_plan(path)
    assert (
        'target.login_journey: "saml" is not allowed here; expected one of cas, cas-portal, form'
        in str(caught.value)
    )
