"""No fault outlives its experiment: `chaos run` with the default command line, interrupted by
SIGINT or SIGTERM, stopped by a failing fault action, or killed with SIGKILL (then
`entdrill recover`), always ends with every component back as configured and the ledger clean.

The experiments under ``experiments/`` here declare no rollbacks and keep chaos's default
rollback strategy, so only the staging control and the ledger can revert their faults.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entdrill.faults.ledger import INJECTED, Ledger
from entdrill.faults.recovery import recover, sandbox_problems
from entdrill.faults.target import SandboxTarget, wait_until
from entdrill.sandbox.faults import FaultSettings
from entdrill.sandbox.state import read_state
from entdrill.sandbox.supervisor import Supervisor
from entdrill.testing import free_config

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "experiments"
BIN = Path(sys.executable).parent
FAULTS_IN_WAIT = 4
STORM_MODULE = "actions.login.actions"
STORM_ACTIVITIES = {"start_login_storm", "stop_login_storm", "login_storm_report"}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An entdrill home whose sandbox runs for the module (started here, so runs leave it up)."""
    home = tmp_path_factory.mktemp("runs")
    supervisor = Supervisor(home / "sandbox")
    try:
        supervisor.up(free_config(), timeout_s=60)
        yield home
    finally:
        supervisor.down()


@pytest.fixture
def run_env(home: Path) -> Iterator[dict[str, str]]:
    env = {**os.environ, "ENTDRILL_HOME": str(home)}
    env.pop("ENT_BASE_URL", None)
    yield env
    ledger = Ledger(home / "faults.jsonl")
    if ledger.open_entries():  # a failed test must not break the next one
        recover(ledger)


def chaos(
    home: Path, env: dict[str, str], experiment: Path, *extra: str
) -> subprocess.Popen[bytes]:
    journal = home / "journal.json"
    journal.unlink(missing_ok=True)
    with (home / "chaos.out").open("wb") as out:
        return subprocess.Popen(
            [str(BIN / "chaos"), "--log-file", str(home / "chaostoolkit.log"), "run",
             "--journal-path", str(journal), *extra, str(experiment)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def output(home: Path) -> str:
    return (home / "chaos.out").read_text(errors="replace")


def wait_for_faults(home: Path, process: subprocess.Popen[bytes], count: int) -> None:
    ledger = Ledger(home / "faults.jsonl")

    def injected() -> bool:
        assert process.poll() is None, output(home)
        return len([e for e in ledger.open_entries() if e.status == INJECTED]) >= count

    assert wait_until(injected, 60.0, 0.1), output(home)


def assert_back_as_configured(home: Path) -> None:
    target = SandboxTarget(home / "sandbox")
    assert Ledger(home / "faults.jsonl").open_entries() == []
    assert sandbox_problems(target.directory) == []
    for bridge in ("bridge", "backup-bridge"):
        assert FaultSettings.from_dict(target.admin(bridge).get_faults()).is_clear()


def journal(home: Path) -> dict[str, Any]:
    return dict(json.loads((home / "journal.json").read_text()))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_the_method_reverts_every_fault(
    home: Path, run_env: dict[str, str], signum: signal.Signals
) -> None:
    process = chaos(home, run_env, HERE / "inject_then_wait.json")
    wait_for_faults(home, process, FAULTS_IN_WAIT)
    target = SandboxTarget(home / "sandbox")
    assert target.pid_of("ent-2") is None  # the faults are really there
    process.send_signal(signum)
    assert process.wait(90) == 1, output(home)
    ran = journal(home)
    assert ran["status"] == "interrupted", output(home)
    assert ran["rollbacks"] == []  # chaos skipped them, as it does on interruption
    reverted = ran["entdrill"]["faults"]["reverted"]
    assert sorted(r["kind"] for r in reverted) == sorted(
        ["kill_replica", "degrade_bridge", "bridge_hang", "shrink_bridge_capacity"]
    )
    assert ran["entdrill"]["faults"]["ok"] is True
    assert_back_as_configured(home)
    secrets = read_state(home / "sandbox").secrets  # type: ignore[union-attr]
    written = "".join(
        (home / name).read_text() for name in ("journal.json", "chaostoolkit.log", "faults.jsonl")
    )
    for secret in (secrets.admin_token, secrets.bridge_secret, secrets.backup_bridge_secret):
        assert secret not in written


def test_a_failing_fault_action_interrupts_the_run_and_says_why(
    home: Path, run_env: dict[str, str]
) -> None:
    pids = {c: SandboxTarget(home / "sandbox").pid_of(c) for c in ("ent-1", "ent-2")}
    process = chaos(home, run_env, HERE / "failing_fault.json")
    assert process.wait(90) == 1, output(home)
    ran = journal(home)
    assert ran["status"] == "interrupted"
    why = ran["entdrill"]["interrupted_because"]
    assert "fault action 'lose-three-of-two-replicas' failed" in why
    assert "count: 3 is more than the 2 ENT replica(s) running" in why
    assert [r["activity"]["name"] for r in ran["run"]] == [
        "slow-bridge",
        "lose-three-of-two-replicas",
    ]
    assert ran["steady_states"]["after"] is None  # never "completed, hypothesis met"
    assert [r["kind"] for r in ran["entdrill"]["faults"]["reverted"]] == ["degrade_bridge"]
    assert {c: SandboxTarget(home / "sandbox").pid_of(c) for c in pids} == pids  # untouched
    assert "Interrupting the experiment" in (home / "chaostoolkit.log").read_text()
    assert_back_as_configured(home)


def test_after_kill_9_of_chaos_entdrill_recover_reverts_every_fault(
    home: Path, run_env: dict[str, str]
) -> None:
    process = chaos(home, run_env, HERE / "inject_then_wait.json")
    wait_for_faults(home, process, FAULTS_IN_WAIT)
    process.kill()
    process.wait(30)
    target = SandboxTarget(home / "sandbox")
    ledger = Ledger(home / "faults.jsonl")
    assert len(ledger.open_entries()) == FAULTS_IN_WAIT  # nothing ran after SIGKILL
    assert target.pid_of("ent-2") is None
    assert target.admin("bridge").get_faults()["latency_ms"] == 200
    recovered = subprocess.run(
        [str(BIN / "entdrill"), "recover"], env=run_env, capture_output=True, text=True, timeout=120
    )
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert "Reverted 4 fault(s)." in recovered.stdout
    assert_back_as_configured(home)
    again = subprocess.run(
        [str(BIN / "entdrill"), "recover"], env=run_env, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 0 and "Nothing to recover" in again.stdout


def test_the_next_run_reverts_faults_left_by_a_killed_one_before_it_starts(
    home: Path, run_env: dict[str, str]
) -> None:
    process = chaos(home, run_env, HERE / "inject_then_wait.json")
    wait_for_faults(home, process, FAULTS_IN_WAIT)
    process.kill()
    process.wait(30)
    follow = chaos(home, run_env, HERE / "failing_fault.json")
    assert follow.wait(120) == 1, output(home)
    ran = journal(home)
    assert ran["steady_states"]["before"]["steady_state_met"] is True  # ent-2 was back
    assert_back_as_configured(home)


def test_sigterm_inside_a_python_activity_interrupts_instead_of_failing_the_activity(
    home: Path, run_env: dict[str, str]
) -> None:
    process = chaos(home, run_env, HERE / "blocked_probe.json")
    wait_for_faults(home, process, 1)
    log = home / "chaostoolkit.log"
    assert wait_until(lambda: "Probe: join-the-hung-backup" in log.read_text(), 30.0), output(home)
    time.sleep(0.5)  # inside the join, waiting on the hung bridge
    process.send_signal(signal.SIGTERM)
    assert process.wait(90) == 1, output(home)
    ran = journal(home)
    assert ran["status"] == "interrupted"
    assert ran["entdrill"]["interrupted_because"] == "SIGTERM received during the experiment"
    assert "should-not-run" not in [r["activity"]["name"] for r in ran["run"]]
    assert_back_as_configured(home)


def test_the_video_bridge_outage_experiment_holds_on_the_backup_bridge(
    home: Path, run_env: dict[str, str]
) -> None:
    process = chaos(home, run_env, ROOT / "experiments" / "video_bridge_outage.json",
                    "--var", "bridge_outage_s:int=1")  # fmt: skip
    assert process.wait(120) == 0, output(home)
    ran = journal(home)
    assert (ran["status"], ran["deviated"]) == ("completed", False)
    (during,) = ran["steady_states"]["after"]["probes"]
    assert (during["output"]["ok"], during["output"]["bridge"]) == (True, "backup")
    refused = next(r for r in ran["run"] if r["activity"]["name"] == "primary-bridge-refuses-joins")
    assert refused["output"]["ok"] is False
    assert [r["status"] for r in ran["rollbacks"]] == ["succeeded"]
    assert_back_as_configured(home)


def test_a_failed_hypothesis_still_ends_with_the_bridge_restored(
    home: Path, run_env: dict[str, str]
) -> None:
    process = chaos(home, run_env, ROOT / "experiments" / "video_bridge_degraded.json",
                    "--var", "degraded_observed_s:int=0", "--var", "bridge_latency_ms:int=400",
                    "--var", "bridge_error_ratio:float=0",
                    "--var", "class_join_budget_s:float=0.5")  # fmt: skip
    assert process.wait(120) == 1, output(home)
    ran = journal(home)
    assert ran["deviated"] is True  # joins take 3 x 400 ms: over the 0.5 s budget
    degraded = next(r for r in ran["run"] if r["activity"]["name"] == "join-on-the-degraded-bridge")
    assert degraded["output"]["ok"] and degraded["output"]["seconds"] >= 0.8
    assert [r["status"] for r in ran["rollbacks"]] == ["succeeded"]
    assert_back_as_configured(home)


def runnable(home: Path, name: str) -> Path:
    """``experiments/<name>.json``, without its login storm while the storm is not on the branch."""
    path = ROOT / "experiments" / f"{name}.json"
    if importlib.util.find_spec(STORM_MODULE) is not None:
        return path
    experiment = json.loads(path.read_text())
    for key in ("method", "rollbacks"):
        experiment[key] = [
            a for a in experiment[key] if a["provider"]["func"] not in STORM_ACTIVITIES
        ]
    stripped = home / f"{name}-without-storm.json"
    stripped.write_text(json.dumps(experiment))
    return stripped


def test_the_server_loss_experiment_holds_with_one_replica_lost(
    home: Path, run_env: dict[str, str]
) -> None:
    process = chaos(home, run_env, runnable(home, "server_loss"),
                    "--var", "fault_after_s:int=0", "--var", "loss_observed_s:int=1",
                    "--var", "storm_duration_s:int=10", "--var", "sample_logins:int=10")  # fmt: skip
    assert process.wait(120) == 0, output(home)
    ran = journal(home)
    assert (ran["status"], ran["deviated"]) == ("completed", False)
    left = next(r for r in ran["run"] if r["activity"]["name"] == "replicas-left")
    assert left["output"]["running"] == 1  # the hypothesis after was checked with a replica lost
    (after,) = ran["steady_states"]["after"]["probes"]
    assert after["output"]["success_ratio"] == 1.0
    restored = next(
        r for r in ran["rollbacks"] if r["activity"]["name"] == "restore-the-ent-replicas"
    )
    assert restored["status"] == "succeeded" and len(restored["output"]["reverted"]) == 1
    assert_back_as_configured(home)


def test_the_session_store_loss_experiment_measures_the_relogin_wave(
    home: Path, run_env: dict[str, str]
) -> None:
    process = chaos(home, run_env, runnable(home, "session_store_loss"),
                    "--var", "session_loss_at_s:int=0", "--var", "storm_duration_s:int=10",
                    "--var", "relogin_wave_logins:int=20", "--var", "relogin_wave_concurrency:int=10",
                    "--var", "sample_logins:int=10")  # fmt: skip
    assert process.wait(120) == 0, output(home)
    ran = journal(home)
    assert (ran["status"], ran["deviated"]) == ("completed", False)
    lost = next(r for r in ran["run"] if r["activity"]["name"] == "lose-the-session-store")
    assert lost["output"]["canary_sent_back_to_cas"] is True
    wave = next(r for r in ran["run"] if r["activity"]["name"] == "relogin-wave")
    assert wave["output"]["count"] == 20 and wave["output"]["success_ratio"] == 1.0
    assert_back_as_configured(home)


def test_a_ctrl_c_whose_keyboard_interrupt_is_lost_still_stops_the_run(
    home: Path, run_env: dict[str, str]
) -> None:
    env = {**run_env, "PYTHONPATH": str(ROOT)}  # for tests.faults.swallower
    process = chaos(home, env, HERE / "swallowed_interrupt.json")
    wait_for_faults(home, process, 1)
    log = home / "chaostoolkit.log"
    assert wait_until(lambda: "Probe: swallow-the-interrupt" in log.read_text(), 30.0), output(home)
    time.sleep(0.5)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    assert process.wait(90) == 1, output(home)
    assert time.monotonic() - started < 20  # not the 30 s sleep plus the 60 s pause
    ran = journal(home)
    assert ran["status"] == "interrupted", output(home)
    assert "swallowed a KeyboardInterrupt" in log.read_text()
    assert ran["entdrill"]["interrupted_because"] == "SIGINT received during the experiment"
    assert "should-not-run" not in [r["activity"]["name"] for r in ran["run"]]
    assert_back_as_configured(home)


def test_entdrill_stop_ends_a_fault_experiment_with_its_faults_reverted(
    home: Path, run_env: dict[str, str]
) -> None:
    process = chaos(home, run_env, HERE / "inject_then_wait.json")
    wait_for_faults(home, process, FAULTS_IN_WAIT)
    stopped = subprocess.run(
        [str(BIN / "entdrill"), "stop", "--kind", "experiment", "--wait", "60"],
        env=run_env, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert f"experiment pid {process.pid}" in stopped.stdout and "stopped" in stopped.stdout
    assert process.wait(30) == 1, output(home)
    ran = journal(home)
    assert ran["status"] == "interrupted", output(home)
    assert len(ran["entdrill"]["faults"]["reverted"]) == FAULTS_IN_WAIT
    assert_back_as_configured(home)
