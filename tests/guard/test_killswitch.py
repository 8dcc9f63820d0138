"""The kill switch: ``entdrill stop`` stops every running flood on the machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.guard import killswitch
from tests.flood.conftest import TOKEN
from tests.flood.servers import LiveServer


def wait_for(predicate, timeout_s: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def start_flood(server: LiveServer, report: Path, processes: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "entdrill.cli.flood",
            "--target",
            server.url,
            "--scenario",
            "http-get",
            "--rate",
            "30",
            "--duration",
            "60",
            "--processes",
            str(processes),
            "--report",
            str(report),
        ],
        env=dict(os.environ, ENTDRILL_CONSENT_TOKEN=TOKEN),
        stdin=subprocess.DEVNULL,
    )


def test_entdrill_stop_stops_every_running_flood_within_a_second(
    server: LiveServer, tmp_path: Path
) -> None:
    floods = [start_flood(server, tmp_path / f"r{i}.json", i + 1) for i in range(2)]
    try:
        wait_for(lambda: len(killswitch.running(("flood",))) == 4)  # 1 + coordinator and 2 shards
        wait_for(lambda: len(server.state.load()) > 30)
        result = CliRunner().invoke(cli, ["stop", "--json"])
        stopped_at = time.monotonic()
        assert result.exit_code == 0, result.output
        assert len(json.loads(result.output)["signalled"]) == 4
        for process in floods:
            assert process.wait(20) == 4  # interrupted (docs/exit-codes.md)
        assert [s for s in server.state.load() if s.at > stopped_at + 1.0] == []
        report = json.loads((tmp_path / "r1.json").read_text())
        assert report["stopped_by"] == "kill switch"
        assert report["shards"]["complete"]
        assert killswitch.running() == []
    finally:
        for process in floods:
            process.kill()


def test_a_process_registered_before_the_stop_marker_sees_it() -> None:
    registration = killswitch.register("drill", "a drill")
    try:
        assert not registration.stop_requested(now=0.0)
        killswitch.write_marker()
        assert registration.stop_requested(now=1e12)
    finally:
        registration.unregister()
    later = killswitch.register("experiment")
    try:
        assert not later.stop_requested(now=1e12)
    finally:
        later.unregister()


def test_stop_with_nothing_running_says_so() -> None:
    result = CliRunner().invoke(cli, ["stop"])
    assert result.exit_code == 0
    assert result.output.strip() == "nothing was running"


def test_stop_reverts_the_faults_a_dead_process_left_behind(entdrill_home: Path) -> None:
    """A process planned a fault and died (as one --force kills would): stop reverts it."""
    script = (
        "from entdrill.faults.ledger import Ledger\n"
        "Ledger().plan('session_loss', {'component': 'ent'}, {}, {'op': 'none'})\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, env=os.environ.copy())
    from entdrill.faults.ledger import Ledger

    assert len(Ledger().open_entries()) == 1
    result = CliRunner().invoke(cli, ["stop", "--json"])
    assert result.exit_code == 0, result.output
    faults = json.loads(result.output)["faults"]
    assert [f["kind"] for f in faults["reverted"]] == ["session_loss"]
    assert Ledger().open_entries() == []


def test_stopping_one_kind_leaves_the_other_kinds_running() -> None:
    flood = killswitch.register("flood", "a storm")
    try:
        killswitch.stop_all(("drill",), wait_s=0)
        assert not flood.stop_requested(now=time.monotonic() + 1)
        killswitch.stop_all((), wait_s=0)
        assert flood.stop_requested(now=time.monotonic() + 2)
    finally:
        flood.unregister()


def test_an_unknown_kind_is_refused_before_any_marker_is_written() -> None:
    result = CliRunner().invoke(cli, ["stop", "--kind", "bogus"])
    assert result.exit_code == 2
    assert "Invalid value for '--kind': 'bogus' is not one of 'flood', 'drill', 'experiment'" in (
        result.output
    )
    assert not killswitch.marker_path().exists()
    assert not killswitch.marker_path("bogus").exists()
