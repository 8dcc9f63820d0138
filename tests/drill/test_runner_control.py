"""What controls a running drill: --dry-run, the kill switch, STOP DRILL in Slack, confirmations
from the command line, blackout windows and invalid plans (SQLite records, one sandbox)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from entdrill.calendar.blackouts import DEFAULT_TIMEZONE
from entdrill.cli import cli
from entdrill.faults.ledger import Ledger
from entdrill.records import open_records
from entdrill.sandbox.status import status as sandbox_status
from entdrill.sandbox.supervisor import Supervisor
from tests.drill.drill_school import (
    ENTDRILL,
    ORGANISER,
    OUTSIDER,
    admin,
    environment,
    post_as,
    school,
    slack_messages,
    start_drill,
    write_plan,
)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("control-home")
    with school(directory):
        yield directory


@pytest.fixture
def env(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The drill's environment: the module's sandbox, this test's records and kill switch."""
    monkeypatch.setenv("ENTDRILL_HOME", str(home))
    url = f"sqlite:///{tmp_path / 'records.db'}"
    monkeypatch.setenv("ENTDRILL_DB_URL", url)
    return environment(home, url)


def status_of(home: Path) -> dict[str, Any]:
    return sandbox_status(Supervisor(home / "sandbox"))


def sent_so_far(home: Path) -> dict[str, Any]:
    """Everything the sandbox's people channels and fault API hold."""
    status = status_of(home)
    mail = sorted(p.name for p in (home / "sandbox" / "mail").rglob("*") if p.is_file())
    sms = admin(status, "GET", status["sms_api_url"] + "/v1/outbox")["messages"]
    with_incidents = admin(status, "GET", status["status_page_url"] + "/api/incidents")
    return {
        "slack": len(slack_messages(status)),
        "mail": mail,
        "sms": len(sms),
        "incidents": with_incidents,
        "faults": Ledger(home / "faults.jsonl").entries(),
        "components": {c["name"]: c["state"] for c in status["components"]},
    }


def events_of(process: subprocess.Popen[str]) -> Iterator[dict[str, Any]]:
    assert process.stdout is not None
    for line in process.stdout:
        yield json.loads(line)


def test_dry_run_sends_nothing_injects_nothing_and_says_what_it_would_do(
    home: Path, env: dict[str, str]
) -> None:
    plan = write_plan(home, experiments="both")
    before = sent_so_far(home)
    result = subprocess.run(
        [ENTDRILL, "drill", "run", "--dry-run", str(plan)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("plan       dry run of fast-drill")
    assert any(line.startswith("inject") and "bridge_down(bridge=bridge)" in line for line in lines)
    assert any("staff-slack (slack, at start)" in line and "15 people" in line for line in lines)
    assert any("after 3s, those not acknowledged go to staff-sms" in line for line in lines)
    time.sleep(1.0)  # anything sent would have landed by now
    assert sent_so_far(home) == before
    with open_records() as records:
        [drill] = records.list_drills()
    assert (drill.status, drill.exit_code) == ("dry_run", 0)


def test_stop_drill_by_an_organiser_ends_the_drill_and_anyone_elses_is_ignored(
    home: Path, env: dict[str, str]
) -> None:
    """With a confirmation from the command line on the way, counted by the runner."""
    plan = write_plan(home, name="long-drill", within="60s", escalate_after="50s")
    status = status_of(home)
    drill = start_drill(plan, env)
    seen: list[tuple[str, str]] = []
    drill_id = ""
    for event in events_of(drill):
        seen.append((event["phase"], event["kind"]))
        if event["kind"] == "channel_activated" and event["data"]["channel"] == "switch-classes":
            with open_records() as records:
                drill_id = records.running_drills()[0].id
            confirm = CliRunner().invoke(
                cli, ["drill", "confirm", drill_id[:20], "switch-classes", "--by", "lea.mercier"]
            )
            assert confirm.exit_code == 0, confirm.output
        if event["kind"] == "confirmation_accepted":
            post_as(status, OUTSIDER["slack"], "#continuite", "STOP DRILL")
        if event["kind"] == "stop_ignored":
            assert event["data"]["user"] == OUTSIDER["slack"]
            post_as(status, ORGANISER["slack"], "#continuite", "stop drill, please")
    assert drill.wait(timeout=60) == 4  # interrupted
    assert seen.index(("killswitch", "stop_ignored")) < seen.index(("killswitch", "stop"))
    assert ("killswitch", "everyone_told") in seen
    with open_records() as records:
        record = records.get_drill(drill_id)
    assert record.drill.status == "aborted" and record.drill.exit_code == 4
    assert "STOP DRILL posted in #continuite by paul.martin" in (record.drill.reason or "")
    confirmed = [
        e for e in record.ledger if e.channel == "switch-classes" and e.person == "lea.mercier"
    ]
    assert any(e.state == "acknowledged" and e.evidence["how"] == "external" for e in confirmed)
    assert any(f.key == "killswitch:stop_ignored" for f in record.findings)
    stopped = [m for m in slack_messages(status) if "long-drill is stopped" in m["text"]]
    assert stopped  # everyone told in the drill's channel (and their DMs)


def test_entdrill_stop_ends_the_drill_at_once_and_reverts_the_outage(
    home: Path, env: dict[str, str]
) -> None:
    plan = write_plan(home, name="long-outage", within="60s", escalate_after="50s", outage_s=60)
    drill = start_drill(plan, env)
    for event in events_of(drill):
        if event["kind"] == "channel_activated" and event["data"]["channel"] == "staff-slack":
            assert _state(home, "bridge") == "stopped"  # the outage is on
            stop = subprocess.run(
                [ENTDRILL, "stop", "--kind", "drill", "--wait", "30"],
                env=env,
                capture_output=True,
                text=True,
            )
            assert stop.returncode == 0, stop.stdout + stop.stderr
            break
    assert drill.wait(timeout=60) == 4  # interrupted
    assert _state(home, "bridge") == "running"
    assert Ledger(home / "faults.jsonl").open_entries() == []
    with open_records() as records:
        [record] = [records.get_drill(d.id) for d in records.list_drills()]
    assert record.drill.status == "aborted"
    assert "kill switch" in (record.drill.reason or "")
    kinds = [(e.phase, e.kind) for e in record.events]
    assert kinds.index(("recover", "faults_reverted")) < kinds.index(
        ("killswitch", "everyone_told")
    )


def _state(home: Path, component: str) -> str:
    return next(c["state"] for c in status_of(home)["components"] if c["name"] == component)


def test_a_drill_refuses_to_start_inside_a_blackout_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTDRILL_DB_URL", f"sqlite:///{tmp_path / 'records.db'}")
    today = datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date().isoformat()  # the schedule's day
    schedule = (
        'schedule:\n  zone: B\n  school_days_before: 3\n  at: "07:45"\n'
        f"  blackouts:\n    - {{start: {today}, end: {today}, reason: exams}}\n"
    )
    plan = write_plan(tmp_path, experiments="none", extra=schedule)
    refused = CliRunner().invoke(cli, ["drill", "run", str(plan)])
    assert refused.exit_code == 3  # refused by a guard rail
    assert not (tmp_path / "records.db").exists()
    assert "cannot start now, inside the blackout window exams" in refused.stderr
    assert "--force" in refused.stderr
    forced = CliRunner().invoke(cli, ["drill", "run", "--dry-run", "--force", str(plan)])
    assert forced.exit_code == 0, forced.output
    assert "inside the blackout exams" in forced.stdout
    with open_records() as records:
        assert [d.status for d in records.list_drills()] == ["dry_run"]


def test_an_invalid_plan_exits_2_and_records_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTDRILL_DB_URL", f"sqlite:///{tmp_path / 'records.db'}")
    plan = write_plan(tmp_path, experiments="none")
    plan.write_text(plan.read_text().replace("audience: [parents]", "audience: [parent]"))
    result = CliRunner().invoke(cli, ["drill", "run", str(plan)])
    assert result.exit_code == 2
    assert 'channels[3].audience[0]: "parent" is not a declared group' in result.stderr
    assert not (tmp_path / "records.db").exists()
