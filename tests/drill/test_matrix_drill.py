"""Drills on Matrix end to end: ``entdrill drill run`` on a sandbox running Synapse, with the
simulated staff answering there; STOP DRILL in the announcement's Matrix room; the review shows
the Matrix channel like the others; and a plan that needs Matrix refused where there is none."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.records import open_records
from entdrill.sandbox import matrix_accounts
from entdrill.sandbox.matrix_accounts import Account
from entdrill.sandbox.status import status as sandbox_status
from entdrill.sandbox.supervisor import Supervisor
from tests.drill.drill_school import ENTDRILL, ORGANISER, OUTSIDER, environment, school, start_drill
from tests.synapse_support import needs_synapse

pytestmark = needs_synapse

ROOM = "#continuite:ecole.test"


def plan_text(name: str, within: str, ack_share: float = 0.5) -> str:
    return textwrap.dedent(
        f"""\
        name: {name}
        description: The crisis cell and the staff on Tchap.
        target: sandbox
        organisers: [{ORGANISER["id"]}]
        groups:
          cellule:
            people:
              - {{id: paul.martin, name: Paul Martin, slack: {ORGANISER["slack"]},
                 matrix: "@paul.martin:ecole.test"}}
          staff:
            from_sandbox: {{roles: [teacher, staff]}}
        announcement:
          post_in: "#continuite"
          matrix_room: "{ROOM}"
          message: "{{label}}: the drill {{drill}} starts now. Organisers may post STOP DRILL."
        channels:
          - name: staff-tchap
            type: matrix
            direct: true
            message: "The video bridge is down, {{name}}: acknowledge within {{within}}."
            audience: [staff]
            expect: {{delivered_share: 1.0, acknowledged_share: {ack_share}, within: {within}}}
        recover: {{max_duration: 3m}}
        """
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("matrix-home")
    with school(directory, matrix=True, matrix_message_rate=50.0, matrix_message_burst=200):
        yield directory


@pytest.fixture
def env(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("ENTDRILL_HOME", str(home))
    url = f"sqlite:///{tmp_path / 'records.db'}"
    monkeypatch.setenv("ENTDRILL_DB_URL", url)
    return environment(home, url)


def events_of(process: subprocess.Popen[str]) -> Iterator[dict[str, Any]]:
    assert process.stdout is not None
    for line in process.stdout:
        yield json.loads(line)


def person(home: Path, username: str) -> Account:
    accounts = matrix_accounts.read_accounts(home / "sandbox")
    assert accounts is not None
    return accounts.people[username]


def say(home: Path, account: Account, text: str) -> None:
    accounts = matrix_accounts.read_accounts(home / "sandbox")
    assert accounts is not None
    room = matrix_accounts.quoted(accounts.rooms[ROOM])
    matrix_accounts.call(
        accounts.url,
        "PUT",
        f"/_matrix/client/v3/rooms/{room}/send/m.room.message/{text.replace(' ', '_')}-{id(text)}",
        {"msgtype": "m.text", "body": text},
        account.access_token,
    )


def test_a_drill_reaches_staff_on_matrix_and_records_who_acknowledged_and_when(
    home: Path, env: dict[str, str], tmp_path: Path
) -> None:
    status = sandbox_status(Supervisor(home / "sandbox"))
    assert status["matrix_url"] and status["matrix_token"].startswith("syt_")
    plan = tmp_path / "tchap.yaml"
    plan.write_text(plan_text("tchap-drill", "20s"), encoding="utf-8")
    done = subprocess.run(
        [ENTDRILL, "drill", "run", "--json-events", "--poll", "0.5", str(plan)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    events = [json.loads(line) for line in done.stdout.splitlines()]
    announced = [e for e in events if e["kind"] == "posted" and "matrix_room" in e["data"]]
    assert announced and announced[0]["data"]["matrix_room"] == ROOM
    with open_records() as records:
        [drill] = records.list_drills()
        record = records.get_drill(drill.id)
    ledger = [e for e in record.ledger if e.channel == "staff-tchap"]
    people = {e.person for e in ledger}
    assert len(people) == 15
    assert all({"sent", "delivered"} <= {e.state for e in ledger if e.person == p} for p in people)
    acked = {e.person: e for e in ledger if e.state == "acknowledged"}
    assert len(acked) == 8 and "sarah.bertrand" in acked and "paul.martin" not in acked
    assert {e.evidence["how"] for e in acked.values()} <= {"reaction", "reply"}
    [result] = [r for r in record.channel_results if r.channel == "staff-tchap"]
    assert result.outcome == "worked" and result.acknowledged_share == pytest.approx(8 / 15)
    db = Path(env["ENTDRILL_DB_URL"].removeprefix("sqlite:///"))
    assert status["matrix_token"].encode() not in db.read_bytes()  # the token stays out
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT count(*) FROM ledger_entries").fetchone()[0] >= 38
    review = CliRunner().invoke(cli, ["review", "--drill", drill.id, "--format", "md"])
    assert review.exit_code == 0, review.output
    # delivered, acknowledged, as for any other channel
    assert "- staff-tchap: delivered to **100.0%**, acknowledged by **53.3%**" in review.output
    row = next(r for r in review.output.splitlines() if '"channel-staff-tchap"></a>' in r)
    assert "| 100.0% | 53.3% |" in row


def test_stop_drill_in_the_announcements_matrix_room_ends_the_drill(
    home: Path, env: dict[str, str], tmp_path: Path
) -> None:
    plan = tmp_path / "long.yaml"
    # a quarter of the staff never answer: the drill waits until it is stopped
    plan.write_text(plan_text("long-tchap", "90s", ack_share=1.0), encoding="utf-8")
    drill = start_drill(plan, env)
    seen: list[tuple[str, str]] = []
    for event in events_of(drill):
        seen.append((event["phase"], event["kind"]))
        if event["kind"] == "channel_activated":
            say(home, person(home, OUTSIDER["id"]), "STOP DRILL")
        if event["kind"] == "stop_ignored":
            assert event["data"]["person"] == OUTSIDER["id"]
            say(home, person(home, ORGANISER["id"]), "stop drill")
    assert drill.wait(timeout=60) == 4  # interrupted
    assert seen.index(("killswitch", "stop_ignored")) < seen.index(("killswitch", "stop"))
    with open_records() as records:
        [listed] = records.list_drills()
        record = records.get_drill(listed.id)
    assert record.drill.status == "aborted"
    assert record.drill.reason == f"STOP DRILL posted in {ROOM} by paul.martin"
    told = [e for e in record.events if e.kind == "everyone_told"]
    assert told and told[0].data["matrix_room"] == ROOM
    assert any(f.key == "killswitch:stop_ignored" for f in record.findings)


def test_a_plan_that_needs_matrix_is_refused_before_it_starts_where_there_is_none(
    sandbox: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shared sandbox runs without Synapse (``matrix: false``)."""
    monkeypatch.setenv("ENTDRILL_HOME", str(Path(sandbox["directory"]).parent))
    monkeypatch.setenv("ENTDRILL_DB_URL", f"sqlite:///{tmp_path / 'records.db'}")
    plan = tmp_path / "tchap.yaml"
    plan.write_text(plan_text("tchap-drill", "20s"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["drill", "run", str(plan)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: channel 'staff-tchap' (matrix) needs the Matrix homeserver (homeserver, or the "
        "target's matrix_url), which is not configured: the sandbox runs without Matrix "
        "(matrix: false)"
    ]
    with open_records() as records:
        assert records.list_drills() == []
