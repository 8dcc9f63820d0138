"""Every experiment under ``experiments/``, run once at a load or fault that breaks the sandbox,
ends deviated (or, for the smoke test, which injects nothing, failed before testing anything):
never "completed" with exit 0. Short runs on a small sandbox (one worker per replica)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entdrill.faults.admin import AdminClient
from entdrill.sandbox.state import read_state
from entdrill.sandbox.supervisor import Supervisor
from entdrill.testing import free_config

ROOT = Path(__file__).resolve().parents[2]
CHAOS = str(Path(sys.executable).with_name("chaos"))


@pytest.fixture(scope="module")
def small_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A sandbox that saturates early: 2 replicas of one worker, 20 ms a login, a short queue."""
    home = tmp_path_factory.mktemp("verdicts")
    supervisor = Supervisor(home / "sandbox")
    config = free_config(login_cost_ms=20.0, ent_workers=1, ent_queue=4, pupils_per_school=20)
    try:
        supervisor.up(config, timeout_s=60)
        yield home
    finally:
        supervisor.down()


def admin(home: Path, url_key: str) -> AdminClient:
    state = read_state(home / "sandbox")
    assert state is not None
    return AdminClient(getattr(state.config, url_key), state.secrets.admin_token)


def run(home: Path, experiment: str, **variables: Any) -> tuple[int, dict[str, Any], str]:
    journal = home / "journal.json"
    journal.unlink(missing_ok=True)
    env = {
        k: v for k, v in os.environ.items() if k not in ("ENT_BASE_URL", "ENTDRILL_CONSENT_TOKEN")
    }
    env["ENTDRILL_HOME"] = str(home)
    typed = [f"{k}:{'float' if isinstance(v, float) else 'int'}={v}" for k, v in variables.items()]
    done = subprocess.run(
        [CHAOS, "--log-file", str(home / "chaostoolkit.log"), "run", "--journal-path", str(journal),
         *[a for t in typed for a in ("--var", t)], str(ROOT / "experiments" / experiment)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return done.returncode, json.loads(journal.read_text()), done.stdout + done.stderr


def assert_deviated(code: int, journal: dict[str, Any], output: str) -> list[str]:
    assert code == 1, output
    assert journal["deviated"] is True, output
    assert journal["steady_states"]["before"]["steady_state_met"] is True
    return list(journal["entdrill"]["deviated_because"])


@pytest.mark.parametrize("experiment", ["login_storm.json", "login_storm_ddos.json"])
def test_a_storm_that_breaks_the_login_path_deviates_naming_the_figure(
    small_sandbox: Path, experiment: str
) -> None:
    code, journal, output = run(
        small_sandbox, experiment, storm_multiplier=100, storm_duration_s=4, storm_processes=1
    )
    because = assert_deviated(code, journal, output)
    assert journal["status"] == "completed"
    assert len(because) == 1 and because[0].startswith(
        "probe 'login-storm-report' is out of its tolerance: the storm broke the login path: "
    )
    assert "of logins failed" in because[0] and "over the tolerance of 1%" in because[0]
    assert because[0] in output  # the control says it on the console too
    runs = {r["activity"]["name"]: r for r in journal["run"]}
    assert runs["login-storm-report"]["tolerance_met"] is False
    assert runs["login-storm-report"]["output"]["verdict"]["failed_percent"] > 1


def test_server_loss_under_a_breaking_storm_deviates(small_sandbox: Path) -> None:
    code, journal, output = run(
        small_sandbox, "server_loss.json", storm_multiplier=60, storm_duration_s=5,
        fault_after_s=1, loss_observed_s=0, sample_logins=5,
    )  # fmt: skip
    because = assert_deviated(code, journal, output)
    assert any(b.startswith("probe 'login-storm-report' is out of its tolerance") for b in because)
    assert journal["entdrill"]["faults"]["ok"] is True  # the lost replica was brought back


def test_session_store_loss_under_a_breaking_morning_deviates(small_sandbox: Path) -> None:
    code, journal, output = run(
        small_sandbox, "session_store_loss.json", morning_multiplier=100, storm_duration_s=5,
        session_loss_at_s=1, relogin_wave_logins=10, relogin_wave_concurrency=5, sample_logins=5,
    )  # fmt: skip
    because = assert_deviated(code, journal, output)
    assert any("the storm broke the login path" in b for b in because)


def test_a_bridge_degraded_past_the_join_budget_deviates(small_sandbox: Path) -> None:
    code, journal, output = run(
        small_sandbox, "video_bridge_degraded.json", bridge_latency_ms=1500,
        bridge_error_ratio=0.0, degraded_observed_s=0, join_timeout_s=5.0, class_join_budget_s=1.0,
    )  # fmt: skip
    assert_deviated(code, journal, output)
    assert journal["steady_states"]["after"]["steady_state_met"] is False
    assert admin(small_sandbox, "bridge_url").get_faults()["latency_ms"] == 0  # rolled back


def test_a_bridge_outage_with_the_backup_broken_too_deviates(small_sandbox: Path) -> None:
    backup = admin(small_sandbox, "backup_bridge_url")
    backup.put_faults({"error_ratio": 1.0})
    try:
        code, journal, output = run(small_sandbox, "video_bridge_outage.json", bridge_outage_s=0)
    finally:
        backup.clear_faults()
    assert_deviated(code, journal, output)
    assert journal["steady_states"]["after"]["steady_state_met"] is False


def test_the_smoke_test_on_a_broken_ent_fails_before_testing_anything(small_sandbox: Path) -> None:
    """The smoke test injects nothing, so it cannot deviate: a broken ENT fails its first check."""
    ent = admin(small_sandbox, "ent_url")
    ent.put_faults({"error_ratio": 1.0})
    try:
        code, journal, output = run(small_sandbox, "smoke.json")
    finally:
        ent.clear_faults()
    assert code == 1 and journal["status"] == "failed" and journal["deviated"] is False
    sentence = journal["entdrill"]["not_tested_because"]
    assert sentence.startswith(
        "The steady state was not met before the method, so nothing was tested: probe 'pupil-logs-in-and-opens-homework' "
    )
    assert "HTTP 5" in sentence and "http://127.0.0.1:" in sentence
    assert sentence in output
