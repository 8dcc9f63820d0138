"""Trend points: per drill for a few drills, else calendar periods, shares per period."""

from __future__ import annotations

from entdrill.review.measures import read_storm, read_trial
from entdrill.review.trends import channel_trends, multiple_trend, periods, service_trend

from .support import at, drill, experiment, reach, result, storm


def test_a_few_drills_give_one_point_per_drill() -> None:
    drills = [drill("a", 0), drill("b", 0.01), drill("c", 3)]
    found = periods(drills)
    assert found.kind == "drill"
    assert found.labels == ("2026-03-02 07:45", "2026-03-02 07:59", "2026-03-05")


def test_many_drills_give_the_finest_calendar_period_with_at_most_16_points() -> None:
    over_two_months = [drill(f"m{i}", i * 2) for i in range(30)]
    over_two_years = [drill(f"y{i}", i * 25) for i in range(30)]
    weeks, quarters = periods(over_two_months), periods(over_two_years)
    assert weeks.kind == "week" and weeks.labels[0] == "2026-W10" and len(weeks.labels) <= 16
    assert quarters.kind == "quarter" and quarters.labels[:2] == ("2026 Q1", "2026 Q2")
    assert len(quarters.labels) <= 16


def test_service_shares_are_computed_per_period() -> None:
    drills = [drill("d1", 0), drill("d2", 10)]
    storms = [
        s
        for r in (
            storm("a", "d1", 10, 100.0, day=0),
            storm("b", "d1", 100, 9000.0, day=0),
            storm("c", "d2", 100, 500.0, day=10),
        )
        if (s := read_storm(r))
    ]
    trials = [
        t for t in [read_trial(experiment("x", "d2", "server_loss", {"survived": False}, 10))] if t
    ]
    results = [result("d1", "slack", "worked"), result("d2", "slack", "failed")]
    p = periods(drills)
    trend = service_trend(p, drills, storms, trials, results, {"d1": at(0), "d2": at(10)})
    values = {s.name: s.values for s in trend.series}
    assert values["Login under storm"] == (0.5, 1.0)
    assert values["Server loss"] == (None, 0.0)
    assert values["Fallback channels"] == (1.0, 0.0)
    assert trend.drills == (1, 1)
    multiples = multiple_trend(p, drills, storms)
    assert [s.values for s in multiples.series] == [(10.0, 100.0), (100.0, None)]


def test_channel_trends_give_worked_and_acknowledged_shares() -> None:
    drills = [drill("d1", 0), drill("d2", 10)]
    rows = [
        reach("d1", "ana", "slack", acked=30),
        reach("d1", "ben", "slack", delivered=1),
        reach("d2", "ana", "slack", day=10, acked=30),
    ]
    results = [result("d1", "slack", "degraded"), result("d2", "slack", "worked")]
    worked, acked = channel_trends(
        periods(drills), drills, ["slack"], ["slack"], results, rows, {"d1": at(0), "d2": at(10)}
    )
    assert worked.series[0].values == (0.0, 1.0)
    assert acked.series[0].values == (0.5, 1.0)
