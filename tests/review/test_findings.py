"""Open findings grouped across drills, with their owners."""

from __future__ import annotations

from entdrill.review.findings import open_groups

from .support import finding


def test_the_same_finding_across_drills_is_one_group_with_every_owner() -> None:
    groups = open_groups(
        [
            finding("f1", "d1", "sms channel failed", key="channel:sms:failed", owner="dsi", day=0),
            finding(
                "f2", "d2", "sms channel failed", key="channel:sms:failed", owner="dane", day=5
            ),
            finding("f3", "d2", "status page late", severity="medium", owner=None, day=5),
            finding("f4", "d3", "bridge down", severity="critical", day=9),
            finding("f5", "d3", "closed one", status="closed"),
        ],
        {"d2", "d3"},
    )
    assert [g.title for g in groups] == ["bridge down", "sms channel failed", "status page late"]
    sms = groups[1]
    assert sms.owners == ("dane", "dsi") and sms.open_count == 2
    assert sms.first_opened < sms.last_opened and sms.latest_drill_id == "d2"
    assert groups[2].owners == ()


def test_a_group_found_only_before_the_period_says_so() -> None:
    (old,) = open_groups([finding("f1", "d0", "old", key="k")], {"d9"})
    assert not old.in_period
