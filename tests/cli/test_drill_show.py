"""`entdrill drill show ID`: the timeline, ledger, outcomes, findings and the chain's check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from entdrill.records import open_records
from tests.cli.drill_records import invoke, records_url, with_drills


def test_show_prints_every_part_of_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drills = with_drills(records_url(tmp_path, monkeypatch))
    detail = next(d for d in drills if d.channel_results and d.findings)
    result = invoke("show", detail.drill.id)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"drill {detail.drill.id}: {detail.drill.plan_name}")
    assert f"{len(detail.events)} events, hash chain verified" in out
    for heading in ("Timeline", "Channels", "Ledger (per person and channel)", "Findings"):
        assert f"\n{heading}\n" in out
    assert all(f"  {c.channel:<18} {c.outcome}" in out for c in detail.channel_results)
    assert all(f.title in out for f in detail.findings)
    person = detail.ledger[0].person
    assert any(line.strip().startswith(person) for line in out.splitlines())


def test_show_accepts_the_start_of_an_id_and_prints_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = records_url(tmp_path, monkeypatch)
    detail = with_drills(url, 1)[0]
    result = invoke("show", detail.drill.id[:20], "--json")
    record = json.loads(result.stdout)
    assert record["drill"]["id"] == detail.drill.id
    assert record["chain"] == {"ok": True, "events": len(detail.events), "problems": []}
    assert [e["seq"] for e in record["events"]] == list(range(1, len(detail.events) + 1))
    assert len(record["findings"]) == len(detail.findings)


def test_show_reports_a_broken_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = records_url(tmp_path, monkeypatch)
    detail = with_drills(url, 1)[0]
    with open_records(url) as records:
        records.database.execute(
            "UPDATE events SET data = ? WHERE drill_id = ? AND seq = 2",
            ('{"forged": true}', detail.drill.id),
        )
    result = invoke("show", detail.drill.id, "--json")
    chain = json.loads(result.stdout)["chain"]
    assert chain["ok"] is False and chain["problems"][0]["seq"] == 2


def test_an_unknown_or_ambiguous_id_is_one_sentence_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = records_url(tmp_path, monkeypatch)
    drills = with_drills(url, 3)
    unknown = invoke("show", "no-such-drill")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("Error: no drill with id 'no-such-drill' in ")
    common = drills[0].drill.id[:2]
    assert all(d.drill.id.startswith(common) for d in drills)
    ambiguous = invoke("show", common)
    assert ambiguous.exit_code == 2 and "give more of it" in ambiguous.stderr
