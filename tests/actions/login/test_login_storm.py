"""The login-storm activities, through `chaos run` and directly, against a real CAS on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.login import actions as login_actions
from actions.login import probes as login_probes
from tests.flood.servers import LOGINS, LiveServer, ServerState, cas_app
from tests.flood.test_scenarios import PEOPLE, write_users

ROOT = Path(__file__).resolve().parents[3]
CHAOS = str(Path(sys.executable).with_name("chaos"))
TOKEN = "consent-token-for-tests"


@pytest.fixture
def cas() -> Iterator[LiveServer]:
    with LiveServer(cas_app(ServerState(), PEOPLE)) as live:
        yield live


def configuration(cas: LiveServer, tmp_path: Path) -> dict[str, str]:
    users = write_users(tmp_path / "users.csv", PEOPLE)
    return {"ent_base_url": cas.url, "population_csv": str(users), "consent_token": TOKEN}


def test_login_storm_experiment_runs_end_to_end_with_a_short_storm(
    cas: LiveServer, tmp_path: Path
) -> None:
    config = configuration(cas, tmp_path)
    journal = tmp_path / "journal.json"
    env = dict(os.environ, ENT_BASE_URL=cas.url, ENTDRILL_CONSENT_TOKEN=TOKEN)
    env["ENTDRILL_POPULATION_CSV"] = config["population_csv"]
    done = subprocess.run(
        [CHAOS, "--log-file", str(tmp_path / "chaos.log"), "run", "--journal-path", str(journal),
         "--var", "storm_duration_s:int=3", "--var", "storm_processes:int=1",
         str(ROOT / "experiments" / "login_storm.json")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    data = json.loads(journal.read_text())
    assert done.returncode == 0, done.stdout + done.stderr
    assert data["status"] == "completed" and data["deviated"] is False
    runs = {r["activity"]["name"]: r for r in data["run"]}
    assert runs["start-login-storm"]["status"] == "succeeded"
    report = runs["login-storm-report"]["output"]
    assert report["headline"]["asked"] == report["report"]["schedule"]["total"] > 0
    assert report["report"]["scenarios"]["pupil-login"]["completed"] > 0
    assert report["report"]["errors"] == {}
    assert len(cas.app[LOGINS]) >= report["headline"]["completed"]
    assert "histogram" not in json.dumps(report)
    assert TOKEN not in journal.read_text()


def test_stop_login_storm_stops_a_running_storm(cas: LiveServer, tmp_path: Path) -> None:
    config = configuration(cas, tmp_path)
    started = login_actions.start_login_storm(
        profile="constant", multiplier=5, normal_rate=2, duration_s=120, mix="pupil-login",
        processes=1, configuration=config,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while len(cas.app[LOGINS]) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    stopped = login_actions.stop_login_storm(configuration=config)
    assert stopped == [{"run_id": started["run_id"], "was_running": True, "running": False}]
    report = login_probes.login_storm_report(run_id=started["run_id"], wait_s=5)
    assert report["headline"]["stopped_by"] == "kill switch"
    assert report["headline"]["asked"] < 1200


def test_a_storm_refused_by_the_guard_fails_the_action_before_starting(
    cas: LiveServer, tmp_path: Path
) -> None:
    from chaoslib.exceptions import ActivityFailed

    config = configuration(cas, tmp_path) | {"consent_token": "not-the-token"}
    with pytest.raises(ActivityFailed, match="refused by the consent rule"):
        login_actions.start_login_storm(duration_s=5, configuration=config)
    assert cas.state.load() == []


def test_portal_available_reports_status_and_time(cas: LiveServer) -> None:
    result = login_probes.portal_available(configuration={"ent_base_url": cas.url})
    assert result["ok"] is True and result["status"] == 302 and result["seconds"] >= 0
