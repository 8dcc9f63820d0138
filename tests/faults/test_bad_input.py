"""Bad fault arguments are refused before anything is touched, with a sentence naming the argument."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entdrill.errors import InvalidArgument
from entdrill.faults import servers, video
from entdrill.faults.ledger import Ledger
from entdrill.faults.servers import parse_signal
from entdrill.faults.target import SandboxTarget
from entdrill.testing import free_config, prepare_sandbox_dir


@pytest.fixture
def target(tmp_path: Path) -> SandboxTarget:
    """A sandbox set up (state, population) with nothing running."""
    prepare_sandbox_dir(tmp_path / "sandbox", free_config())
    return SandboxTarget(tmp_path / "sandbox")


CASES: list[tuple[str, Callable[..., Any], dict[str, Any], str]] = [
    ("unknown replica", servers.kill_replicas, {"replica": "ent-9"},
     "replica: unknown component 'ent-9'; expected one of ent-1, ent-2"),
    ("not a replica", servers.kill_replicas, {"replica": "bridge"}, "replica: unknown component 'bridge'"),
    ("count above running", servers.kill_replicas, {"count": 3},
     "count: 3 is more than the 0 ENT replica(s) running (none)"),
    ("count of zero", servers.kill_replicas, {"count": 0}, "count: expected a whole number of at least 1"),
    ("unknown signal", servers.kill_replicas, {"signal_name": "SIGFOO"},
     "signal: 'SIGFOO' is not a signal name"),
    ("harmless signal", servers.kill_replicas, {"signal_name": "SIGWINCH"},
     "signal: SIGWINCH does nothing to a process by default"),
    ("hang: unknown replica", servers.hang_replicas, {"replica": "ent-3"}, "replica: unknown component"),
    ("resume: unknown replica", servers.resume_replicas, {"replica": "db"}, "replica: unknown component 'db'"),
    ("unknown bridge", video.bridge_down, {"bridge": "zoom"},
     "bridge: unknown component 'zoom'; expected one of bridge, backup-bridge"),
    ("negative latency", video.degrade_bridge, {"latency_ms": -5},
     "latency_ms: expected 0 to 600000 milliseconds, got -5"),
    ("NaN latency", video.degrade_bridge, {"latency_ms": math.nan}, "latency_ms: expected a number, got nan"),
    ("error ratio above 1", video.degrade_bridge, {"error_ratio": 1.5},
     "error_ratio: expected a share from 0 to 1, got 1.5"),
    ("no degradation", video.degrade_bridge, {}, "latency_ms, error_ratio: both are 0"),
    ("negative capacity", video.shrink_bridge_capacity, {"capacity": -1},
     "capacity: expected a whole number of at least 0, got -1"),
    ("unknown hang method", video.bridge_hang, {"method": "freeze"},
     "method: expected one of sigstop, fault, got 'freeze'"),
    ("restore unknown bridge", video.restore_bridge, {"bridge": "bridge-2"}, "bridge: unknown component"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "injector", "arguments", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_arguments_are_refused_naming_the_argument_and_nothing_is_recorded(
    target: SandboxTarget,
    case: str,
    injector: Callable[..., Any],
    arguments: dict[str, Any],
    message: str,
) -> None:
    ledger = Ledger()
    with pytest.raises(InvalidArgument) as refused:
        injector(target, ledger=ledger, **arguments)
    assert message in str(refused.value)
    assert refused.value.exit_code == 2
    assert ledger.entries() == []
    assert not ledger.path.exists()


@pytest.mark.parametrize(
    ("name", "number"), [("SIGKILL", 9), ("kill", 9), ("sigterm", 15), ("9", 9), ("SIGSTOP", 19)]
)
def test_signals_are_named_as_people_write_them(name: str, number: int) -> None:
    assert int(parse_signal(name)) == number


def test_server_faults_refuse_an_external_staging_ent() -> None:
    with pytest.raises(InvalidArgument, match="act on the embedded sandbox"):
        SandboxTarget.from_configuration(
            {"staging": "external", "ent_base_url": "https://ent.example.invalid"}
        )
