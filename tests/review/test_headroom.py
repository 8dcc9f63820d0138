"""Login headroom against the required multiple: from the latest capacity search, else from
the storms (partial evidence when they held only below the requirement)."""

from __future__ import annotations

from typing import Any

import pytest

from entdrill.review.headroom import read_capacity
from entdrill.review.measures import read_storm
from entdrill.review.services import login_readiness

from .support import at, experiment, storm


def search(
    experiment_id: str, day: float, sustained: float | None, broke: float | None, **extra: Any
) -> Any:
    outcome = extra.pop("outcome", "knee")
    measures = {
        "capacity_outcome": outcome,
        "sustained_multiple": sustained,
        "breaking_multiple": broke,
        "sustained_rate": None if sustained is None else sustained * 1.5,
        "breaking_rate": None if broke is None else broke * 1.5,
        "required_multiple": 100,
        "headroom": None if sustained is None else sustained / 100,
        "broke_by": {"why": "errors 12.0% over 1.0% (http_5xx 40)"} if broke else None,
        "capacity_steps": [
            {"rate": 30, "multiple": 20, "phase": "ladder", "held": True, "p95_ms": 80,
             "error_share": 0.0},
            {"rate": 90, "multiple": 60, "phase": "ladder", "held": False, "p95_ms": 2400,
             "error_share": 0.12},
        ],
        **extra,
    }  # fmt: skip
    return experiment(experiment_id, "d1", "capacity_search", measures, day)


def login(*records: Any, required: float = 100.0, as_of: float = 30) -> Any:
    storms = [s for r in records if (s := read_storm(r)) is not None]
    searches = [c for r in records if (c := read_capacity(r)) is not None]
    return login_readiness(storms, 0, {}, as_of=at(as_of), required=required, searches=searches)


def test_the_latest_capacity_search_gives_the_headroom() -> None:
    found = login(search("old", 0, 200, 300), search("new", 20, 47, 62)).headroom
    assert found.source == "capacity search" and found.evidence == "measured"
    assert found.sustained_multiple == 47 and found.breaking_multiple == 62
    assert found.value == pytest.approx(0.47) and found.short
    assert found.search is not None and found.search.experiment_id == "new"
    assert [s.held for s in found.search.steps] == [True, False]


def test_a_search_that_broke_at_its_lowest_rate_gives_no_headroom() -> None:
    found = login(search("s", 0, None, 20, outcome="broke_at_min")).headroom
    assert found.value == 0 and found.short


def test_a_search_that_held_to_its_top_below_the_requirement_is_partial() -> None:
    found = login(search("s", 0, 50, None, outcome="held_to_max")).headroom
    assert found.evidence == "partial" and found.value == pytest.approx(0.5) and not found.short


def test_a_storm_that_held_below_the_requirement_is_partial_evidence_not_a_pass() -> None:
    readiness = login(storm("s", "d1", 10, 300.0, day=20), as_of=20)
    found = readiness.headroom
    assert found.source == "storms" and found.evidence == "partial"
    assert found.value == pytest.approx(0.1)
    # its score result is its multiple over the requirement: 10x of 100x
    assert readiness.score.value == pytest.approx(10, rel=0.01)


def test_storms_that_broke_below_the_requirement_are_a_measured_shortfall() -> None:
    found = login(
        storm("a", "d1", 10, 300.0, day=20), storm("b", "d1", 50, 9000.0, success=0.5, day=20)
    ).headroom
    assert found.evidence == "measured" and found.short
    assert found.sustained_multiple == 10 and found.breaking_multiple == 50


def test_a_storm_held_at_the_requirement_meets_it() -> None:
    found = login(storm("a", "d1", 100, 900.0, day=20)).headroom
    assert found.evidence == "measured" and found.value == 1 and not found.short


def test_the_capacity_result_in_the_score_is_the_headroom_at_most_one() -> None:
    assert login(search("s", 30, 47, 62)).score.value == pytest.approx(47)
    assert login(search("s", 30, 150, 200)).score.value == pytest.approx(100)


def test_nothing_measured_gives_no_headroom() -> None:
    found = login().headroom
    assert found.evidence == "none" and found.value is None
