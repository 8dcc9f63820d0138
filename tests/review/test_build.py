"""The whole review from hand-made records: scores, per-service and per-channel figures."""

from __future__ import annotations

import pytest

from entdrill.records import open_records
from entdrill.review import build_review, only_drill, series_wanted
from entdrill.review.build import readings
from entdrill.review.services import charted_storms, storm_steps

from .support import NOW, at, data, drill, experiment, finding, reach, result, storm


def two_drills():  # type: ignore[no-untyped-def]
    """d1 (day 0): 100x broke, video fallback failed, slack worked, sms degraded.
    d2 (day 120, one half-life later): 100x held, server loss survived, both channels worked."""
    return data(
        [drill("d1", 0, "not_met"), drill("d2", 120, "met")],
        [
            storm("s1", "d1", 100, 8000.0, success=0.7, day=0),
            experiment("v1", "d1", "video_bridge_outage", {"fallback_worked": False}, 0),
            storm("s2", "d2", 100, 800.0, day=120),
            experiment("l2", "d2", "server_loss", {"survived": True}, 120),
            experiment("x2", "d2", "smoke", {}, 120),
        ],
        [
            result("d1", "slack", "worked", ack=True),
            result("d1", "sms", "degraded", day=0),
            result("d2", "slack", "worked", ack=True, day=120),
            result("d2", "sms", "worked", day=120),
        ],
        [
            reach("d1", "ana", "slack", delivered=1, acked=60),
            reach("d1", "ben", "slack", failed=1),
            reach("d1", "ben", "sms", sent=600, failed=601),
            reach("d2", "ana", "slack", day=120, delivered=1, acked=90),
            reach("d2", "ben", "slack", day=120, delivered=1),
        ],
        [
            finding("f1", "d1", "sms channel degraded", key="channel:sms:degraded", owner=None),
            finding("f2", "d1", "video fallback failed", severity="critical", owner="astreinte"),
        ],
    )


def test_service_scores_weigh_the_latest_drill_double_the_one_a_half_life_before() -> None:
    # Reviewed on the day of d2: its tests weigh 1, d1's (120 days before) weigh 1/2.
    review = build_review(two_drills(), generated_at=NOW, as_of=at(120))
    scores = {s.service: s.score.value for s in review.services}
    assert scores["login"] == pytest.approx(100 * 1 / 1.5, rel=1e-3)
    assert scores["server_loss"] == pytest.approx(100, rel=1e-3)
    assert scores["session_store"] is None
    assert scores["video_fallback"] == pytest.approx(0)
    assert scores["channels"] == pytest.approx(100 * (0.5 * 0.75 + 1.0) / 1.5, rel=1e-3)
    # every service of the model counts; session store, never tested, as 0
    assert review.overall.value == pytest.approx(sum(v or 0 for v in scores.values()) / 5)
    assert review.overall.grade == "not ready"


def test_ages_count_to_the_review_date_not_to_the_latest_test() -> None:
    fresh = build_review(two_drills(), generated_at=NOW, as_of=at(120))
    later = build_review(two_drills(), generated_at=NOW, as_of=at(120 + 240))
    server = {s.service: s.score for s in later.services}["server_loss"]
    assert server.value == pytest.approx(25, rel=1e-3)  # two half-lives after its only test
    assert server.stale and "server_loss" in later.coverage.stale  # type: ignore[union-attr]
    assert fresh.overall.value is not None and later.overall.value is not None
    assert later.overall.value < fresh.overall.value


def test_the_review_reports_every_required_service_tested_or_not() -> None:
    review = build_review(two_drills(), generated_at=NOW)
    assert [t.service for t in review.trials] == ["server_loss", "session_store", "video_fallback"]
    session = review.trials[1]
    assert session.tests == 0 and session.latest is None


def test_the_login_held_at_100x_in_the_latest_storm() -> None:
    login = build_review(two_drills(), generated_at=NOW).login
    assert login.highest_held is not None and login.highest_held.multiple == 100
    assert login.highest_held.latest.p95_ms == 800.0
    assert login.first_broken is None


def test_channels_people_and_findings_are_counted() -> None:
    review = build_review(two_drills(), generated_at=NOW)
    slack = next(c for c in review.channels if c.name == "slack")
    assert (slack.sent, slack.delivered, slack.acknowledged) == (4, 3, 2)
    assert slack.median_ack_s == pytest.approx(75.0)
    assert [(p.person, p.drills) for p in review.never_reached] == [("ben", 1)]
    assert review.people_sent == 4
    assert review.open_findings == 2 and review.unowned_findings == 1
    assert review.findings[0].severity == "critical"
    assert review.statuses == {"met": 1, "not_met": 1}
    assert [r.drill_id for r in review.drill_rows] == ["d2", "d1"]
    assert review.drill_rows[1].open_findings == 2


def test_standalone_storms_count_in_a_period_but_not_in_a_drill_review() -> None:
    records = two_drills()
    records.standalone_experiments.append(storm("s3", None, 300, 900.0, day=121))
    period = build_review(records, generated_at=NOW)
    assert period.login.storms == 3
    assert period.login.highest_held is not None and period.login.highest_held.multiple == 300
    one = build_review(only_drill(records, "d1"), generated_at=NOW, drill_id="d1")
    assert one.drills == 1 and one.login.storms == 1 and one.standalone_experiments == 0
    assert one.login.first_broken is not None and one.login.highest_held is None
    assert {c.name for c in one.channels} == {"slack", "sms"}
    assert one.open_findings == 2


def test_only_the_charted_storms_series_are_wanted() -> None:
    records = two_drills()
    records.experiments.append(storm("s4", "d2", 1000, 20000.0, success=0.2, day=120))
    assert series_wanted(records) == ["s2", "s4"]


def test_a_period_without_drills_gives_an_empty_review() -> None:
    review = build_review(data([]), generated_at=NOW)
    assert review.empty and review.drills == 0
    assert review.overall.value is None
    assert review.channels == () and review.matrix.columns == ()


def test_the_series_wanted_are_those_of_the_storms_the_review_charts(fleet: str) -> None:
    with open_records(fleet, mode="read") as records:
        fleet_data = records.load_review_data(reach=False)
    storms, _, _ = readings(fleet_data)
    charted = [s.experiment_id for s, _ in charted_storms(storm_steps(storms))]
    assert series_wanted(fleet_data) == charted
    assert charted
