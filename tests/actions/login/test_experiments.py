"""Both login-storm experiments end to end with `chaos run` on the sandbox, with short storms."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from entdrill import processes
from entdrill.sandbox.state import read_state
from entdrill.testing import free_config, prepare_sandbox_dir

ROOT = Path(__file__).resolve().parents[3]
CHAOS = str(Path(sys.executable).with_name("chaos"))


@pytest.mark.parametrize(
    ("experiment", "scenarios"),
    [
        ("login_storm.json", {"pupil-login", "parent-login", "teacher-login"}),
        ("login_storm_ddos.json", {"pupil-login", "credential-stuffing"}),
    ],
)
def test_login_storm_experiment_holds_on_the_sandbox(
    entdrill_home: Path, experiment: str, scenarios: set[str]
) -> None:
    directory = entdrill_home / "sandbox"
    prepare_sandbox_dir(directory, free_config())
    journal = entdrill_home / "journal.json"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ENT_BASE_URL", "ENTDRILL_CONSENT", "ENTDRILL_POPULATION"))
    }
    done = subprocess.run(
        [CHAOS, "--log-file", str(entdrill_home / "chaostoolkit.log"), "run",
         "--journal-path", str(journal), "--var", "storm_duration_s:int=4",
         "--var", "storm_processes:int=1", str(ROOT / "experiments" / experiment)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    data = json.loads(journal.read_text())
    assert done.returncode == 0, done.stdout + done.stderr
    assert data["status"] == "completed" and data["deviated"] is False
    runs = {r["activity"]["name"]: r for r in data["run"]}
    assert runs["start-login-storm"]["status"] == "succeeded"
    storm = runs["login-storm-report"]["output"]
    assert storm["report"]["schedule"]["total"] == storm["headline"]["asked"] > 0
    assert set(storm["report"]["scenarios"]) == scenarios
    assert storm["headline"]["completed"] > 0
    assert storm["headline"]["stopped_by"] == ""
    assert processes.components_in(directory) == []  # the control stopped the sandbox it started
    secrets = read_state(directory).secrets  # type: ignore[union-attr]
    written = journal.read_text() + (entdrill_home / "chaostoolkit.log").read_text()
    assert secrets.consent_token not in written
