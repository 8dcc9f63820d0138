"""The server-loss activities as Chaos Toolkit sees them: discovery, errors, tolerances."""

from __future__ import annotations

from pathlib import Path

import pytest
from chaoslib.exceptions import ActivityFailed

from actions.servers import actions as server_actions
from actions.servers import probes as server_probes
from actions.servers.tolerances import login_slo_met
from entdrill.faults.ledger import Ledger
from entdrill.testing import free_config, prepare_sandbox_dir


def test_a_refused_argument_is_an_activity_failure_naming_it(tmp_path: Path) -> None:
    prepare_sandbox_dir(tmp_path / "sandbox", free_config())
    configuration = {"sandbox_dir": str(tmp_path / "sandbox"), "staging": "sandbox"}
    with pytest.raises(ActivityFailed, match="kill_replicas: count: 5 is more than the 0 ENT"):
        server_actions.kill_replica(count=5, configuration=configuration)
    with pytest.raises(ActivityFailed, match="signal: 'SIGNOPE' is not a signal name"):
        server_actions.kill_replica(signal="SIGNOPE", configuration=configuration)
    with pytest.raises(ActivityFailed, match="replica: unknown component 'ent-7'"):
        server_actions.resume_replica(replica="ent-7", configuration=configuration)
    assert Ledger().entries() == []


def test_replicas_running_reads_the_sandbox_without_touching_it(tmp_path: Path) -> None:
    prepare_sandbox_dir(tmp_path / "sandbox", free_config(replicas=3))
    status = server_probes.replicas_running(
        configuration={"sandbox_dir": str(tmp_path / "sandbox")}
    )
    assert status["configured"] == 3
    assert (status["running"], status["stopped"], status["all_running"]) == (0, 3, False)


@pytest.mark.parametrize(
    ("sample", "met"),
    [
        ({"success_ratio": 1.0, "p95_s": 0.4}, True),
        ({"success_ratio": 0.95, "p95_s": 2.0}, True),
        ({"success_ratio": 0.94, "p95_s": 0.4}, False),
        ({"success_ratio": 1.0, "p95_s": 2.01}, False),
        ({}, False),
    ],
)
def test_the_login_objective_needs_both_the_ratio_and_the_p95(sample: dict, met: bool) -> None:
    assert login_slo_met(sample, min_success_ratio=0.95, max_p95_s=2.0) is met
