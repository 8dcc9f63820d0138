"""Secret canaries in the Slack token, the SMTP password and the bridge secret never leak.

The sandbox's secrets are canaries; channels are built from its status and driven through
success and failure (a refused token, a refused login, a stopped bridge). No event's evidence
and no log line of entdrill or its clients carries a canary. (The sandbox's own components run
in this process for the test; their log lines are left out, they are not what a drill writes.)
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from entdrill.channels import LedgerEvent, Message, build
from entdrill.drill_plan import Channel, Expectation
from entdrill.sandbox.config import SandboxSecrets
from entdrill.testing import free_port
from tests.channels.school import School

CANARY = "CANARY7f3a9c"


def plan(kind: str, **settings: object) -> Channel:
    return Channel(
        f"c-{kind}",
        kind,  # type: ignore[arg-type]
        "Exercice",
        ("staff",),
        Expectation(60.0, 1.0),
        **settings,  # type: ignore[arg-type]
    )


def test_canaries_never_reach_evidence_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secrets = SandboxSecrets(
        slack_token=f"xoxb-{CANARY}-slack",
        smtp_password=f"{CANARY}-smtp-password",
        backup_bridge_secret=f"{CANARY}-bridge-secret",
    )
    school = School(tmp_path, secrets)
    caplog.set_level(logging.DEBUG)
    events: list[LedgerEvent] = []
    people = school.recipients(school.staff[:2])
    message = Message("drill-1", "n-canary", "Sujet", "Texte")
    with school.serving("slack", "smtp", "backup-bridge"):
        good = school.context()
        wrong = school.context(
            slack_token=f"xoxb-{CANARY}-wrong",
            smtp=replace(good.smtp, password=f"{CANARY}-wrong") if good.smtp else None,
            backup_bridge_secret=f"{CANARY}-wrong-bridge",
        )
        stopped = school.context(
            backup_bridge_url=f"http://127.0.0.1:{free_port()}/bigbluebutton/api"
        )
        for context in (good, wrong, stopped):
            for channel in (
                build(plan("slack", post_in="#continuite", direct=True), people, context),
                build(plan("email"), people, context),
                build(plan("video", room="r"), people, context),
            ):
                events += channel.send(message, people)
                events += channel.poll()
                channel.recover()
                channel.close()
    assert any(e.state.value == "failed" for e in events)  # the failures were exercised
    assert any(e.state.value == "delivered" for e in events)
    evidence = json.dumps([e.to_dict() for e in events], ensure_ascii=False)
    assert CANARY not in evidence
    ours = [
        r
        for r in caplog.records
        if not r.name.startswith(("entdrill.sandbox", "aiohttp", "mail.log", "asyncio"))
    ]
    assert ours, "the channels and their clients logged nothing: the check would be empty"
    leaked = [r.getMessage() for r in ours if CANARY in r.getMessage()]
    assert leaked == []
