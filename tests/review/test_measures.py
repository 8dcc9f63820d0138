"""Reading experiment records: which service, held or broke, survived or not."""

from __future__ import annotations

import pytest

from entdrill.review.measures import (
    DEFAULT_BUDGET_MS,
    read_storm,
    read_trial,
    service_of,
)

from .support import experiment, storm


@pytest.mark.parametrize(
    ("kind", "service"),
    [
        ("login_storm", "login"),
        ("login_storm_ddos", "login"),
        ("server_loss", "server_loss"),
        ("pod_loss", "server_loss"),
        ("session_store_loss", "session_store"),
        ("video_bridge_outage", "video_fallback"),
        ("bridge_scaled_to_zero", "video_fallback"),
        ("video_bridge_degraded", "video_degraded"),
        ("smoke", None),
    ],
)
def test_each_experiment_kind_maps_to_the_service_it_tests(kind: str, service: str | None) -> None:
    assert service_of(kind) == service


def test_a_storm_holds_with_99_percent_success_and_p95_within_its_budget() -> None:
    held = read_storm(storm("a", "d", 100, p95_ms=2000.0, success=0.99))
    assert held is not None and held.held
    assert held.budget_ms == DEFAULT_BUDGET_MS


@pytest.mark.parametrize(
    ("p95_ms", "success"), [(2000.1, 1.0), (150.0, 0.9899)], ids=["slow", "failing"]
)
def test_a_storm_breaks_when_too_slow_or_too_many_logins_fail(
    p95_ms: float, success: float
) -> None:
    broke = read_storm(storm("a", "d", 100, p95_ms=p95_ms, success=success))
    assert broke is not None and not broke.held


@pytest.mark.parametrize(
    "budget",
    [
        {"tolerance": {"login_p95_ms": 500.0}},
        {"budget_p95_ms": 500.0},
        {"max_login_p95_s": 0.5},
    ],
)
def test_a_storm_is_judged_against_the_budget_its_experiment_states(budget: dict) -> None:
    run = read_storm(storm("a", "d", 30, p95_ms=600.0, **budget))
    assert run is not None
    assert run.budget_ms == 500.0
    assert not run.held


def test_a_storm_reads_the_flood_report_headline_shape() -> None:
    run = read_storm(
        experiment(
            "a",
            "d",
            "login_storm",
            {
                "storm_multiplier": 10,
                "login_ms": {"p50": 90.0, "p95": 300.0},
                "completed": 995,
                "failed": 5,
            },
        )
    )
    assert run is not None
    assert (run.multiple, run.p50_ms, run.p95_ms) == (10.0, 90.0, 300.0)
    assert run.success_ratio == pytest.approx(0.995)
    assert run.held


def test_a_storm_without_its_key_measures_or_not_concluded_is_not_read() -> None:
    assert read_storm(experiment("a", "d", "login_storm", {"storm_multiple": 10})) is None
    interrupted = storm("b", "d", 10, p95_ms=100.0)
    assert read_storm(interrupted) is not None
    from dataclasses import replace

    assert read_storm(replace(interrupted, status="interrupted")) is None
    assert read_storm(replace(interrupted, status="aborted")) is None


def test_a_recorded_survival_verdict_wins_over_the_hypothesis() -> None:
    run = read_trial(
        experiment("a", "d", "server_loss", {"survived": False, "error_ratio": 0.2}, deviated=False)
    )
    assert run is not None and not run.passed
    assert run.detail == "errors 20.0%"


def test_the_video_fallback_passes_when_the_backup_bridge_took_the_class() -> None:
    worked = read_trial(
        experiment("a", "d", "video_bridge_outage", {"fallback_worked": True}, deviated=True)
    )
    joinable = read_trial(
        experiment("b", "d", "video_bridge_outage", {"backup_joinable": False}, deviated=False)
    )
    assert worked is not None and worked.passed
    assert joinable is not None and not joinable.passed


def test_without_a_verdict_a_run_passes_when_its_hypothesis_held() -> None:
    held = read_trial(experiment("a", "d", "session_store_loss", {}, deviated=False))
    deviated = read_trial(experiment("b", "d", "session_store_loss", {}, deviated=True))
    assert held is not None and held.passed
    assert deviated is not None and not deviated.passed


def test_trial_details_read_as_figures() -> None:
    run = read_trial(
        experiment(
            "a", "d", "video_bridge_outage", {"fallback_worked": True, "join_p95_ms": 30000.0}
        )
    )
    assert run is not None and run.detail == "join p95 30.0 s"
