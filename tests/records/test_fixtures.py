"""The fixture builder makes the same realistic drills from the same seed (no database)."""

from __future__ import annotations

from entdrill.records.fixtures import build_drills


def test_the_same_seed_builds_the_same_drills() -> None:
    assert list(build_drills(12, seed=3)) == list(build_drills(12, seed=3))
    assert list(build_drills(12, seed=3)) != list(build_drills(12, seed=4))


def test_fixture_drills_tell_a_consistent_story() -> None:
    drills = list(build_drills(200, seed=1))
    starts = [d.drill.started_at for d in drills]
    assert starts == sorted(starts)
    assert all(d.drill.started_at.weekday() < 5 for d in drills)
    for detail in drills:
        storms = [x for x in detail.experiments if x.kind == "login_storm"]
        for storm in storms:
            held = storm.measures["held"]
            assert storm.deviated is (not held)
            assert storm.series is not None and len(storm.series["p95_ms"]) == 60
        slack = [c for c in detail.channel_results if c.channel == "slack"]
        for result in slack:
            sent = {e.person for e in detail.ledger if e.channel == "slack" and e.state == "sent"}
            delivered = {
                e.person for e in detail.ledger if e.channel == "slack" and e.state == "delivered"
            }
            assert result.delivered_share == round(len(delivered) / len(sent), 4)
        if detail.drill.status == "dry_run":
            assert detail.experiments == [] and detail.ledger == []
    late = [d for d in drills[100:] if d.drill.status == "met"]
    early = [d for d in drills[:100] if d.drill.status == "met"]
    assert len(late) > len(early)  # teams get better at this over two years
