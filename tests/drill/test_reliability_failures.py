"""Channels that fail during a drill: Slack answering 429 with Retry-After, 500 and invalid_auth,
SMTP answering 421, 450 and 550. Each is recorded as a channel outcome with its cause, the drill
goes on to its end, and nothing is posted or mailed twice."""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from entdrill.drill.plan import load_plan
from entdrill.drill.prepare import prepare
from entdrill.drill.runner import DrillResult, RunOptions, run_drill
from entdrill.mailstore import read_mailbox
from entdrill.population import read_csv
from entdrill.records import DrillDetail, open_records
from entdrill.records.tables import new_id
from tests.drill.drill_school import admin, school, slack_messages, wait_for, write_plan


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("failures-home")
    with school(directory) as status:
        admin(status, "PUT", status["slack_api_url"].removesuffix("/api/") + "/_admin/slack/limits",
              {"enabled": True})  # fmt: skip
        yield directory


@pytest.fixture
def status(home: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from entdrill.sandbox.status import status as sandbox_status
    from entdrill.sandbox.supervisor import Supervisor

    monkeypatch.setenv("ENTDRILL_HOME", str(home))
    return sandbox_status(Supervisor(home / "sandbox"))


def drill(
    home: Path, tmp_path: Path, *, direct: bool = True, within: str = "3s", **overrides: Any
) -> tuple[DrillResult, DrillDetail]:
    """A quick drill without experiments, run in this process."""
    path = write_plan(
        tmp_path, experiments="none", within=within, escalate_after="1s", direct=direct
    )
    plan = load_plan(path)
    url = f"sqlite:///{tmp_path / 'records.db'}"
    prepared = prepare(plan, drill_id=new_id(), now=datetime.now(UTC), context_overrides=overrides)
    try:
        with open_records(url) as records:
            result = run_drill(prepared, records, options=RunOptions(poll_s=0.5))
            return result, records.get_drill(result.drill_id)
    finally:
        prepared.release()


def staff_quiet(sandbox: dict[str, Any]) -> bool:
    with urllib.request.urlopen(sandbox["staff_url"] + "/_health", timeout=5) as response:
        return json.load(response).get("pending") == 0


def force_slack(sandbox: dict[str, Any], **force: Any) -> None:
    """The next ``count`` chat.postMessage calls fail as ``force`` says (once the simulated
    staff, who post too, have answered everything of the drill before)."""
    wait_for(lambda: staff_quiet(sandbox), 20, "the simulated staff to be done answering")
    time.sleep(0.6)  # their next poll
    wait_for(lambda: staff_quiet(sandbox), 20, "the simulated staff to be done answering")
    base = sandbox["slack_api_url"].removesuffix("/api/")
    admin(sandbox, "POST", base + "/_admin/slack/force", {"method": "chat.postMessage", **force})


def clear_slack(status: dict[str, Any]) -> None:
    base = status["slack_api_url"].removesuffix("/api/")
    admin(status, "DELETE", base + "/_admin/slack/force")


def bot_posts(status: dict[str, Any], drill_id: str) -> list[dict[str, Any]]:
    return [
        m
        for m in slack_messages(status)
        if (m.get("metadata") or {}).get("event_payload", {}).get("drill_id") == drill_id
    ]


def outcome(detail: DrillDetail, channel: str) -> tuple[str, str]:
    result = next(c for c in detail.channel_results if c.channel == channel)
    return result.outcome, result.cause or ""


def test_slack_429_and_a_500_after_posting_are_retried_without_posting_twice(
    home: Path, status: dict[str, Any], tmp_path: Path
) -> None:
    force_slack(status, count=1, status=429, retry_after=1)
    force_slack(status, count=1, mode="accept_then_fail", status=500)
    try:
        result, detail = drill(home, tmp_path)
    finally:
        clear_slack(status)
    assert result.status in ("met", "not_met") and detail.drill.status == result.status
    posts = bot_posts(status, result.drill_id)
    keys = Counter(
        (m["channel"], m["metadata"]["event_payload"]["notification_id"],
         m["metadata"]["event_payload"]["person_id"])
        for m in posts
    )  # fmt: skip
    assert keys and max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
    announced = next(e for e in detail.events if (e.phase, e.kind) == ("announce", "posted"))
    assert announced.data["recovered"] is True  # found after its 500, not posted again
    assert outcome(detail, "staff-slack")[0] == "worked"


def test_slack_500_and_a_429_beyond_the_cap_fail_with_their_cause_and_the_drill_goes_on(
    home: Path, status: dict[str, Any], tmp_path: Path
) -> None:
    """The announcement meets 500 three times in a row; the channel post a 429 asking to wait
    120 s, longer than the 30 s a post waits at most."""
    force_slack(status, count=3, status=500)
    force_slack(status, count=1, status=429, retry_after=120)
    try:
        # the SMS it escalates to are delivered after 0.2 to 2 s each: room for a busy machine
        result, detail = drill(home, tmp_path, direct=False, within="8s")
    finally:
        clear_slack(status)
    assert (result.status, result.exit_code) == ("not_met", 1)
    announce = next(e for e in detail.events if (e.phase, e.kind) == ("announce", "failed"))
    assert announce.data["cause"] == "Slack answered HTTP 500 to chat_postMessage (3 attempts)"
    state, cause = outcome(detail, "staff-slack")
    assert state == "failed"
    assert "Slack rate-limited chat_postMessage (Retry-After 120 s)" in cause
    assert outcome(detail, "parents-email")[0] == "worked"  # the drill went on
    assert outcome(detail, "staff-sms")[0] == "worked"  # everyone escalated to SMS
    posts = [
        m["metadata"]["event_payload"]["notification_id"]
        for m in bot_posts(status, result.drill_id)
    ]
    assert sorted(posts) == ["debrief", "switch-classes:start"]  # nothing failed was posted
    kinds = {(e.phase, e.kind) for e in detail.events}
    assert {("debrief", "posted"), ("drill", "finished")} <= kinds
    assert {f.key for f in detail.findings} >= {"announcement:failed", "channel:staff-slack:failed"}


def test_a_refused_slack_token_fails_slack_at_once_and_the_drill_goes_on(
    home: Path, status: dict[str, Any], tmp_path: Path
) -> None:
    result, detail = drill(home, tmp_path, slack_token="xoxb-not-the-right-token-0000")
    state, cause = outcome(detail, "staff-slack")
    assert state == "failed" and cause.endswith("Slack refused the token: invalid_auth (15)")
    assert outcome(detail, "switch-classes")[0] == "failed"
    assert outcome(detail, "staff-sms")[0] == "worked"
    assert outcome(detail, "status-page")[0] == "worked"
    assert any(f.key == "announcement:failed" for f in detail.findings)
    assert (result.status, detail.drill.status) == ("not_met", "not_met")


def test_smtp_421_and_450_are_retried_and_550_is_a_failure_with_its_reply(
    home: Path, status: dict[str, Any], tmp_path: Path
) -> None:
    parents = sorted(
        p.email for p in read_csv(Path(status["population_csv"])) if p.role == "parent"
    )
    smtp_admin = status["smtp_admin_url"] + "/_admin/smtp/force"
    for code, address in zip((421, 450, 550), parents, strict=False):
        admin(status, "POST", smtp_admin, {"stage": "RCPT", "code": code, "recipient": address})
    try:
        result, detail = drill(home, tmp_path)
    finally:
        admin(status, "DELETE", smtp_admin)
    email = {e.person: e for e in detail.ledger if e.channel == "parents-email"}
    by_address = {p.email: p.username for p in read_csv(Path(status["population_csv"]))}
    refused = by_address[parents[2]]
    failed = [e for e in detail.ledger if e.person == refused and e.state == "failed"]
    assert failed and failed[0].evidence["cause"] == "SMTP 550 5.7.1 Rejected by policy"
    state, cause = outcome(detail, "parents-email")
    assert state == "degraded" and cause.endswith("failed: SMTP 550 5.7.1 Rejected by policy (1)")
    for address in parents[:2]:  # retried, then delivered once
        person = by_address[address]
        sent = [e for e in detail.ledger if e.person == person and e.channel == "parents-email"]
        assert {e.state for e in sent} >= {"sent", "delivered"}
        assert any(e.evidence.get("attempts", 1) >= 2 for e in sent if e.state == "sent")
    for address in parents:
        mails = read_mailbox(Path(status["directory"]) / "mail", address)
        mine = [m for m in mails if m.headers.get("X-Entdrill-Drill") == result.drill_id]
        assert len(mine) == (0 if address == parents[2] else 1)
    assert email and detail.drill.status in ("met", "not_met")
