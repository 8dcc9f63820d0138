"""`entdrill drill recover`: drills whose runner is gone are marked interrupted; a live runner's
drill, or one run on another host, is left alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from entdrill.records import open_records
from tests.cli.drill_records import invoke, records_url


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def new_running(url: str, **values: object) -> str:
    with open_records(url) as records:
        return records.create_drill(
            plan_name="fast-drill",
            plan_path="drills/fast.yaml",
            plan_digest="0" * 64,
            target="sandbox",
            **values,  # type: ignore[arg-type]
        ).id


def test_a_dead_runners_drill_is_marked_interrupted_and_the_others_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = records_url(tmp_path, monkeypatch)
    dead = new_running(url, pid=dead_pid())
    alive = new_running(url)  # this very process
    elsewhere = new_running(url, pid=1, host="runner-7")
    result = invoke("recover")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{dead} (fast-drill): interrupted: its runner") for line in lines)
    assert any(
        f"{alive} (fast-drill): left alone: its runner (pid {os.getpid()})" in line
        for line in lines
    )
    assert any(f"{elsewhere} (fast-drill): left alone: its runner ran on host runner-7" in line
               for line in lines)  # fmt: skip
    with open_records(url) as records:
        statuses = {d.id: d.status for d in records.list_drills()}
        events = records.get_drill(dead).events
        assert records.verify_chain(dead).ok
    assert statuses == {dead: "interrupted", alive: "running", elsewhere: "running"}
    assert [(e.phase, e.kind) for e in events][-2:] == [
        ("recover", "dead_runner"),
        ("drill", "interrupted"),
    ]
    again = invoke("recover", "--json")
    assert {d["action"] for d in json.loads(again.stdout)} == {"left alone"}


def test_a_recycled_pid_does_not_keep_a_dead_drill_alive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pid now belongs to a process younger than the drill: its runner is gone."""
    url = records_url(tmp_path, monkeypatch)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        from datetime import UTC, datetime, timedelta

        drill = new_running(url, pid=sleeper.pid, started_at=datetime.now(UTC) - timedelta(hours=1))
        [item] = json.loads(invoke("recover", "--json").stdout)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert (item["drill"], item["action"]) == (drill, "interrupted")
    assert "younger process" in item["reason"]


def test_nothing_running_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records_url(tmp_path, monkeypatch)
    result = invoke("recover")
    assert (result.exit_code, result.stdout) == (
        0,
        f"no drill is recorded as running (no records database at {tmp_path / 'records.db'})\n",
    )
    assert not (tmp_path / "records.db").exists()
