"""The communications ledger's arithmetic: shares, deadlines, outcomes, reach and escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from entdrill.channels.base import LedgerEvent, LedgerState
from entdrill.drill.ledger import build_ledger, escalation_targets, expectations_of
from entdrill.drill_plan import Channel, Expectation, ManualStep

T0 = datetime(2026, 12, 15, 7, 45, tzinfo=UTC)
S, D, A, F, R = (
    LedgerState.SENT,
    LedgerState.DELIVERED,
    LedgerState.ACKNOWLEDGED,
    LedgerState.FAILED,
    LedgerState.REFUSED,
)


def ev(
    person: str, channel: str, state: LedgerState, second: float, **evidence: Any
) -> LedgerEvent:
    return LedgerEvent(person, channel, state, T0 + timedelta(seconds=second), evidence)


def delivered_and_acked(channel: str, people: int, acked: int, ack_at: float) -> list[LedgerEvent]:
    events = []
    for i in range(people):
        events += [ev(f"p{i}", channel, S, 0), ev(f"p{i}", channel, D, 1)]
        if i < acked:
            events.append(ev(f"p{i}", channel, A, ack_at))
    return events


SLACK = {"slack": Expectation(180.0, delivered_share=0.95, acknowledged_share=0.7)}


def test_a_channel_meeting_both_shares_by_the_deadline_worked() -> None:
    ledger = build_ledger(delivered_and_acked("slack", 10, 7, 60), SLACK)
    result = ledger.channels["slack"]
    assert result.outcome == "worked"
    assert (result.sent_to, result.delivered, result.acknowledged) == (10, 10, 7)
    assert (result.delivered_share, result.acknowledged_share) == (1.0, 0.7)
    assert result.median_time_to_acknowledge_s == 60.0
    assert result.reason == (
        "reached 100%, acknowledged 70% of 10 by the deadline: expected delivered 95% and "
        "acknowledged 70% within 180 s met"
    )


def test_shares_met_only_after_the_deadline_are_degraded_and_late() -> None:
    ledger = build_ledger(delivered_and_acked("slack", 10, 7, 200), SLACK)
    result = ledger.channels["slack"]
    assert (result.outcome, result.late) == ("degraded", True)
    assert (result.acknowledged, result.acknowledged_final) == (0, 7)
    assert result.reason.endswith("met only after the deadline")


def test_shares_falling_short_are_degraded_not_late() -> None:
    result = build_ledger(delivered_and_acked("slack", 10, 6, 30), SLACK).channels["slack"]
    assert (result.outcome, result.late, result.acknowledged_share) == ("degraded", False, 0.6)
    assert result.reason.endswith("not met")


def test_a_channel_that_reached_nobody_failed_with_its_causes() -> None:
    events = [
        ev(f"p{i}", "slack", F, 1, cause="Slack refused the token: invalid_auth") for i in range(3)
    ]
    result = build_ledger(events, SLACK).channels["slack"]
    assert result.outcome == "failed"
    assert result.failures == {"Slack refused the token: invalid_auth": 3}
    assert result.reason == "nobody was reached: Slack refused the token: invalid_auth (3)"


def test_an_acknowledgement_counts_as_delivery_and_refusals_are_not_in_the_denominator() -> None:
    events = [
        ev("a", "sms", S, 0),
        ev("a", "sms", A, 10),  # no delivery report, but they answered
        ev("b", "sms", S, 0),
        ev("b", "sms", D, 5),
        ev("outsider", "sms", R, 0, cause="recipient outside the channel's audience"),
    ]
    result = build_ledger(events, {"sms": Expectation(60.0, delivered_share=1.0)}).channels["sms"]
    assert (result.outcome, result.sent_to, result.delivered, result.refused) == (
        "worked",
        2,
        2,
        ("outsider",),
    )


def test_an_email_channel_that_cannot_tell_delivery_is_judged_on_acceptance() -> None:
    events = [ev(p, "mail", S, 0, delivery_tracked=False) for p in ("a", "b")]
    result = build_ledger(events, {"mail": Expectation(60.0, delivered_share=1.0)}).channels["mail"]
    assert (result.outcome, result.delivery_basis, result.delivered) == ("worked", "accepted", 2)


def test_a_channel_wide_fact_judges_a_status_page_or_a_room() -> None:
    expect = {"page": Expectation(60.0, delivered_share=1.0)}
    shown = build_ledger([ev("", "page", S, 0), ev("", "page", D, 2)], expect).channels["page"]
    late = build_ledger([ev("", "page", S, 0), ev("", "page", D, 90)], expect).channels["page"]
    broken = build_ledger(
        [ev("", "page", F, 0, cause="bridge unreachable: [Errno 111] Connection refused")], expect
    ).channels["page"]
    never = build_ledger([ev("", "page", S, 0)], expect).channels["page"]
    assert (shown.outcome, shown.delivery_basis, shown.delivered_share) == (
        "worked",
        "channel",
        1.0,
    )
    assert (late.outcome, late.late) == ("degraded", True)
    assert broken.outcome == "failed"
    assert broken.reason == "never verified: bridge unreachable: [Errno 111] Connection refused"
    assert never.outcome == "failed"


def test_an_unused_channel_and_a_pending_one() -> None:
    expect = {"sms": Expectation(120.0, delivered_share=0.9), **SLACK}
    events = delivered_and_acked("slack", 4, 1, 10)
    ledger = build_ledger(events, expect, now=T0 + timedelta(seconds=30))
    assert ledger.channels["sms"].outcome == "unused"
    assert ledger.channels["slack"].outcome == "pending"
    assert build_ledger(events, expect).channels["slack"].outcome == "degraded"


def test_the_deadline_runs_from_the_activation_the_runner_gives() -> None:
    events = delivered_and_acked("sms", 2, 2, 100)
    expect = {"sms": Expectation(60.0, acknowledged_share=1.0)}
    assert build_ledger(events, expect).channels["sms"].outcome == "degraded"
    activated = {"sms": T0 + timedelta(seconds=50)}
    assert build_ledger(events, expect, activated_at=activated).channels["sms"].outcome == "worked"


def test_each_persons_trail_time_to_acknowledge_and_the_channel_that_reached_them() -> None:
    events = [
        ev("a", "slack", S, 0),
        ev("a", "slack", D, 0.5),
        ev("a", "sms", S, 90),
        ev("a", "sms", D, 92),
        ev("a", "sms", A, 120),
        ev("b", "slack", S, 0),
        ev("b", "slack", A, 42),
        ev("c", "slack", F, 0, cause="no Slack id for this person"),
        ev("c", "sms", S, 90),
        ev("d", "slack", S, 0),
    ]
    ledger = build_ledger(events, {})
    trail = ledger.trail("a", "sms")
    assert trail is not None and [e.state for e in trail.events] == [S, D, A]
    assert trail.time_to_acknowledge_s == 30.0
    assert ledger.trail("b", "slack").time_to_acknowledge_s == 42.0  # type: ignore[union-attr]
    assert ledger.trail("c", "slack").failure_cause == "no Slack id for this person"  # type: ignore[union-attr]
    people = ledger.people
    assert (people["a"].reached_on, people["a"].acknowledged_on) == ("sms", "sms")
    assert (people["b"].reached_on, people["b"].acknowledged_at) == (
        "slack",
        T0 + timedelta(seconds=42),
    )
    assert people["a"].channels == ("slack", "sms")
    assert ledger.never_reached == ["c", "d"]
    assert ledger.to_dict()["never_reached"] == ["c", "d"]


def test_escalation_targets_those_not_acknowledged_or_not_delivered_at_a_time() -> None:
    events = [
        ev("a", "slack", S, 0),
        ev("a", "slack", D, 1),
        ev("a", "slack", A, 30),
        ev("b", "slack", S, 0),
        ev("b", "slack", D, 1),
        ev("b", "slack", A, 200),
        ev("c", "slack", F, 0, cause="not a member of #continuite"),
        ev("d", "slack", S, 0),
        ev("d", "email", S, 0),
        ev("d", "email", A, 60),
        ev("x", "slack", R, 0),
    ]
    ledger = build_ledger(events, SLACK)
    at = T0 + timedelta(seconds=90)
    assert escalation_targets(ledger, "slack", "not_acknowledged", at) == ["b", "c"]
    assert escalation_targets(ledger, "slack", "not_acknowledged", at, anywhere=False) == [
        "b",
        "c",
        "d",
    ]
    assert escalation_targets(ledger, "slack", "not_delivered", at, anywhere=False) == ["c", "d"]
    assert escalation_targets(ledger, "slack", "not_acknowledged") == ["c"]


def test_expectations_come_from_the_plans_channels_and_manual_steps() -> None:
    channel = Channel("s", "slack", "x", ("g",), Expectation(60.0, 1.0, 0.5), direct=True)
    step = ManualStep("switch", "Basculez", ("g",), 240.0, 0.6)
    assert expectations_of([channel], [step]) == {
        "s": Expectation(60.0, 1.0, 0.5),
        "switch": Expectation(240.0, acknowledged_share=0.6),
    }


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.sampled_from(["slack", "sms"]),
            st.sampled_from(list(LedgerState)),
            st.floats(min_value=0, max_value=600),
        ),
        max_size=40,
    )
)
def test_outcomes_and_counts_are_consistent_whatever_the_events(
    raw: list[tuple[str, str, LedgerState, float]],
) -> None:
    events = [ev(p, c, state, t, cause="x") for p, c, state, t in raw]
    expect = {"slack": Expectation(120.0, 0.5, 0.5), "sms": Expectation(60.0, delivered_share=1.0)}
    ledger = build_ledger(events, expect)
    for result in ledger.channels.values():
        assert 0 <= result.acknowledged <= result.acknowledged_final <= result.sent_to
        assert 0 <= result.delivered <= result.delivered_final <= result.sent_to
        if result.outcome == "worked":
            assert result.delivered > 0 or result.acknowledged > 0 or result.sent_to == 0
        if result.outcome == "failed":
            assert result.delivered_final == 0 and result.acknowledged_final == 0
        if result.sent_to == 0:
            assert result.outcome == "unused"
    reached = {p for p, r in ledger.people.items() if r.reached_on}
    assert set(ledger.never_reached) | reached == set(ledger.people)
