"""Server loss on a real sandbox: replicas killed, hung, resumed, restored; sessions lost.

One sandbox serves the module; every test leaves it as configured, with its ledger clean.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from entdrill import processes
from entdrill.errors import FaultError
from entdrill.faults import servers
from entdrill.faults.ledger import INJECTED, Ledger
from entdrill.faults.recovery import recover, sandbox_problems
from entdrill.faults.target import SandboxTarget, wait_until
from entdrill.probes.login import pick_user, synthetic_login
from entdrill.testing import free_config, running_sandbox


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxTarget]:
    directory = tmp_path_factory.mktemp("servers") / "sandbox"
    with running_sandbox(directory, free_config()):
        yield SandboxTarget(directory)


@pytest.fixture
def ledger(tmp_path: Path, target: SandboxTarget) -> Iterator[Ledger]:
    ledger = Ledger(tmp_path / "faults.jsonl")
    yield ledger
    recover(ledger)  # whatever a failed test left
    assert ledger.open_entries() == []
    assert sandbox_problems(target.directory) == []


def pupil_logs_in(target: SandboxTarget) -> bool:
    state = target.state()
    username, password = pick_user(str(target.directory / "population.csv"), "pupil")
    return synthetic_login(state.config.ent_url, username, password, timeout_s=10).ok


def test_a_killed_replica_is_gone_logins_go_on_and_restore_brings_it_back(
    target: SandboxTarget, ledger: Ledger
) -> None:
    done = servers.kill_replicas(target, count=1, ledger=ledger)
    (hit,) = done["replicas"]
    assert (hit["component"], hit["signal"], hit["state"]) == ("ent-2", "SIGKILL", "gone")
    assert not processes.is_alive(hit["pid"])
    assert done["running_before"] == ["ent-1", "ent-2"] and done["running_after"] == ["ent-1"]
    (entry,) = ledger.entries()
    assert (entry.status, entry.kind, entry.action["pid"]) == (INJECTED, "kill_replica", hit["pid"])
    assert all(pupil_logs_in(target) for _ in range(10))
    assert servers.replicas_status(target)["running"] == 1
    restored = servers.restore_replicas(target, ledger=ledger)
    assert restored["reverted"] == [entry.id] and restored["running"] == ["ent-1", "ent-2"]
    assert target.pid_of("ent-2") not in (None, hit["pid"])
    assert ledger.open_entries() == []
    assert servers.restore_replicas(target, ledger=ledger)["started"] == []  # idempotent


def test_a_graceful_stop_by_name_is_recorded_and_recovered(
    target: SandboxTarget, ledger: Ledger
) -> None:
    done = servers.kill_replicas(target, replica="ent-1", signal_name="SIGTERM", ledger=ledger)
    assert done["replicas"][0]["component"] == "ent-1"
    assert done["running_after"] == ["ent-2"]
    report = recover(ledger)
    assert report.ok and [r["kind"] for r in report.reverted] == ["kill_replica"]
    assert "restarted ent-1" in report.reverted[0]["how"]


def test_a_hung_replica_is_paused_and_resumed(target: SandboxTarget, ledger: Ledger) -> None:
    done = servers.hang_replicas(target, ledger=ledger)
    pid = done["replicas"][0]["pid"]
    assert processes.is_paused(pid)
    assert servers.replicas_status(target)["paused"] == 1
    assert ledger.entries()[0].kind == "hang_replica"
    resumed = servers.resume_replicas(target, ledger=ledger)
    assert resumed["resumed"] == ["ent-2"]
    assert not processes.is_paused(pid) and target.pid_of("ent-2") == pid
    assert ledger.open_entries() == []


def test_killing_every_replica_is_allowed_and_one_more_is_refused(
    target: SandboxTarget, ledger: Ledger
) -> None:
    servers.kill_replicas(target, count=2, ledger=ledger)
    assert servers.replicas_status(target)["running"] == 0
    with pytest.raises(Exception, match="count: 1 is more than the 0 ENT replica"):
        servers.kill_replicas(target, count=1, ledger=ledger)
    assert len(ledger.open_entries()) == 2
    assert servers.restore_replicas(target, ledger=ledger)["running"] == ["ent-1", "ent-2"]


def test_a_fault_that_does_not_take_effect_in_time_fails_and_is_reverted(
    target: SandboxTarget, ledger: Ledger
) -> None:
    before = target.pid_of("ent-2")
    with pytest.raises(
        FaultError,
        match=r"kill_replica on ent-2 failed: ent-2 \(pid \d+\) is still running 0 s after SIGTERM",
    ):
        servers.kill_replicas(target, signal_name="SIGTERM", ledger=ledger, timeout_s=0.0)
    (entry,) = ledger.entries()
    assert not entry.is_open and "still running" in entry.error
    assert target.pid_of("ent-2") not in (None, before)  # it did stop, and was started again


def test_losing_the_session_store_sends_a_logged_in_pupil_back_to_cas(
    target: SandboxTarget, ledger: Ledger
) -> None:
    assert pupil_logs_in(target)
    done = servers.lose_session_store(target, ledger=ledger)
    assert done["canary_sent_back_to_cas"] is True
    assert done["lost"] >= 1
    assert done["sessions_after"]["session"] <= done["sessions_before"]["session"]
    (entry,) = ledger.entries()
    assert entry.kind == "lose_session_store" and not entry.is_open  # nothing to undo
    assert pupil_logs_in(target)  # everyone can log in again


def test_a_hung_replica_killed_meanwhile_is_started_again_by_recovery(
    target: SandboxTarget, ledger: Ledger
) -> None:
    """The undo of a hang signals the recorded pid only while it is still that component."""
    done = servers.hang_replicas(target, replica="ent-1", ledger=ledger)
    pid = done["replicas"][0]["pid"]
    target.supervisor.stop_component("ent-1", signal.SIGKILL)  # someone else killed it meanwhile
    assert wait_until(lambda: not processes.is_alive(pid), 10.0)
    report = recover(ledger)
    assert report.ok, report.problems
    assert "is gone" in report.reverted[0]["how"] and "restarted ent-1" in report.reverted[0]["how"]
