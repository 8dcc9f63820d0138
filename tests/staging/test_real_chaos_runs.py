"""``chaos run --var-file`` of the login-storm experiment against a staging ENT written elsewhere,
and the sentences a run that could not test anything ends with."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.staging.conftest import chaos_run, form_journey, portal_journey
from tests.staging_ent.sites import CONSENT_TOKEN, StagingEnt

SHORT = ("--var", "storm_duration_s:int=3", "--var", "storm_processes:int=1",
         "--var", "normal_login_rate:float=1.0", "--var", "storm_multiplier:int=1")  # fmt: skip


@pytest.mark.parametrize("journey", [portal_journey, form_journey], ids=["cas-portal", "form"])
def test_login_storm_runs_against_the_real_ent_from_a_var_file(
    real_ent: StagingEnt, entdrill_home: Path, journey: object
) -> None:
    done, journal = chaos_run(entdrill_home, "login_storm.json", journey(real_ent), *SHORT)  # type: ignore[operator]
    assert journal is not None, done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert (journal["status"], journal["deviated"]) == ("completed", False)
    assert journal["steady_states"]["before"]["steady_state_met"] is True
    assert journal["steady_states"]["after"]["steady_state_met"] is True
    runs = {r["activity"]["name"]: r for r in journal["run"]}
    storm = runs["login-storm-report"]["output"]
    assert storm["report"]["target"].startswith(
        real_ent.portal_url if journey is portal_journey else real_ent.forms_url
    )
    assert storm["report"]["errors"] == {}
    assert storm["headline"]["completed"] == storm["headline"]["asked"] > 0
    assert storm["verdict"]["held"] is True and runs["login-storm-report"]["tolerance_met"] is True
    probe = runs["pupil-login-during-storm"]["output"]
    assert probe["ok"] is True and probe["url"].endswith("/homework")
    assert CONSENT_TOKEN not in (entdrill_home / "journal.json").read_text()
    assert CONSENT_TOKEN not in (entdrill_home / "chaostoolkit.log").read_text()


def test_a_steady_state_not_met_before_fails_the_run_naming_probe_url_and_status(
    real_ent: StagingEnt, entdrill_home: Path
) -> None:
    configuration = portal_journey(real_ent) | {"probe_page": "/homework.json"}
    done, journal = chaos_run(entdrill_home, "login_storm.json", configuration, *SHORT)
    assert done.returncode == 1
    assert journal is not None and journal["status"] == "failed" and journal["run"] == []
    sentence = (
        "The steady state was not met before the method, so nothing was tested: probe "
        f"'pupil-logs-in-within-budget' page missing: HTTP 404 at {real_ent.portal_url}"
        "/homework.json"
    )
    assert journal["entdrill"]["not_tested_because"] == sentence
    assert sentence in done.stderr + done.stdout
    assert not list((entdrill_home / "floods").glob("storm-*.json"))  # no storm was started


def test_a_var_file_that_is_not_json_stops_the_run_before_anything_runs(
    real_ent: StagingEnt, entdrill_home: Path
) -> None:
    var_file = entdrill_home / "broken.json"
    var_file.parent.mkdir(parents=True, exist_ok=True)
    var_file.write_text('{"configuration": {"ent_base_url": "x" = 1}}\n')
    done, journal = chaos_run(
        entdrill_home, "login_storm.json", portal_journey(real_ent), "--var-file", str(var_file)
    )
    assert done.returncode == 1
    assert journal is not None and journal["status"] == "interrupted"
    assert (
        journal["steady_states"]["before"] is None
        and journal["run"] == []
        and journal["rollbacks"] == []
    )
    assert (
        f"cannot run this experiment: {var_file}: not valid JSON (line 1, column 40: Expecting ',' delimiter)"
        in done.stderr + done.stdout
    )


def test_an_unknown_key_in_the_var_file_stops_the_run_naming_it(
    real_ent: StagingEnt, entdrill_home: Path
) -> None:
    configuration = portal_journey(real_ent) | {"app_page": "/homework"}
    done, journal = chaos_run(entdrill_home, "login_storm.json", configuration)
    assert done.returncode == 1 and journal is not None and journal["run"] == []
    assert (
        f"{entdrill_home / 'staging.json'}: configuration key 'app_page' is not a configuration key "
        "of this experiment (did you mean 'app_path'?)"
    ) in done.stderr + done.stdout


def test_a_service_url_outside_the_allow_list_is_refused_like_a_target(
    real_ent: StagingEnt, entdrill_home: Path
) -> None:
    configuration = portal_journey(real_ent) | {
        "login_journey": "cas",
        "cas_service_url": "https://ent.example.fr/accounts/login/",
    }
    done, journal = chaos_run(entdrill_home, "login_storm.json", configuration)
    assert (
        done.returncode == 1 and journal is not None and journal["steady_states"]["before"] is None
    )
    assert (
        "cannot run this experiment: cas_service_url https://ent.example.fr/accounts/login/ is not in the "
        "allow-list: loopback only, unless its host is in ENTDRILL_ALLOWED_TARGETS"
    ) in done.stderr + done.stdout


def test_a_storm_that_could_not_start_interrupts_the_run(
    real_ent: StagingEnt, entdrill_home: Path
) -> None:
    done, journal = chaos_run(
        entdrill_home,
        "login_storm.json",
        portal_journey(real_ent),
        "--var",
        "storm_processes:int=1000",  # within the activity's range, beyond what the machine allows
    )
    assert done.returncode == 1
    assert journal is not None and journal["status"] == "interrupted"
    assert journal["steady_states"]["before"]["steady_state_met"] is True
    assert [r["activity"]["name"] for r in journal["run"]] == ["start-login-storm"]
    assert journal["entdrill"]["not_tested_because"].startswith(
        "load action 'start-login-storm' failed (Cannot start the login storm: --processes 1000 is more than"
    )
