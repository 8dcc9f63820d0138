"""Video-bridge failures on a real sandbox: down, hung, degraded, shrunk; restored.

One sandbox serves the module; every test leaves it as configured, with its ledger clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entdrill import processes
from entdrill.bbb import create_and_join
from entdrill.faults import video
from entdrill.faults.ledger import Ledger
from entdrill.faults.recovery import recover, sandbox_problems
from entdrill.faults.target import SandboxTarget, port_refuses
from entdrill.probes.meeting import class_can_meet
from entdrill.sandbox.faults import FaultSettings
from entdrill.testing import free_config, running_sandbox


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("video") / "sandbox"
    with running_sandbox(directory, free_config()) as status:
        yield status


@pytest.fixture
def target(sandbox: dict[str, Any]) -> SandboxTarget:
    return SandboxTarget(Path(sandbox["directory"]))


@pytest.fixture
def ledger(tmp_path: Path, target: SandboxTarget) -> Iterator[Ledger]:
    ledger = Ledger(tmp_path / "faults.jsonl")
    yield ledger
    recover(ledger)
    assert ledger.open_entries() == []
    assert sandbox_problems(target.directory) == []
    for bridge in ("bridge", "backup-bridge"):
        assert FaultSettings.from_dict(target.admin(bridge).get_faults()).is_clear()


def join(sandbox: dict[str, Any], backup: bool = False, timeout_s: float = 3.0) -> Any:
    prefix = "backup_bridge" if backup else "bridge"
    return create_and_join(
        sandbox[f"{prefix}_url"], sandbox[f"{prefix}_secret"], meeting_id="m1", timeout_s=timeout_s
    )


def meet(sandbox: dict[str, Any], timeout_s: float = 2.0) -> dict[str, Any]:
    return class_can_meet(
        (sandbox["bridge_url"], sandbox["bridge_secret"]),
        (sandbox["backup_bridge_url"], sandbox["backup_bridge_secret"]),
        timeout_s=timeout_s,
    )


def test_a_bridge_down_refuses_connections_and_classes_move_to_the_backup(
    sandbox: dict[str, Any], target: SandboxTarget, ledger: Ledger
) -> None:
    done = video.bridge_down(target, ledger=ledger)
    assert (done["connection"], done["signal"]) == ("refused", "SIGTERM")
    assert port_refuses(done["port"]) and not processes.is_alive(done["pid"])
    assert "bridge unreachable" in join(sandbox).error
    met = meet(sandbox)
    assert (met["ok"], met["bridge"], met["primary"]["ok"]) == (True, "backup", False)
    restored = video.restore_bridge(target, ledger=ledger)
    assert restored["reverted"] == [done["fault_id"]] and restored["started"] is False
    assert join(sandbox).ok and meet(sandbox)["bridge"] == "primary"


def test_a_bridge_hung_by_sigstop_times_out_and_recovery_resumes_it(
    sandbox: dict[str, Any], target: SandboxTarget, ledger: Ledger
) -> None:
    done = video.bridge_hang(target, ledger=ledger)
    assert processes.is_paused(done["pid"])
    hung = join(sandbox, timeout_s=1.0)
    assert not hung.ok and hung.seconds >= 0.9
    assert meet(sandbox, timeout_s=1.0)["bridge"] == "backup"
    assert recover(ledger).ok
    assert not processes.is_paused(done["pid"]) and join(sandbox).ok


def test_a_hang_fault_is_read_back_and_restore_lifts_it(
    sandbox: dict[str, Any], target: SandboxTarget, ledger: Ledger
) -> None:
    done = video.bridge_hang(target, bridge="backup-bridge", method="fault", ledger=ledger)
    assert (done["before"], done["after"]) == ({"hang": False}, {"hang": True})
    assert not join(sandbox, backup=True, timeout_s=1.0).ok
    restored = video.restore_bridge(target, bridge="backup-bridge", ledger=ledger)
    assert restored["faults"]["hang"] is False and restored["reverted"] == [done["fault_id"]]
    assert join(sandbox, backup=True).ok


def test_latency_and_errors_are_set_read_back_and_set_back_to_what_they_were(
    sandbox: dict[str, Any], target: SandboxTarget, ledger: Ledger
) -> None:
    slow = video.degrade_bridge(target, latency_ms=300, ledger=ledger)
    assert slow["before"] == {"latency_ms": 0.0, "error_ratio": 0.0}
    assert slow["after"] == {"latency_ms": 300.0, "error_ratio": 0.0}
    timed = join(sandbox)
    assert timed.ok and timed.seconds >= 0.6  # create and join, 300 ms each
    failing = video.degrade_bridge(target, latency_ms=300, error_ratio=1.0, ledger=ledger)
    assert failing["before"] == {"latency_ms": 300.0, "error_ratio": 0.0}  # stacked on the first
    assert not join(sandbox).ok
    assert meet(sandbox)["bridge"] == "backup"
    report = recover(ledger)
    assert [r["id"] for r in report.reverted] == [failing["fault_id"], slow["fault_id"]]
    assert target.admin("bridge").get_faults()["latency_ms"] == 0.0


def test_a_shrunk_bridge_refuses_joins_past_its_capacity(
    sandbox: dict[str, Any], target: SandboxTarget, ledger: Ledger
) -> None:
    done = video.shrink_bridge_capacity(target, capacity=0, ledger=ledger)
    assert done["before"] == {"capacity": None} and done["after"] == {"capacity": 0}
    refused = join(sandbox)
    assert not refused.ok and "maxParticipantsReached" in refused.error
    assert video.restore_bridge(target, ledger=ledger)["faults"]["capacity"] is None
    assert join(sandbox).ok


def test_restore_bridge_clears_faults_nobody_recorded(
    sandbox: dict[str, Any], target: SandboxTarget, ledger: Ledger
) -> None:
    target.admin("bridge").put_faults({"latency_ms": 50})  # set by hand, outside the ledger
    restored = video.restore_bridge(target, ledger=ledger)
    assert restored["cleared_unrecorded"] == {"latency_ms": 50.0}
    assert restored["faults"]["latency_ms"] == 0.0


def test_a_bridge_that_is_not_running_cannot_be_broken_and_nothing_is_recorded(
    target: SandboxTarget, ledger: Ledger
) -> None:
    video.bridge_down(target, bridge="backup-bridge", ledger=ledger)
    with pytest.raises(Exception, match="backup-bridge is not running, so it cannot be broken"):
        video.degrade_bridge(target, bridge="backup-bridge", latency_ms=10, ledger=ledger)
    assert len(ledger.entries()) == 1
    assert video.restore_bridge(target, bridge="backup-bridge", ledger=ledger)["reverted"]
