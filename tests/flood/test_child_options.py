"""A flood's child processes get their options through the environment: a target URL may hold
a password, and a command line is world-readable (``ps``, ``/proc/PID/cmdline``)."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from pathlib import Path

import pytest

from entdrill import child_options
from entdrill.errors import InvalidArgument
from entdrill.flood import FloodOptions
from entdrill.flood import runs as runs_module
from tests.flood.conftest import TOKEN
from tests.flood.servers import LiveServer
from tests.flood.test_cli import invoke

PASSWORD = "s3cret-basic-pw"


def with_password(url: str) -> str:
    return url.replace("http://", f"http://drill:{PASSWORD}@")


def command_lines(root: int) -> dict[int, str]:
    """The command lines of ``root``'s descendants, as any user of the machine reads them."""
    found: dict[int, str] = {}
    parents = {root}
    for _ in range(4):  # children, grandchildren...
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) in found:
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) in parents and cmdline:  # (not zombies)
                found[int(entry.name)] = cmdline
        parents = {root, *found}
    return found


def test_options_go_through_the_environment_and_leave_it(monkeypatch: pytest.MonkeyPatch) -> None:
    env: dict[str, str] = {}
    child_options.hand_over(env, ["--target", with_password("http://127.0.0.1:9")])
    monkeypatch.setenv(child_options.ENV, env[child_options.ENV])
    args = child_options.take(["--shard", "0/2"])
    assert args == ["--target", with_password("http://127.0.0.1:9"), "--shard", "0/2"]
    assert child_options.ENV not in os.environ  # a child of the child does not inherit them
    assert child_options.take(["--x"]) == ["--x"]


@pytest.mark.parametrize("value", ["{not json", '{"target": "x"}', '["--rate", 3]'])
def test_a_variable_that_holds_no_argument_list_is_one_sentence(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(child_options.ENV, value)
    with pytest.raises(InvalidArgument, match="ENTDRILL_CHILD_OPTIONS holds no JSON list"):
        child_options.take([])


def test_shard_processes_show_no_password_yet_use_it(server: LiveServer, tmp_path: Path) -> None:
    """Two shard processes storm a target given with a user and password: while they run, no
    command line of theirs holds the password, and the target saw it in every request."""
    report_path = tmp_path / "report.json"
    seen: dict[int, str] = {}
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.update(command_lines(os.getpid()))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        code, output = invoke(
            "--target", with_password(server.url), "--scenario", "http-get", "--rate", "20",
            "--duration", "2", "--processes", "2", "--consent-token", TOKEN,
            "--report", str(report_path),
        )  # fmt: skip
    finally:
        done.set()
        watcher.join()
    assert code == 0, output
    shards = [line for line in seen.values() if "entdrill.cli.flood" in line]
    assert len(shards) == 2, seen  # the watch saw both shard processes
    assert all("--shard" in line and PASSWORD not in line for line in shards), shards
    assert not any(PASSWORD in line for line in seen.values())
    report = json.loads(report_path.read_text())
    assert report["totals"]["completed"] == 40 == len(server.state.load())
    expected = "Basic " + base64.b64encode(f"drill:{PASSWORD}".encode()).decode()
    assert {s.authorization for s in server.state.load()} == {expected}
    assert PASSWORD not in report_path.read_text()


def test_a_background_storm_shows_no_password(server: LiveServer) -> None:
    run = runs_module.start(
        FloodOptions(
            target=with_password(server.url), scenario="http-get", rate=20.0, duration=1.0
        ),
        TOKEN,
    )
    try:
        cmdline = (Path("/proc") / str(run.pid) / "cmdline").read_bytes().replace(b"\0", b" ")
        assert b"entdrill.cli.flood" in cmdline and b"--report" in cmdline
        assert PASSWORD.encode() not in cmdline
        assert runs_module.wait(run, 30)
    finally:
        runs_module.stop(run)
    report = json.loads(Path(run.report_path).read_text())
    assert report["totals"]["completed"] == 20
    expected = "Basic " + base64.b64encode(f"drill:{PASSWORD}".encode()).decode()
    assert {s.authorization for s in server.state.load()} == {expected}
