"""The runner end to end on a real sandbox: one full drill (login storm and bridge outage, every
kind of channel, an escalation, a manual step) recorded in PostgreSQL, run as `entdrill drill run`
with secret canaries in the sandbox's Slack token, SMTP password and bridge secrets.

The drill runs once for the module; each test checks one thing it should have done.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from entdrill.faults.ledger import Ledger
from entdrill.records import DrillDetail, Records, open_records
from entdrill.records.testing import postgres_unavailable, scratch_postgres
from entdrill.sandbox import config as sandbox_config
from entdrill.sandbox.status import status as sandbox_status
from entdrill.sandbox.supervisor import Supervisor
from tests.drill.drill_school import (
    ENTDRILL,
    admin,
    environment,
    school,
    slack_messages,
    write_plan,
)

CANARIES = {
    "slack_token": "xoxb-canary-SLACK-7f3e9a1c",
    "smtp_password": "canary-SMTP-5b2d8e4f",
    "bridge_secret": "canaryBRIDGE9c4a7e21",
    "backup_bridge_secret": "canaryBACKUP3e8d1f07",
}


@dataclass
class FullDrill:
    home: Path
    status: dict[str, Any]
    url: str
    result: subprocess.CompletedProcess[str]
    events: list[dict[str, Any]]
    detail: DrillDetail
    chain_ok: bool
    reach: list[Any]


@pytest.fixture(scope="module")
def full_drill(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullDrill]:
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("drill-home")
    run_dir = tmp_path_factory.mktemp("drill-run")
    secrets = sandbox_config.SandboxSecrets(**CANARIES)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("entdrill.sandbox.supervisor.SandboxSecrets", lambda: secrets)
        patch.setenv("ENTDRILL_HOME", str(home))
        with school(home) as status, scratch_postgres() as url:
            plan = write_plan(home, experiments="both")
            env = environment(home, url)
            env["ENTDRILL_RUNTIME_DIR"] = str(run_dir)
            result = subprocess.run(
                [ENTDRILL, "-vv", "drill", "run", "--json-events", "--poll", "0.5", str(plan)],
                env=env,
                capture_output=True,
                text=True,
                timeout=240,
            )
            events = [json.loads(line) for line in result.stdout.splitlines()]
            assert events, result.stderr[-3000:]
            with open_records(url) as records:
                drill_id = _drill_id(records)
                detail = records.get_drill(drill_id)
                chain_ok = records.verify_chain(drill_id).ok
                reach = records.ledger_reach(drill_id)
            yield FullDrill(home, status, url, result, events, detail, chain_ok, reach)


def _drill_id(records: Records) -> str:
    [drill] = records.list_drills()
    return drill.id


def _kinds(drill: FullDrill) -> list[tuple[str, str]]:
    return [(e.phase, e.kind) for e in drill.detail.events]


def test_the_drill_walks_every_phase_in_order_and_exits_with_its_verdict(
    full_drill: FullDrill,
) -> None:
    kinds = _kinds(full_drill)
    order = [
        ("drill", "created"),
        ("announce", "posted"),
        ("inject", "planned"),
        ("inject", "experiment_started"),
        ("fallbacks", "channel_activated"),
        ("verify", "escalated"),
        ("verify", "done"),
        ("recover", "faults_reverted"),
        ("debrief", "posted"),
        ("drill", "finished"),
    ]
    positions = [kinds.index(k) for k in order]
    assert positions == sorted(positions), kinds
    drill = full_drill.detail.drill
    assert drill.status in ("met", "not_met")
    assert full_drill.result.returncode == drill.exit_code == (0 if drill.status == "met" else 1)
    assert "record: drill " + drill.id in full_drill.result.stderr


def test_every_event_is_in_the_record_and_the_hash_chain_verifies(full_drill: FullDrill) -> None:
    assert full_drill.chain_ok
    recorded = {(e.seq, e.phase, e.kind) for e in full_drill.detail.events}
    streamed = {(e["seq"], e["phase"], e["kind"]) for e in full_drill.events}
    assert streamed <= recorded
    assert len(recorded) - len(streamed) <= 2  # drill/created and drill/finished are the store's


def test_fault_details_are_recorded_before_the_first_experiment_starts(
    full_drill: FullDrill,
) -> None:
    events = full_drill.detail.events
    planned = next(e for e in events if (e.phase, e.kind) == ("inject", "planned"))
    started = [e for e in events if e.kind == "experiment_started"]
    assert len(started) == 2 and all(planned.seq < e.seq for e in started)
    faults = [f["func"] for x in planned.data["experiments"] for f in x["faults"]]
    assert faults == ["bridge_down"]


def test_both_experiments_are_recorded_with_measures_and_a_redacted_journal(
    full_drill: FullDrill,
) -> None:
    experiments = {x.kind: x for x in full_drill.detail.experiments}
    assert set(experiments) == {"login_storm", "video_bridge_outage"}
    storm = experiments["login_storm"]
    assert storm.measures["storm_multiple"] == 2
    assert storm.measures["requests"] > 0 and storm.journal is not None
    outage = experiments["video_bridge_outage"]
    assert outage.measures["backup_joinable"] is True
    assert outage.journal is not None and outage.journal["status"] in ("completed", "failed")


def test_every_fallback_channel_has_an_outcome_and_everyone_a_ledger_line(
    full_drill: FullDrill,
) -> None:
    outcomes = {c.channel: c.outcome for c in full_drill.detail.channel_results}
    assert set(outcomes) == {
        "backup-room",
        "staff-slack",
        "staff-sms",
        "parents-email",
        "status-page",
        "switch-classes",
    }
    assert outcomes["backup-room"] == outcomes["status-page"] == "worked"
    assert outcomes["parents-email"] == "worked"
    people = {(r.person, r.channel) for r in full_drill.reach}
    assert len({p for p, c in people if c == "staff-slack"}) == 15
    assert len({p for p, c in people if c == "parents-email"}) == 4


def test_escalation_sends_sms_only_to_those_who_had_not_acknowledged_on_slack(
    full_drill: FullDrill,
) -> None:
    reach = {(r.person, r.channel): r for r in full_drill.reach}
    escalated = next(e for e in full_drill.detail.events if e.kind == "escalated")
    sms = {p for p, c in reach if c == "staff-sms"}
    assert sms == set(escalated.data["people"]) and sms
    for person in sms:
        slack = reach[(person, "staff-slack")]
        assert slack.acknowledged_at is None or slack.acknowledged_at > escalated.at
    assert any(reach[(p, "staff-sms")].acknowledged_at for p in sms)  # SMS-only readers answer


def test_findings_carry_the_owner_the_plan_names(full_drill: FullDrill) -> None:
    for finding in full_drill.detail.findings:
        assert finding.owner == "paul.martin"
        assert finding.key


def test_the_debrief_is_posted_in_the_drill_channel(full_drill: FullDrill) -> None:
    texts = [m["text"] for m in slack_messages(full_drill.status)]
    [debrief] = [t for t in texts if "Debrief of the drill fast-drill" in t]
    assert debrief.startswith("[EXERCICE / DRILL]")
    assert full_drill.detail.drill.id in debrief
    assert "<@UF00E99C5C0>" in debrief  # the cellule is mentioned


def test_no_fault_is_left_and_the_sandbox_is_back_as_configured(full_drill: FullDrill) -> None:
    assert Ledger(full_drill.home / "faults.jsonl").open_entries() == []
    components = sandbox_status(Supervisor(full_drill.home / "sandbox"))["components"]
    assert all(c["state"] == "running" for c in components), components


def test_the_incident_is_resolved_and_the_backup_room_ended(full_drill: FullDrill) -> None:
    with urllib.request.urlopen(full_drill.status["status_page_url"] + "/api/incidents") as r:
        incidents = json.load(r)
    assert incidents["active"] == []
    recovered = next(e for e in full_drill.detail.events if e.kind == "channels_recovered")
    assert recovered.data["status-page"]["resolved"] is True
    assert recovered.data["backup-room"]["ended"] is True


def test_secret_canaries_never_reach_records_journals_logs_or_output(
    full_drill: FullDrill,
) -> None:
    import psycopg

    texts = [full_drill.result.stdout, full_drill.result.stderr]
    with psycopg.connect(full_drill.url) as connection:
        for table in ("drills", "events", "experiments", "channel_results", "ledger_entries",
                      "findings"):  # fmt: skip
            rows = connection.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608
            texts.append(repr(rows))
    skipped = {full_drill.home / "sandbox" / "state.json"}
    for path in full_drill.home.rglob("*"):
        if path.is_file() and path not in skipped and "mail" not in path.parts:
            texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    assert len(texts) > 10
    for name, canary in CANARIES.items():
        leaks = [t[max(0, t.find(canary) - 80) : t.find(canary) + 40] for t in texts if canary in t]
        assert not leaks, f"{name} leaked: {leaks[:3]}"


def test_drill_show_reads_the_record_back(full_drill: FullDrill) -> None:
    drill_id = full_drill.detail.drill.id
    env = environment(full_drill.home, full_drill.url)
    shown = subprocess.run(
        [ENTDRILL, "drill", "show", drill_id[:13], "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    record = json.loads(shown.stdout)
    assert record["chain"]["ok"] is True
    assert record["drill"]["id"] == drill_id
    assert {c["channel"] for c in record["channels"]} >= {"staff-slack", "staff-sms"}
    assert admin(full_drill.status, "GET", full_drill.status["staff_url"] + "/people")["people"]
