"""kill -9 of the runner at 20 points spread over a drill, from the plan's record to its verdict.

A reference drill runs to its end and counts its events; then, for each of 20 event numbers
spread over that count, a drill is started (`entdrill drill run --json-events`), killed with
SIGKILL right after that event reached its output, and `drill recover` is run. Each time:
every event the runner had reported is in the record, the hash chain verifies, the drill reads
interrupted, and no fault is left injected (the video bridge is running again, the fault ledger
has no open entry).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from entdrill.drill.dead_drills import recover_dead_drills
from entdrill.faults.ledger import Ledger
from entdrill.records import open_records
from entdrill.sandbox.status import status as sandbox_status
from entdrill.sandbox.supervisor import Supervisor
from tests.drill.drill_school import environment, school, start_drill, write_plan

KILL_POINTS = 20


@dataclass
class Bench:
    home: Path
    plan: Path
    events: list[dict[str, Any]]  # the reference drill's streamed events

    @property
    def points(self) -> list[int]:
        """20 event numbers from the plan's record to the last channel outcome (after it, the
        runner may finish before the kill lands)."""
        last = max(e["seq"] for e in self.events if e["kind"] == "channel_outcome")
        first = self.events[0]["seq"]
        span = last - first
        assert span >= KILL_POINTS - 1, f"only {span + 1} events to kill at"
        return [first + round(i * span / (KILL_POINTS - 1)) for i in range(KILL_POINTS)]


def stream(process: subprocess.Popen[str]) -> Iterator[dict[str, Any]]:
    assert process.stdout is not None
    for line in process.stdout:
        yield json.loads(line)


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    home = tmp_path_factory.mktemp("kill-home")
    with school(home):
        plan = write_plan(
            home, name="kill-drill", within="8s", escalate_after="1s", ack_share=0.3, outage_s=1
        )
        env = environment(home, f"sqlite:///{home / 'reference.db'}")
        env["ENTDRILL_RUNTIME_DIR"] = str(home / "run")
        reference = start_drill(plan, env)
        events = list(stream(reference))
        assert reference.wait(timeout=120) in (0, 1), (
            reference.stderr.read() if reference.stderr else ""
        )
        yield Bench(home, plan, events)


@pytest.mark.parametrize("point", range(KILL_POINTS))
def test_kill_9_loses_no_reported_event_and_recover_leaves_no_fault(
    bench: Bench, point: int, tmp_path: Path
) -> None:
    seq = bench.points[point]
    url = f"sqlite:///{tmp_path / 'records.db'}"
    env = environment(bench.home, url)
    env["ENTDRILL_RUNTIME_DIR"] = str(bench.home / "run")
    drill = start_drill(bench.plan, env)
    reported = []
    for event in stream(drill):
        reported.append(event)
        if event["seq"] >= seq:
            drill.kill()
            break
    drill.wait(timeout=30)
    assert reported and reported[-1]["seq"] >= seq, "the drill ended before the kill point"
    with pytest.MonkeyPatch.context() as patch, open_records(url) as records:
        patch.setenv("ENTDRILL_HOME", str(bench.home))
        [recovered] = recover_dead_drills(records, grace_s=20)
        assert recovered.action == "interrupted", recovered
        detail = records.get_drill(recovered.drill_id)
        chain = records.verify_chain(recovered.drill_id)
    recorded = {e.seq: (e.phase, e.kind) for e in detail.events}
    for event in reported:
        assert recorded.get(event["seq"]) == (event["phase"], event["kind"])
    assert chain.ok, chain.describe()
    assert detail.drill.status == "interrupted"
    assert recovered.faults["ok"], recovered.faults
    assert Ledger(bench.home / "faults.jsonl").open_entries() == []
    components = sandbox_status(Supervisor(bench.home / "sandbox"))["components"]
    assert all(c["state"] == "running" for c in components), components


def test_when_the_runner_and_its_experiment_are_both_killed_recover_reverts_the_outage(
    bench: Bench, tmp_path: Path
) -> None:
    """Nothing runs after SIGKILL: the fault is left in place, and `drill recover` reverts it."""
    plan = write_plan(tmp_path, name="both-killed", within="30s", outage_s=60)
    url = f"sqlite:///{tmp_path / 'records.db'}"
    env = environment(bench.home, url)
    env["ENTDRILL_RUNTIME_DIR"] = str(bench.home / "run")
    drill = start_drill(plan, env)
    child = 0
    for event in stream(drill):
        if event["kind"] == "experiment_started":
            child = event["data"]["pid"]
        if event["kind"] == "fault_seen":
            os.kill(child, signal.SIGKILL)
            drill.kill()
            break
    drill.wait(timeout=30)
    assert _state(bench.home, "bridge") == "stopped"  # the outage outlived both
    with pytest.MonkeyPatch.context() as patch, open_records(url) as records:
        patch.setenv("ENTDRILL_HOME", str(bench.home))
        [recovered] = recover_dead_drills(records, grace_s=5)
    assert recovered.action == "interrupted"
    assert [f["kind"] for f in recovered.faults["reverted"]] == ["bridge_down"]
    assert _state(bench.home, "bridge") == "running"
    assert Ledger(bench.home / "faults.jsonl").open_entries() == []


def _state(home: Path, component: str) -> str:
    components = sandbox_status(Supervisor(home / "sandbox"))["components"]
    return next(c["state"] for c in components if c["name"] == component)
