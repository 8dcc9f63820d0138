"""The decision first: will the ENT hold the first morning after the next holiday? Ready, at
risk or not ready, with the reasons most serious first, each linking to its section."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from entdrill.records import ChannelResult
from entdrill.review import build_review, render_html, render_markdown
from entdrill.review.period import parse_as_of

from .support import NOW, data, drill, experiment, reach, result
from .test_headroom import search

READINESS = {"readiness": {"required_multiple": 100, "normal_rate": 1.5, "zone": "B"}}
AS_OF = parse_as_of("2026-04-01", NOW)  # the day after the drills below (2026-03-02 + 29)


def channel(drill_id: str, name: str, outcome: str, ack: float, expected: float) -> ChannelResult:
    return replace(
        result(drill_id, name, outcome, ack=True, day=29),
        expectation={"delivered_share": 0.9, "acknowledged_share": expected},
        delivered_share=1.0,
        acknowledged_share=ack,
        cause=None if outcome == "worked" else "acknowledged share below expectation",
    )


def everything(**changes: Any) -> Any:
    """One drill (day 29) that tested every service and every channel worked."""
    records = data(
        [drill("d1", 29, "met", summary=READINESS)],
        [
            search("c1", 29, 150, 200),
            experiment("l1", "d1", "server_loss", {"survived": True}, 29),
            experiment("s1", "d1", "session_store_loss", {"survived": True}, 29),
            experiment("v1", "d1", "video_bridge_outage", {"fallback_worked": True}, 29),
        ],
        [
            channel("d1", "staff-slack", "worked", 0.8, 0.5),
            channel("d1", "staff-sms", "worked", 0.6, 0.5),
        ],
        [reach("d1", "ana", "staff-slack", day=29, delivered=1, acked=30)],
    )
    return replace(records, **changes)


def test_every_service_tested_fresh_and_holding_reads_ready() -> None:
    review = build_review(everything(), generated_at=NOW, as_of=AS_OF)
    decision = review.decision
    assert decision is not None
    assert decision.answer == "ready" and decision.reasons == ()
    assert decision.question == (
        "Will the ENT hold the first morning after the Vacances de printemps (zone B), on "
        "Monday 27 April 2026?"
    )
    assert decision.headroom.startswith("Headroom 1.50: logins sustained 150x normal")
    assert review.coverage is not None and review.coverage.untested == ()
    assert review.overall.value is not None and review.overall.value >= 90


def test_the_demo_shape_reads_not_ready_with_reasons_most_serious_first() -> None:
    records = everything(
        experiments=[search("c1", 29, 47, 62), experiment("v1", "d1", "video_bridge_outage", {"fallback_worked": True}, 29)],
        channel_results=[channel("d1", "staff-slack", "worked", 0.8, 0.5), channel("d1", "staff-sms", "degraded", 0.17, 0.5)],
    )  # fmt: skip
    review = build_review(records, generated_at=NOW, as_of=AS_OF)
    decision = review.decision
    assert decision is not None and decision.answer == "not ready"
    texts = [(r.severity, r.text, r.anchor) for r in decision.reasons]
    assert texts[0] == (
        "blocker",
        "logins break at 62x (required 100x): headroom 0.47",
        "login",
    )
    assert ("risk", "server loss never tested in this period", "service-server_loss") in texts
    assert (
        "risk",
        "session-store loss never tested in this period",
        "service-session_store",
    ) in texts
    assert ("risk", "staff-sms acknowledged by 17% (expected 50%)", "channel-staff-sms") in texts
    assert [r.severity for r in decision.reasons] == sorted(
        (r.severity for r in decision.reasons), key=lambda s: s != "blocker"
    )
    assert review.coverage is not None
    assert set(review.coverage.untested) == {"server_loss", "session_store"}


def test_every_reason_links_to_a_section_that_exists_in_html_and_markdown() -> None:
    records = everything(
        experiments=[search("c1", 29, 47, 62)],
        channel_results=[channel("d1", "staff-sms", "degraded", 0.17, 0.5)],
    )
    review = build_review(records, generated_at=NOW, as_of=AS_OF)
    assert review.decision is not None
    page = render_html(review)
    markdown, _ = render_markdown(review)
    ids = set(re.findall(r'id="([^"]+)"', page))
    md_ids = set(re.findall(r'<a id="([^"]+)"></a>', markdown))
    for reason in review.decision.reasons:
        assert reason.anchor in ids, reason
        assert reason.anchor in md_ids, reason
        assert f'<a href="#{reason.anchor}">' in page
        assert f"](#{reason.anchor})" in markdown
    # the decision comes first, before the summary
    assert page.index('id="decision"') < page.index('id="summary"')
    assert 'data-figure="decision">✗ not ready<' in page
    assert markdown.index("## Will the ENT hold") < markdown.index("## Summary")
    assert "Headroom 0.47" in markdown.split("## Summary")[0]


def test_evidence_older_than_the_half_life_is_stale_and_keeps_ready_away() -> None:
    review = build_review(everything(), generated_at=NOW, as_of=parse_as_of("2026-09-15", NOW))
    decision = review.decision
    assert decision is not None and decision.answer != "ready"
    stale = [r for r in decision.reasons if "stale" in r.text]
    assert stale and stale[0].text.startswith("logins last tested 2026-03-31, 168 days ago")
    assert decision.question.endswith("on Monday 2 November 2026?")  # after Toussaint, zone B


def test_a_drill_still_running_is_listed_apart_and_not_counted() -> None:
    records = everything()
    records.drills.append(drill("d2", 30, "running"))
    records.experiments.append(experiment("l2", "d2", "server_loss", {"survived": False}, 30))
    review = build_review(records, generated_at=NOW, as_of=AS_OF)
    assert review.decision is not None and review.decision.answer == "ready"
    assert [d.drill_id for d in review.running] == ["d2"]
    assert review.drills == 1 and "running" not in review.statuses
    assert "Still running, not counted until it ends" in render_html(review)
    only_running = build_review(data([drill("d2", 30, "running")]), generated_at=NOW)
    assert only_running.empty and len(only_running.running) == 1


def test_the_requirement_comes_from_the_options_over_the_latest_plan() -> None:
    from_plan = build_review(everything(), generated_at=NOW, as_of=AS_OF)
    assert from_plan.requirement is not None
    assert (from_plan.requirement.required_multiple, from_plan.requirement.zone) == (100, "B")
    assert "from the plan pre_holiday" in from_plan.requirement.source
    stricter = build_review(
        everything(), generated_at=NOW, as_of=AS_OF, required_multiple=300, zone="A"
    )
    assert stricter.decision is not None and stricter.decision.answer == "not ready"
    assert stricter.decision.reasons[0].text == (
        "logins break at 200x (required 300x): headroom 0.50"
    )
    assert "(zone A)" in stricter.decision.question


def test_without_a_zone_the_question_names_no_date() -> None:
    records = everything(drills=[drill("d1", 29, "met")])
    review = build_review(records, generated_at=NOW, as_of=AS_OF)
    assert review.decision is not None
    assert review.decision.question == "Will the ENT hold the first morning after the next holiday?"
    assert review.requirement is not None and review.requirement.required_multiple == 100
