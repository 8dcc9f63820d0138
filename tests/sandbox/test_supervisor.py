"""The sandbox's lifecycle: up, idempotent up, status, server loss, down, refusals."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import pytest

from entdrill import processes
from entdrill.errors import ComponentFailed
from entdrill.probes.login import pick_user, synthetic_login
from entdrill.sandbox.status import status
from entdrill.sandbox.supervisor import Supervisor
from entdrill.testing import free_config

STATUS_KEYS = {
    "ent_url", "bridge_url", "bridge_secret", "backup_bridge_url", "slack_api_url", "slack_token",
    "smtp_host", "smtp_port", "sms_api_url", "status_page_url", "population_csv",
    "consent_token", "admin_token", "components",
}  # fmt: skip


@pytest.fixture
def supervisor(tmp_path: Path) -> Supervisor:
    sup = Supervisor(tmp_path / "sandbox")
    yield sup
    sup.down()


def test_up_starts_every_component_and_status_names_them(supervisor: Supervisor) -> None:
    supervisor.up(free_config(), timeout_s=60)
    info = status(supervisor)
    assert set(info) >= STATUS_KEYS
    names = [c["name"] for c in info["components"]]
    assert names == [
        "ent-1", "ent-2", "bridge", "backup-bridge", "slack", "sms", "smtp", "statuspage", "staff",
    ]  # fmt: skip
    assert all(c["state"] == "running" and c["pid"] for c in info["components"])
    assert info["running"] is True
    header = Path(info["population_csv"]).read_text().splitlines()[0]
    assert header.startswith("username,password,role,school,email")


def test_up_twice_changes_nothing(supervisor: Supervisor) -> None:
    config = free_config()
    supervisor.up(config, timeout_s=60)
    pids = {c["name"]: c["pid"] for c in status(supervisor)["components"]}
    supervisor.up(config, timeout_s=60)
    supervisor.up(None, timeout_s=60)
    assert {c["name"]: c["pid"] for c in status(supervisor)["components"]} == pids


def test_down_leaves_no_process_behind(supervisor: Supervisor) -> None:
    supervisor.up(free_config(), timeout_s=60)
    pids = [c["pid"] for c in status(supervisor)["components"]]
    supervisor.stop_component("ent-2", signal.SIGSTOP)  # even a paused one
    stopped = supervisor.down()
    assert len(stopped) == len(pids)
    assert not any(processes.is_alive(pid) for pid in pids)
    assert processes.components_in(supervisor.directory) == []
    assert all(c["state"] == "stopped" for c in status(supervisor)["components"])


def test_a_taken_port_is_named_and_nothing_is_left_running(supervisor: Supervisor) -> None:
    config = free_config()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", config.bridge_port))
        squatter.listen()
        with pytest.raises(ComponentFailed) as failure:
            supervisor.up(config, timeout_s=60)
    assert failure.value.component == "bridge"
    assert f"port {config.bridge_port} is already in use" in str(failure.value)
    assert processes.components_in(supervisor.directory) == []


def test_after_kill_9_of_one_replica_the_next_50_logins_all_succeed(supervisor: Supervisor) -> None:
    supervisor.up(free_config(), timeout_s=60)
    info = status(supervisor)
    victim = supervisor.stop_component("ent-1", signal.SIGKILL)
    assert not processes.is_alive(victim.pid)
    results = []
    for _ in range(50):
        username, password = pick_user(info["population_csv"], "pupil")
        results.append(synthetic_login(info["ent_url"], username, password))
    failures = [r for r in results if not r.ok]
    assert failures == []
    states = {c["name"]: c["state"] for c in status(supervisor)["components"]}
    assert states["ent-1"] == "stopped" and states["ent-2"] == "running"


def test_a_lost_replica_can_be_started_again(supervisor: Supervisor) -> None:
    supervisor.up(free_config(), timeout_s=60)
    old = supervisor.stop_component("ent-2", signal.SIGKILL)  # returns once the process is gone
    entry = supervisor.start_component("ent-2")
    assert entry.pid != old.pid
    assert {c["name"]: c["state"] for c in status(supervisor)["components"]}["ent-2"] == "running"


def test_a_crashing_component_is_named_with_its_log_tail(supervisor: Supervisor) -> None:
    config = free_config(store_url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    with pytest.raises(ComponentFailed) as failure:
        supervisor.up(config, timeout_s=30)
    assert failure.value.component.startswith("ent-")
    assert failure.value.log_tail
    assert processes.components_in(supervisor.directory) == []
