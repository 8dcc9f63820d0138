"""The staging control through `chaos run`: it starts the sandbox when needed, stops only its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from entdrill import processes
from entdrill.sandbox.state import read_state
from entdrill.sandbox.supervisor import Supervisor
from entdrill.testing import free_config, prepare_sandbox_dir

ROOT = Path(__file__).resolve().parents[3]
CHAOS = str(Path(sys.executable).with_name("chaos"))


def chaos_run(
    experiment: str, home: Path, *extra: str
) -> tuple[subprocess.CompletedProcess[str], dict]:
    journal = home / "journal.json"
    env = {**os.environ, "ENTDRILL_HOME": str(home)}
    env.pop("ENT_BASE_URL", None)
    done = subprocess.run(
        [CHAOS, "--log-file", str(home / "chaostoolkit.log"), "run", "--journal-path", str(journal),
         *extra, str(ROOT / experiment)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    return done, json.loads(journal.read_text())


def test_smoke_experiment_starts_the_sandbox_and_stops_it_afterwards(entdrill_home: Path) -> None:
    directory = entdrill_home / "sandbox"
    prepare_sandbox_dir(directory, free_config())  # free ports; nothing running yet
    done, journal = chaos_run("experiments/smoke.json", entdrill_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert journal["status"] == "completed"
    assert journal["deviated"] is False
    before = journal["steady_states"]["before"]
    assert before["steady_state_met"] is True
    assert all(p["output"]["ok"] for p in before["probes"])
    assert processes.components_in(directory) == []
    secrets = read_state(directory).secrets  # type: ignore[union-attr]
    written = json.dumps(journal) + (entdrill_home / "chaostoolkit.log").read_text()
    for secret in (secrets.bridge_secret, secrets.admin_token, secrets.consent_token):
        assert secret not in written


def test_a_running_sandbox_is_used_and_left_running(entdrill_home: Path) -> None:
    supervisor = Supervisor(entdrill_home / "sandbox")
    try:
        supervisor.up(free_config(), timeout_s=60)
        pids = {p.pid for p in processes.components_in(supervisor.directory)}
        done, journal = chaos_run("experiments/smoke.json", entdrill_home)
        assert done.returncode == 0, done.stdout + done.stderr
        assert journal["status"] == "completed"
        assert {p.pid for p in processes.components_in(supervisor.directory)} == pids
    finally:
        supervisor.down()
