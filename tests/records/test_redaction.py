"""A secret registered by whoever read it never lands in the records, whichever way it is
written: event data, experiment journals and measures, ledger evidence, drill fields, findings,
channel causes, and the bulk import."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from entdrill.records import DrillDetail, Records
from entdrill.records.fixtures import build_drills
from entdrill.redact import MASK, register

from .support import new_drill, raw_text

T0 = datetime(2026, 3, 30, 5, 45, tzinfo=UTC)


@pytest.fixture
def canary() -> str:
    value = f"xoxb-canary-{secrets.token_hex(8)}"
    register(value)
    return value


def write_everywhere(records: Records, secret: str) -> str:
    drill_id = new_drill(records, target=f"http://127.0.0.1:8800/?token={secret}")
    records.append_event(
        drill_id, "announce", "posted", {"auth": f"Bearer {secret}", "nested": [{"k": secret}]}
    )
    records.add_experiment(
        drill_id=drill_id,
        title="storm",
        path="experiments/login_storm.json",
        kind="login_storm",
        status="completed",
        deviated=False,
        started_at=T0,
        ended_at=T0 + timedelta(minutes=1),
        measures={"note": secret},
        journal={"configuration": {"slack_token": secret}, secret: "as a key"},
    )
    records.add_channel_result(
        drill_id,
        "slack",
        "failed",
        expectation={},
        delivered_share=0.0,
        acknowledged_share=0.0,
        cause=f"invalid_auth for token {secret}",
        details={"token": secret},
    )
    records.add_ledger_entry(
        drill_id, "a@x.example", "email", "failed", evidence={"smtp": f"535 auth {secret}"}
    )
    records.add_finding(drill_id, "high", "Slack token refused", detail=f"token {secret}")
    records.finish_drill(drill_id, "not_met", 1, {"slack": secret}, reason=f"see {secret}")
    return drill_id


def test_a_registered_canary_never_reaches_the_database(records: Records, canary: str) -> None:
    drill_id = write_everywhere(records, canary)
    stored = raw_text(records)
    assert canary not in stored
    assert stored.count(MASK) >= 10
    detail = records.get_drill(drill_id)
    assert detail.events[1].data == {"auth": f"Bearer {MASK}", "nested": [{"k": MASK}]}
    assert detail.experiments[0].journal == {
        "configuration": {"slack_token": MASK},
        MASK: "as a key",
    }
    assert detail.ledger[0].evidence == {"smtp": f"535 auth {MASK}"}
    assert detail.drill.target == f"http://127.0.0.1:8800/?token={MASK}"
    assert records.verify_chain(drill_id).ok


def test_a_secret_that_json_escapes_is_still_masked(records: Records) -> None:
    tricky = f'pa"ss\\word-{secrets.token_hex(4)}'
    register(tricky)
    drill_id = new_drill(records)
    records.append_event(drill_id, "announce", "smtp_login", {"password": tricky})
    assert records.get_drill(drill_id).events[-1].data == {"password": MASK}
    assert tricky not in raw_text(records)


def test_the_bulk_import_masks_secrets_too(records: Records, canary: str) -> None:
    [drill] = build_drills(1, seed=3)
    leaky = DrillDetail(
        drill=drill.drill,
        events=[
            *drill.events[:2],
            type(drill.events[0])(drill.drill.id, 0, T0, "announce", "x", {"t": canary}, "", ""),
        ],
        experiments=drill.experiments,
        channel_results=drill.channel_results,
        ledger=drill.ledger,
        findings=drill.findings,
    )
    [stored] = records.import_drills([leaky])
    assert stored.events[-1].data == {"t": MASK}
    assert canary not in raw_text(records)
    assert records.verify_chain(stored.drill.id).ok
