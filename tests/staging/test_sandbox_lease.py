"""The sandbox lease completes a sandbox that lost a component, except a component another run
keeps down on purpose: two experiments of one drill run side by side, and the first to start
must not undo the fault the other just injected (the demo's bridge outage went unseen by
monitoring because a parallel capacity search restarted the bridge 0.7 s after it was killed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from entdrill import staging


class Sandbox:
    """A local target missing its bridge."""

    directory = Path("/nonexistent/sandbox")

    def __init__(self, running: list[str]) -> None:
        self.names = running
        self.starts = 0

    def is_up(self) -> bool:
        return False

    def running(self) -> list[str]:
        return self.names

    def start(self) -> None:
        self.starts += 1

    def stop(self) -> None:
        raise AssertionError("a lease that did not start the sandbox never stops it")

    def status(self) -> dict[str, Any]:
        return {}


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    target = Sandbox(["ent-1", "ent-2", "backup-bridge"])
    monkeypatch.setattr(staging, "local_sandbox", lambda: target)
    return target


def test_a_sandbox_missing_only_a_faulted_component_is_left_as_it_is(sandbox: Sandbox) -> None:
    lease = staging.SandboxLease()
    assert lease.acquire(faulted=["bridge"])["staging"] == "sandbox"
    assert sandbox.starts == 0
    lease.release()


def test_a_sandbox_missing_a_component_with_no_fault_in_place_is_completed(
    sandbox: Sandbox,
) -> None:
    lease = staging.SandboxLease()
    lease.acquire()
    assert sandbox.starts == 1
    assert lease.started_here is False  # completed, not started: not ours to stop
    lease.release()


def test_a_sandbox_not_running_at_all_is_started_and_stopped_by_its_lease(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = Sandbox([])
    stopped: list[bool] = []
    target.stop = lambda: stopped.append(True)  # type: ignore[method-assign]
    monkeypatch.setattr(staging, "local_sandbox", lambda: target)
    lease = staging.SandboxLease()
    lease.acquire(faulted=["bridge"])
    assert (target.starts, lease.started_here) == (1, True)
    lease.release()
    assert stopped == [True]
