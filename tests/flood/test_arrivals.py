"""A second of arrivals held as counts: placement, exact bulk refusals, nothing per refusal."""

from __future__ import annotations

import tracemalloc
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entdrill.flood import profiles
from entdrill.flood.arrivals import Cursor
from entdrill.flood.schedule import Mix, Schedule, Shard

MIX = Mix(("pupil", "parent", "teacher"), (6.0, 3.0, 1.0))


class Books:
    """What a cursor reported: asked and refused, per (second, scenario)."""

    def __init__(self) -> None:
        self.asked: Counter[tuple[int, int]] = Counter()
        self.refused: Counter[tuple[int, int]] = Counter()
        self.refusal_calls = 0

    def asked_in(self, second: int, counts: list[int]) -> None:
        for scenario, count in enumerate(counts):
            self.asked[second, scenario] += count

    def refused_in(self, second: int, counts: list[int]) -> None:
        self.refusal_calls += 1
        for scenario, count in enumerate(counts):
            self.refused[second, scenario] += count


class CursorBooks:
    def __init__(self, books: Books) -> None:
        self.asked, self.refused = books.asked_in, books.refused_in


def constant(rate: float, duration: float, seed: int = 7, mix: Mix = MIX) -> Schedule:
    profile = profiles.build("constant", duration_s=duration, rate=rate)
    return Schedule(mix, seed, duration, profile=profile)


@settings(max_examples=30, deadline=None)
@given(count=st.integers(1, 3000), seed=st.integers(0, 2**31), width=st.floats(0.05, 1.0))
def test_every_arrival_is_counted_as_due_from_its_own_offset_on(
    count: int, seed: int, width: float
) -> None:
    schedule = constant(count / width, width, seed)
    (second,) = schedule.drawn_seconds()
    assert second.count == count
    offsets = [second.offset(r) for r in range(count)]
    assert offsets == sorted(offsets)
    assert all(0 <= t < width for t in offsets)
    for rank in range(0, count, max(1, count // 97)):
        assert second.due_by(offsets[rank]) >= rank + 1
        assert second.due_by(offsets[rank] - 1e-9) <= rank
    assert second.due_by(-1.0) == 0 and second.due_by(width) == count


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    shards=st.integers(1, 4),
    cuts=st.lists(st.floats(0.0, 3.2), min_size=1, max_size=12),
    takes=st.lists(st.integers(0, 3), min_size=12, max_size=12),
)
def test_refusals_in_bulk_are_exactly_the_arrivals_due_and_not_taken(
    seed: int, shards: int, cuts: list[float], takes: list[int]
) -> None:
    """Per second and per scenario, what the cursor refuses in bulk is what one-by-one
    bookkeeping of the materialized arrivals would have refused."""
    schedule = constant(400, 3.0, seed)
    for index in range(shards):
        shard = Shard(index, shards)
        books = Books()
        cursor = Cursor(schedule.drawn_seconds(shard), 3, CursorBooks(books))
        taken: set[int] = set()
        for until, take in zip(sorted(cuts), takes, strict=False):
            for _ in range(take):
                if cursor.due <= until:
                    taken.add(cursor.take()[0])
            cursor.refuse(until)
            assert cursor.due > until
        last = max(cuts)
        expected: Counter[tuple[int, int]] = Counter()
        asked: Counter[tuple[int, int]] = Counter()
        for second, batch in schedule.seconds_of_arrivals(shard):
            for index_, offset, scenario, _ in batch:
                asked[second, scenario] += 1
                if offset <= last and index_ not in taken:
                    expected[second, scenario] += 1
        assert books.refused == expected
        reached = 3 if cursor.finished else cursor.current.second + 1  # type: ignore[union-attr]
        assert +books.asked == +Counter({k: v for k, v in asked.items() if k[0] < reached})


def test_taken_arrivals_are_the_materialized_ones_in_order() -> None:
    schedule = constant(500, 2.0, 3)
    books = Books()
    cursor = Cursor(schedule.drawn_seconds(Shard(1, 3)), 3, CursorBooks(books))
    taken = []
    while not cursor.finished:
        taken.append(cursor.take())
    assert taken == [a for _, batch in schedule.seconds_of_arrivals(Shard(1, 3)) for a in batch]
    assert books.refusal_calls == 0


@pytest.mark.parametrize("mix", [MIX, Mix(("http-get",), (1.0,))])
def test_refusing_a_million_arrivals_allocates_nothing_per_refusal(mix: Mix) -> None:
    """Counting refusals is arithmetic on the second's counts: a million of them cost a few
    small objects (a million Python objects would take tens of megabytes)."""
    schedule = constant(1_000_000, 1.0, 11, mix)
    books = Books()
    cursor = Cursor(schedule.drawn_seconds(Shard(0, 2)), len(mix.names), CursorBooks(books))
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        refused = cursor.refuse(0.9)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 449_000 < refused < 451_000  # the shard's half of 90 % of the second
    assert sum(books.refused.values()) == refused
    assert books.refusal_calls == 1
    assert peak - before < 600_000  # at most one byte per refused arrival (a codes slice)


def test_the_mix_is_drawn_in_proportion_to_its_weights_to_a_few_parts_in_ten_thousand() -> None:
    books = Books()
    cursor = Cursor(constant(200_000, 2.0, 5).drawn_seconds(), 3, CursorBooks(books))
    cursor.refuse(2.0)  # through both seconds
    asked = [sum(books.asked[s, scenario] for s in (0, 1)) for scenario in range(3)]
    assert sum(asked) == 400_000
    for count, share in zip(asked, (0.6, 0.3, 0.1), strict=True):
        assert count / 400_000 == pytest.approx(share, abs=0.003)
