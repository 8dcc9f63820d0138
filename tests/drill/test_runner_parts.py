"""The runner's pure parts, without a sandbox: journals, findings, the verdict and the debrief,
STOP DRILL, the fault plan, the dry run's description and the plan's finding owners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from entdrill.channels import LedgerEvent, LedgerState
from entdrill.drill import debrief, findings, journal
from entdrill.drill.dry_run import describe
from entdrill.drill.inject import fault_plan, read_experiment
from entdrill.drill.killswitch_watch import StopWatch, is_stop
from entdrill.drill.ledger import build_ledger
from entdrill.drill.plan import load_plan
from entdrill.drill.prepare import prepare
from entdrill.drill_plan import Expectation, ExperimentRef
from entdrill.errors import InvalidPlan
from tests.drill.drill_school import OUTAGE, plan_text, write_plan

T0 = datetime(2027, 3, 31, 5, 45, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def storm_journal(deviated: bool = False) -> dict[str, Any]:
    report = {
        "schedule": {"peak_rate": 20.0},
        "totals": {"started": 200, "completed": 190},
        "series": {"asked": [10, 20], "completed": [10, 18]},
    }
    headline = {
        "achieved": 200,
        "completed": 190,
        "achieved_rate": 19.5,
        "errors": {"timeout": 10},
        "login_ms": {"p50": 120.0, "p95": 800.0, "p99": 1500.0},
        "stopped_by": "",
    }
    return {
        "status": "completed",
        "deviated": deviated,
        "duration": 42.0,
        "steady_states": {
            "before": {"steady_state_met": True},
            "after": {"steady_state_met": True},
        },
        "run": [
            {
                "activity": {"name": "login-storm-report", "type": "probe"},
                "status": "succeeded",
                "output": {"run_id": "storm-1", "headline": headline, "report": report},
            },
            {
                "activity": {"name": "pupil-login-during-storm", "type": "probe"},
                "status": "succeeded",
                "output": {"ok": True, "seconds": 0.4},
            },
        ],
    }


def test_a_storm_journal_gives_the_load_latency_and_success_the_review_reads() -> None:
    summary = journal.summarise(
        "login_storm",
        storm_journal(),
        outcome="completed",
        configuration={"storm_multiplier": 10, "normal_login_rate": 2.0},
    )
    assert (summary.status, summary.deviated, summary.held) == ("completed", False, True)
    m = summary.measures
    assert (m["storm_multiple"], m["offered_rate_per_s"], m["achieved_rate_per_s"]) == (
        10,
        20.0,
        19.5,
    )
    assert (m["login_p95_ms"], m["success_ratio"], m["requests"]) == (800.0, 0.95, 200)
    assert m["probes"]["pupil-login-during-storm"] == {"ok": True, "seconds": 0.4}
    assert summary.series == {"asked": [10, 20], "completed": [10, 18]}


def test_a_completed_journal_with_a_failed_action_does_not_read_as_held() -> None:
    failed = storm_journal()
    failed["run"].append(
        {"activity": {"name": "bridge-down", "type": "action"}, "status": "failed"}
    )
    summary = journal.summarise(
        "video_bridge_outage", failed, outcome="completed", configuration={}
    )
    assert summary.status == "failed" and not summary.held
    assert summary.problems == ["activities failed: bridge-down"]


def test_a_run_killed_before_its_journal_is_recorded_as_killed() -> None:
    summary = journal.summarise(
        "login_storm", None, outcome="ended by signal SIGKILL", configuration={}
    )
    assert (summary.status, summary.measures) == ("killed", {"outcome": "ended by signal SIGKILL"})


def ledger_of(events: list[LedgerEvent]) -> Any:
    expectations = {
        "slack": Expectation(60, delivered_share=0.9, acknowledged_share=0.5),
        "sms": Expectation(60, delivered_share=0.9),
        "switch": Expectation(60, acknowledged_share=1.0),
    }
    return build_ledger(events, expectations, activated_at={n: T0 for n in expectations})


def test_findings_name_failed_and_degraded_channels_steps_and_unreached_people() -> None:
    events = [
        LedgerEvent("ana", "slack", LedgerState.SENT, at(1)),
        LedgerEvent("ana", "slack", LedgerState.DELIVERED, at(1)),
        LedgerEvent("bob", "slack", LedgerState.SENT, at(1)),
        LedgerEvent("bob", "slack", LedgerState.DELIVERED, at(1)),
        LedgerEvent("cyd", "sms", LedgerState.FAILED, at(2), {"cause": "gateway down"}),
        LedgerEvent("ana", "switch", LedgerState.SENT, at(3)),
        LedgerEvent("eve", "sms", LedgerState.REFUSED, at(3)),
    ]
    found = findings.ordered(findings.channel_findings(ledger_of(events), ["switch"]))
    keys = [(f.key, f.severity, f.subject) for f in found]
    assert keys == [
        ("channel:sms:failed", "high", "sms"),
        ("channel:slack:degraded", "medium", "slack"),
        ("manual:switch:failed", "medium", "switch"),
        ("people:never_reached", "medium", "default"),
        ("channel:sms:refused", "low", "sms"),
    ]
    assert "gateway down" in found[0].detail
    assert found[3].detail == "cyd"


def test_the_verdict_is_met_only_when_every_channel_worked_and_every_experiment_held() -> None:
    worked = ledger_of(
        [
            LedgerEvent(p, "slack", s, at(1))
            for p in ("ana", "bob")
            for s in (LedgerState.SENT, LedgerState.ACKNOWLEDGED)
        ]
    )
    held = journal.summarise("login_storm", storm_journal(), outcome="completed", configuration={})
    deviated = journal.summarise(
        "login_storm", storm_journal(deviated=True), outcome="completed", configuration={}
    )
    assert debrief.verdict(worked, [findings.ExperimentVerdict("login_storm", "", held)]) == (
        debrief.Verdict("met", 0, "every expectation met")
    )
    missed = debrief.verdict(worked, [findings.ExperimentVerdict("login_storm", "", deviated)])
    assert (missed.status, missed.exit_code, missed.reason) == (
        "not_met",
        1,
        "not met: login_storm deviated",
    )
    assert debrief.verdict(worked, [], announced=False).reason.endswith(
        "announcement was not posted"
    )
    assert debrief.verdict(worked, [], aborted="STOP DRILL") == debrief.Verdict(
        "aborted", 4, "STOP DRILL"
    )


def test_the_debrief_has_the_sections_the_plan_includes_and_mentions_people() -> None:
    ledger = ledger_of(
        [
            LedgerEvent("ana", "slack", LedgerState.SENT, at(1)),
            LedgerEvent("ana", "slack", LedgerState.ACKNOWLEDGED, at(20)),
            LedgerEvent("bob", "slack", LedgerState.SENT, at(1)),
        ]
    )
    report = debrief.DrillReport(
        drill_id="d-1",
        plan_name="pre-holiday",
        started_at=T0,
        ended_at=at(125),
        verdict=debrief.verdict(ledger, []),
        ledger=ledger,
        experiments=[],
        findings=findings.channel_findings(ledger, []),
        record="records.db",
        mention=["U1", "U2"],
        names={"bob": "Bob Martin"},
    )
    text = debrief.debrief_text(report, ["summary", "channels", "acknowledgements", "record"])
    assert text.startswith("*Debrief of the drill pre-holiday*")
    assert "*Verdict: NOT MET*" in text and "the drill took 2 min 05 s" in text
    assert "1 of 2 people acknowledged (1 on slack)." in text
    assert "Never reached (1): Bob Martin." in text
    assert "`entdrill drill show d-1`" in text and text.endswith("<@U1> <@U2>")
    assert "*Findings*" not in text


class FakeSlack:
    """A Slack connection that returns the messages it is given."""

    def __init__(self, messages: list[tuple[str, str, str]]) -> None:
        self.messages = messages
        self.read_after = 0.0

    def read_messages(self, channel: str, oldest_ts: str) -> list[tuple[str, str, str]]:
        return list(self.messages)


def test_stop_drill_from_an_organiser_stops_and_anyone_elses_is_returned_as_ignored() -> None:
    assert (
        is_stop("STOP DRILL") and is_stop("  stop drill, please") and not is_stop("non-stop drill")
    )
    slack = FakeSlack(
        [("U9", "STOP DRILL", "1.1"), ("U1", "hello", "1.2"), ("U1", "stop drill", "1.3")]
    )
    watch = StopWatch(None, organisers=frozenset({"U1"}), names={"U1": "eva", "U9": "tom"})
    watch.watch_slack(slack, "#continuite", "1.0")  # type: ignore[arg-type]
    posts = watch.read_slack()
    assert [(p.user, p.honoured) for p in posts] == [("U9", False), ("U1", True)]
    assert watch.stop_reason() == "STOP DRILL posted in #continuite by eva"
    assert watch.read_slack() == []  # read again only a few seconds later, and each post once


def test_a_drill_past_its_max_duration_is_stopped() -> None:
    now = [100.0]
    watch = StopWatch(None, organisers=frozenset(), max_duration_s=60, clock=lambda: now[0])
    assert watch.stop_reason() == ""
    now[0] = 160.0
    assert watch.stop_reason() == "the drill ran past recover.max_duration"


def test_the_fault_plan_lists_fault_actions_with_the_plans_vars_before_anything_runs() -> None:
    ref = ExperimentRef(OUTAGE, "x/video_bridge_outage.json", {"bridge_outage_s": 5})
    planned = fault_plan(ref, read_experiment(OUTAGE))
    assert planned["kind"] == "video_bridge_outage"
    assert planned["configuration"]["bridge_outage_s"] == 5
    assert [(f["func"], f["arguments"]) for f in planned["faults"]] == [
        ("bridge_down", {"bridge": "bridge"})
    ]


def test_the_dry_run_says_what_would_be_sent_and_injected_without_a_sandbox(tmp_path: Path) -> None:
    plan = load_plan(write_plan(tmp_path, experiments="outage"))
    prepared = prepare(plan, drill_id="d-1", now=T0, dry_run=True)
    assert prepared.lease is None and prepared.fallbacks is None
    lines = [f"{s.phase}: {s.text}" for s in describe(prepared)]
    assert lines[1].startswith("plan: note: the sandbox is not running")
    assert any(
        line.startswith("inject: chaos run ") and "bridge_down(bridge=bridge)" in line
        for line in lines
    )
    assert any(line.startswith("fallbacks: staff-sms (sms, on escalation only)") for line in lines)
    assert lines[-1] == (
        "debrief: post in #continuite: summary, experiments, channels, acknowledgements, "
        "findings, record; mention cellule"
    )


def test_finding_owners_must_name_a_channel_step_or_experiment_and_a_declared_person(
    tmp_path: Path,
) -> None:
    text = plan_text().replace(
        "owners: {default: paul.martin}", "owners: {staff-slak: paul.martin, status-page: nobody}"
    )
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    with pytest.raises(InvalidPlan) as caught:
        load_plan(path)
    problems = "\n".join(caught.value.problems)
    assert 'debrief.owners.staff-slak: "staff-slak" is not a declared channel' in problems
    assert 'did you mean "staff-slack"?' in problems
    assert 'debrief.owners.status-page: "nobody" is not a declared person' in problems
    plan = load_plan(write_plan(tmp_path))
    assert plan.debrief is not None
    assert plan.debrief.owner_of("staff-sms") == "paul.martin"  # the default owner
