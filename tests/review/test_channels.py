"""Readiness per channel from reach rows and channel results."""

from __future__ import annotations

import pytest

from entdrill.review.channels import (
    ack_curves,
    channel_matrix,
    channel_readiness,
    never_reached_anywhere,
    people_sent,
)

from .support import at, drill, reach, result

AS_OF = at(0, 3600)  # the review date: the day of the drills


def slack_rows():  # type: ignore[no-untyped-def]
    """Drill d1 on slack: five people sent to, acknowledged after 60, 120, 180 and 600 s, one
    never reached (failed); one person refused (outside the audience)."""
    return [
        reach("d1", "ana", "slack", delivered=1, acked=60),
        reach("d1", "ben", "slack", delivered=1, acked=120),
        reach("d1", "cyd", "slack", delivered=1, acked=180),
        reach("d1", "dan", "slack", acked=600),  # acknowledged without a delivery receipt
        reach("d1", "eve", "slack", sent=0, failed=2),
        reach("d1", "out", "slack", sent=None, refused=0),
    ]


def test_shares_count_the_people_sent_to_and_delivered_includes_acknowledged() -> None:
    (slack,) = channel_readiness(
        [result("d1", "slack", "degraded", ack=True)], slack_rows(), {"d1": at(0)}, AS_OF
    )
    assert (slack.sent, slack.delivered, slack.acknowledged) == (5, 4, 4)
    assert slack.delivery_share == pytest.approx(0.8)
    assert slack.ack_share == pytest.approx(0.8)
    assert slack.asks_ack and not slack.wide
    assert slack.outcomes == {"worked": 0, "degraded": 1, "failed": 0}


def test_time_to_acknowledge_has_a_median_and_a_nearest_rank_p90() -> None:
    (slack,) = channel_readiness([], slack_rows(), {"d1": at(0)}, AS_OF)
    assert slack.median_ack_s == pytest.approx(150.0)
    assert slack.p90_ack_s == pytest.approx(600.0)


def test_the_never_reached_are_named_with_their_number_of_drills() -> None:
    rows = [
        *slack_rows(),
        reach("d2", "eve", "slack", day=7, failed=1),
        reach("d2", "ana", "slack", day=7, delivered=3),
    ]
    (slack,) = channel_readiness([], rows, {"d1": at(0), "d2": at(7)}, AS_OF)
    assert [(p.person, p.drills) for p in slack.never_reached] == [("eve", 2)]
    assert slack.never_reached_people == 1


def test_never_reached_anywhere_means_reached_on_no_channel() -> None:
    rows = [
        reach("d1", "ana", "slack", failed=1),
        reach("d1", "ana", "sms", delivered=30),  # reached by SMS in the end
        reach("d1", "ben", "slack", failed=1),
        reach("d1", "ben", "sms", failed=40),
        reach("d1", "out", "sms", sent=None, refused=0),  # never sent to: not "never reached"
    ]
    assert [(p.person, p.drills) for p in never_reached_anywhere(rows)] == [("ben", 1)]
    assert people_sent(rows) == 2


def test_a_channel_wide_channel_counts_the_drills_where_it_was_done() -> None:
    results = [
        result("d1", "statuspage", "worked"),
        result("d2", "statuspage", "degraded"),
        result("d3", "statuspage", "failed"),
        result("d4", "statuspage", "worked"),
    ]
    (page,) = channel_readiness(results, [], {}, AS_OF)
    assert page.wide and page.delivery_share == pytest.approx(0.75)
    assert page.ack_share is None and not page.asks_ack
    assert page.score.value == pytest.approx(100 * 2.5 / 4, rel=1e-3)


def test_a_channel_that_asks_no_acknowledgement_has_no_ack_share() -> None:
    rows = [reach("d1", "ana", "email", delivered=1), reach("d1", "ben", "email", delivered=2)]
    (email,) = channel_readiness([result("d1", "email", "worked")], rows, {"d1": at(0)}, AS_OF)
    assert email.ack_share is None and email.delivery_share == 1.0


def test_acknowledgements_over_time_are_cumulative_shares_from_activation() -> None:
    rows = [
        reach("d1", "ana", "slack", sent=0, acked=30),
        reach("d1", "ben", "slack", sent=10, acked=150),
        reach("d1", "cyd", "slack", sent=20),
        reach("d1", "cyd", "sms", sent=600, acked=700),
        reach("d1", "dan", "slack", sent=30),
    ]
    curves = {c.channel: c for c in ack_curves(rows)}
    slack, sms, anywhere = curves["slack"], curves["sms"], curves["any channel"]
    # The curves end at the 99th percentile of every acknowledgement, rounded up to 5 min.
    assert slack.minutes[:4] == (0.0, 1.0, 2.0, 3.0) and slack.minutes[-1] == 15.0
    # From slack's activation (0 s): ana at 0.5 min, ben at 2.5 min; 4 people sent to.
    assert slack.shares[:4] == (0.0, 0.25, 0.25, 0.5)
    # SMS activates at 600 s: cyd acknowledged 100 s later, of 1 sent to.
    assert sms.shares[1] == 0.0 and sms.shares[2] == 1.0
    # Any channel: from the drill's first message, so cyd's SMS answer counts at 700 s.
    assert anywhere.people == 4
    assert anywhere.shares[10] == 0.5 and anywhere.shares[12] == 0.75


def test_the_matrix_shows_the_most_recent_drills_with_channel_results() -> None:
    drills = [drill(f"d{i}", day=i) for i in range(5)]
    results = [result(f"d{i}", "slack", "worked", day=i) for i in range(4)]
    results.append(result("d3", "sms", "failed", cause="gateway down", day=3))
    matrix = channel_matrix(results, drills, ["slack", "sms"], limit=2)
    assert [c.drill_id for c in matrix.columns] == ["d2", "d3"]
    assert matrix.total == 4
    assert [c.outcome for c in matrix.cells[0]] == ["worked", "worked"]
    assert [(c.outcome, c.cause) for c in matrix.cells[1]] == [
        (None, None),
        ("failed", "gateway down"),
    ]
