"""The review reads many drills in a fixed number of queries, and gets back exactly what was
written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

import pytest

from entdrill.records import DrillDetail, Records, fold, open_records
from entdrill.records.fixtures import DEFAULT_END, build_standalone, make_drills
from entdrill.records.testing import scratch_postgres

from .conftest import BACKENDS

N = 250
SEED = 7


@pytest.fixture(scope="module", params=BACKENDS)
def store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_reason: str | None,
) -> Iterator[tuple[Records, list[DrillDetail]]]:
    """One database of N fixture drills per backend, shared by this module's (reading) tests."""
    if request.param == "sqlite":
        url_context: Any = nullcontext(f"sqlite:///{tmp_path_factory.mktemp('review')}/r.db")
    elif postgres_reason:
        pytest.skip(postgres_reason)
    else:
        url_context = scratch_postgres()
    with url_context as url, open_records(url) as opened:
        yield opened, make_drills(opened, N, SEED, batch_size=100)


@pytest.fixture
def records(store: tuple[Records, list[DrillDetail]]) -> Records:
    return store[0]


@pytest.fixture
def written(store: tuple[Records, list[DrillDetail]]) -> list[DrillDetail]:
    return store[1]


def by_time(items: list[Any], *fields: str) -> list[Any]:
    return sorted(items, key=lambda item: tuple(getattr(item, f) for f in fields))


def test_load_review_data_returns_exactly_what_was_written(
    records: Records, written: list[DrillDetail]
) -> None:
    data = records.load_review_data(ledger=True, series=True, journals=True)
    details = sorted(written, key=lambda d: (d.drill.started_at, d.drill.id))
    assert data.drills == [d.drill for d in details]
    assert data.experiments == [
        x for d in details for x in by_time(d.experiments, "started_at", "id")
    ]
    assert data.channel_results == [
        c for d in details for c in by_time(d.channel_results, "channel")
    ]
    assert data.ledger == [e for d in details for e in by_time(d.ledger, "at", "id")]
    assert data.findings == [f for d in details for f in by_time(d.findings, "created_at", "id")]
    assert data.open_findings == by_time(
        [f for d in details for f in d.findings if f.status == "open"], "created_at", "id"
    )
    assert data.standalone_experiments == by_time(
        build_standalone(N // 10, SEED), "started_at", "id"
    )
    assert data.reach == fold(data.ledger)
    grouped = data.by_drill()
    first = details[0]
    assert grouped[first.drill.id].experiments == by_time(first.experiments, "started_at", "id")
    assert grouped[first.drill.id].ledger == by_time(first.ledger, "at", "id")


def test_large_values_are_left_out_unless_asked_for(
    records: Records, written: list[DrillDetail]
) -> None:
    data = records.load_review_data()
    assert data.ledger == []
    assert all(x.series is None and x.journal is None for x in data.experiments)
    assert len(data.reach) == len(fold(e for d in written for e in d.ledger))
    storms = [x for d in written for x in d.experiments if x.series is not None]
    every_id = [x.id for d in written for x in d.experiments]
    assert len(every_id) > 500  # more than one batch of ids
    assert records.load_series(every_id) == {x.id: x.series for x in storms}


def test_a_window_selects_drills_by_their_start(
    records: Records, written: list[DrillDetail]
) -> None:
    since = DEFAULT_END - timedelta(days=180)
    until = DEFAULT_END - timedelta(days=60)
    data = records.load_review_data(since, until)
    expected = [d for d in written if since <= d.drill.started_at < until]
    assert 0 < len(expected) < N
    assert {d.id for d in data.drills} == {d.drill.id for d in expected}
    assert {c.drill_id for c in data.channel_results} <= {d.drill.id for d in expected}
    assert {x.drill_id for x in data.experiments} <= {d.drill.id for d in expected}
    assert all(since <= x.started_at < until for x in data.standalone_experiments)


def test_the_number_of_queries_does_not_grow_with_the_number_of_drills(
    records: Records, written: list[DrillDetail], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = records.database
    statements: list[str] = []
    original = db._execute

    def counting(sql: str, params: Any) -> Any:
        statements.append(sql)
        return original(sql, params)

    monkeypatch.setattr(db, "_execute", counting)
    recent = DEFAULT_END - timedelta(days=30)
    records.load_review_data(since=recent, ledger=True)
    few = len(statements)
    statements.clear()
    records.load_review_data(ledger=True)
    assert len(statements) == few <= 12


def test_fixture_drills_verify_and_keep_their_story(
    records: Records, written: list[DrillDetail]
) -> None:
    for detail in written[:: N // 10]:
        assert records.verify_chain(detail.drill.id).ok
    for detail in written:
        if detail.drill.status == "met":
            assert all(c.outcome == "worked" for c in detail.channel_results)
            assert not any(x.deviated for x in detail.experiments)
    statuses = {d.drill.status for d in written}
    assert {"met", "not_met", "aborted", "interrupted", "dry_run"} <= statuses
