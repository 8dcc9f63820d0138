"""Every guard rail of a flood stops a search too: the kill switch, during a step or between
two, and consent withdrawn while it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.guard import killswitch
from tests.flood.conftest import TOKEN
from tests.flood.servers import LiveServer
from tests.guard.test_killswitch import wait_for


def start_search(server: LiveServer, report: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable, "-m", "entdrill.cli.capacity", "--target", server.url,
            "--scenario", "http-get", "--from", "20", "--to", "200", "--factor", "1.2",
            "--processes", "1", "--report", str(report), *extra,
        ],
        env=dict(os.environ, ENTDRILL_CONSENT_TOKEN=TOKEN),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def test_entdrill_stop_ends_a_search_within_a_second_during_a_step(
    server: LiveServer, tmp_path: Path
) -> None:
    search = start_search(server, tmp_path / "r.json", "--step-s", "30")
    try:
        wait_for(lambda: len(server.state.load()) > 20)
        assert CliRunner().invoke(cli, ["stop"]).exit_code == 0
        stopped_at = time.monotonic()
        assert search.wait(20) == 4
        assert [s for s in server.state.load() if s.at > stopped_at + 1.0] == []
        report = json.loads((tmp_path / "r.json").read_text())
        assert report["stopped_by"] == "kill switch" and report["outcome"] == "stopped"
        assert report["sustained_rate"] is None and report["headroom"] is None
        assert [s["stopped_by"] for s in report["steps"]] == ["kill switch"]
        assert killswitch.running() == []
    finally:
        search.kill()


def test_entdrill_stop_between_two_steps_starts_no_further_step(
    server: LiveServer, tmp_path: Path
) -> None:
    search = start_search(server, tmp_path / "r.json", "--step-s", "1", "--pause-s", "20")
    try:
        wait_for(lambda: len(server.state.load()) == 20)
        wait_for(lambda: len(killswitch.running(("capacity",))) == 1)
        assert CliRunner().invoke(cli, ["stop"]).exit_code == 0
        assert search.wait(5) == 4
        assert len(server.state.load()) == 20
        report = json.loads((tmp_path / "r.json").read_text())
        assert report["stopped_by"] == "kill switch"
        assert [(s["rate"], s["held"]) for s in report["steps"]] == [(20, True)]
        assert report["sustained_rate"] == 20  # what was measured before the stop is kept
    finally:
        search.kill()


def test_consent_withdrawn_during_the_search_stops_it_with_exit_3(
    server: LiveServer, tmp_path: Path
) -> None:
    def withdraw() -> None:
        wait_for(lambda: len(server.state.load()) >= 30)
        server.state.consent_token = "withdrawn"

    thread = threading.Thread(target=withdraw, daemon=True)
    thread.start()
    path = tmp_path / "r.json"
    result = CliRunner().invoke(
        cli,
        [
            "capacity", "--target", server.url, "--scenario", "http-get", "--consent-token",
            TOKEN, "--from", "20", "--to", "200", "--factor", "1.2", "--step-s", "2",
            "--pause-s", "0", "--processes", "1", "--report", str(path),
        ],
    )  # fmt: skip
    thread.join(5)
    assert result.exit_code == 3, result.output
    report = json.loads(path.read_text())
    assert report["stopped_by"].startswith(("consent withdrawn", "refused by the consent rule"))
    assert "the search was stopped" in result.stderr and "consent" in result.stderr
    assert report["steps"] and report["steps"][0]["held"]
