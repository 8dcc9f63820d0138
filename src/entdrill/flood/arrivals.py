"""A second of arrivals held as counts, and the cursor an engine walks them with.

A :class:`Second` is what :mod:`entdrill.flood.schedule` draws for one second of a run: how many
arrivals fall in each of its 65,536 cells, as sorted cells and cumulative counts, plus one byte of
scenario and one 32-bit user draw per arrival (random bytes, not Python objects). Arrivals are
numbered by rank within the second (time order); rank ``r`` is arrival ``first + r`` of the run
and belongs to the shard ``(first + r) mod N``. Where an arrival is, how many are due by a given
time and which scenarios a range of them holds are arithmetic on the counts.

:class:`Cursor` is an engine's view: the next arrival of its shard (``due``, :meth:`Cursor.take`)
and, when the engine cannot start arrivals, :meth:`Cursor.refuse` passes every arrival due by a
given time at once and hands the books their number per scenario, whatever that number is: no
Python object, and no Python step, per refused arrival.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Literal, Protocol

CELLS = 65_536  # a second's cells: arrivals are placed to 1/65,536 s (15 µs)
REFINE = 255  # a scenario code still to refine (the high byte alone does not decide it)
MAX_SCENARIOS = 255

#: (index in the run, offset in seconds from the start, scenario index in the mix, user draw)
Arrival = tuple[int, float, int, int]


class Second:
    """One second of a run, seen from one shard (every rank is drawn; the shard's are counted)."""

    __slots__ = (
        "cells",
        "codes",
        "count",
        "draws",
        "ends",
        "first",
        "modulus",
        "offsets",
        "phase",
        "second",
        "start",
        "width",
    )

    def __init__(
        self,
        second: int,
        start: float,
        width: float,
        first: int,
        shard: tuple[int, int],
        cells: list[int],
        ends: list[int],
        codes: bytes | None,
        draws: Sequence[int],
        offsets: list[float] | None = None,
    ) -> None:
        self.second = second  # the second's number in the run
        self.start = start  # its offset from the run's start, in seconds
        self.width = width  # its length (the last second of a run may be shorter)
        self.first = first  # the run's index of its first arrival
        self.count = ends[-1] if ends else len(offsets or ())  # arrivals, every shard
        self.modulus = shard[1]
        self.phase = (shard[0] - first) % shard[1]  # the shard's ranks: r % modulus == phase
        self.cells = cells  # cells holding arrivals, ascending
        self.ends = ends  # arrivals in cells[0..i], cumulated
        self.codes = codes  # scenario of each rank (None: all scenario 0)
        self.draws = draws  # user draw of each rank
        self.offsets = offsets  # replayed offsets of each rank, instead of cells

    def next_rank(self, rank: int) -> int:
        """The shard's first rank at or after ``rank`` (``count`` or more: none left)."""
        return rank + (self.phase - rank) % self.modulus

    def ranks_between(self, low: int, high: int) -> int:
        """How many of the shard's ranks lie in ``[low, high)``."""
        m, p = self.modulus, self.phase
        return max(0, (high - p + m - 1) // m - (low - p + m - 1) // m)

    def offset(self, rank: int) -> float:
        """Where arrival ``rank`` is, in seconds from the run's start."""
        if self.offsets is not None:
            return self.offsets[rank]
        ends = self.ends
        i = bisect_right(ends, rank)
        before = ends[i - 1] if i else 0
        return (
            self.start
            + self.width * (self.cells[i] + (rank - before + 0.5) / (ends[i] - before)) / CELLS
        )

    def due_by(self, t: float) -> int:
        """How many arrivals (every shard) are at or before ``t`` seconds from the run's start."""
        if self.offsets is not None:
            return bisect_right(self.offsets, t)
        x = (t - self.start) / self.width * CELLS
        if x < 0:
            return 0
        if x >= CELLS:
            return self.count
        cell = int(x)
        i = bisect_left(self.cells, cell)
        due = self.ends[i - 1] if i else 0
        if i < len(self.cells) and self.cells[i] == cell:
            inside = self.ends[i] - due
            due += min(inside, int((x - cell) * inside + 0.5))
        # the arithmetic above may round across an arrival's own offset: settle on ``offset``
        while due < self.count and self.offset(due) <= t:
            due += 1
        while due > 0 and self.offset(due - 1) > t:
            due -= 1
        return due

    def scenario(self, rank: int) -> int:
        return 0 if self.codes is None else self.codes[rank]

    def scenarios_between(self, low: int, high: int, scenarios: int) -> list[int]:
        """The shard's ranks in ``[low, high)``, counted per scenario (in C)."""
        codes = self.codes
        if codes is None or scenarios == 1:
            return [self.ranks_between(low, high)]
        if self.modulus == 1:
            return [codes.count(code, low, high) for code in range(scenarios)]
        part = codes[self.next_rank(low) : high : self.modulus]  # one copy of the shard's codes
        return [part.count(code) for code in range(scenarios)]

    def arrivals(self) -> list[Arrival]:
        """The shard's arrivals, one tuple each (for tests and small uses, not for the engine)."""
        return [
            (self.first + r, self.offset(r), self.scenario(r), self.draws[r])
            for r in range(self.next_rank(0), self.count, self.modulus)
        ]


def draw_second(
    rng: random.Random,
    second: int,
    count: int,
    start: float,
    width: float,
    first: int,
    shard: tuple[int, int],
    cumulative_weights: tuple[float, ...],
    replay: tuple[tuple[float, int], ...] | None = None,
) -> Second:
    """Second ``second`` of a run, ``count`` arrivals drawn from ``rng`` (or ``replay``'s)."""
    cells: list[int] = []
    ends: list[int] = []
    offsets = None
    if replay is None:
        tally = Counter(_little_endian("H", rng.randbytes(2 * count)))  # a cell per arrival
        cells = sorted(tally)
        ends = list(itertools.accumulate(map(tally.__getitem__, cells)))
    else:
        offsets = [offset for offset, _ in replay]
    codes = _codes(rng, count, cumulative_weights)
    if replay is not None and any(forced >= 0 for _, forced in replay):
        patched = bytearray(codes or bytes(count))
        for rank, (_, forced) in enumerate(replay):
            if forced >= 0:
                patched[rank] = forced
        codes = bytes(patched)
    draws = _little_endian("I", rng.randbytes(4 * count))
    return Second(second, start, width, first, shard, cells, ends, codes, draws, offsets)


def _little_endian(typecode: Literal["H", "I"], data: bytes) -> Sequence[int]:
    """``data`` read as little-endian unsigned integers, whatever the machine's byte order
    (so that every shard of a run, wherever it runs, draws the same arrivals)."""
    if sys.byteorder == "little":
        return memoryview(data).cast(typecode)
    values = array(typecode, data)
    values.byteswap()
    return values


def _codes(rng: random.Random, count: int, cumulative: tuple[float, ...]) -> bytes | None:
    """A scenario code per arrival: a random 16-bit value against the mix's cumulative weights.

    The high byte decides through a table unless a weight's edge falls inside its bucket; those
    (at most one bucket per scenario) are refined with the low byte.
    """
    if len(cumulative) == 1:
        return None
    high, low = rng.randbytes(count), rng.randbytes(count)
    codes = bytearray(high.translate(_table(cumulative)))
    at = codes.find(REFINE)
    while at >= 0:
        codes[at] = pick(cumulative, (high[at] * 256 + low[at] + 0.5) / CELLS)
        at = codes.find(REFINE, at + 1)
    return bytes(codes)


@functools.lru_cache(maxsize=32)
def _table(cumulative: tuple[float, ...]) -> bytes:
    if len(cumulative) > MAX_SCENARIOS:
        raise ValueError(f"a mix holds at most {MAX_SCENARIOS} scenarios")
    out = bytearray(256)
    for bucket in range(256):
        lowest = pick(cumulative, (bucket * 256 + 0.5) / CELLS)
        highest = pick(cumulative, (bucket * 256 + 255.5) / CELLS)
        out[bucket] = lowest if lowest == highest else REFINE
    return bytes(out)


def pick(cumulative: tuple[float, ...], x: float) -> int:
    """The scenario whose share of ``[0, 1)`` holds ``x``."""
    return min(bisect_right(cumulative, x), len(cumulative) - 1)


class Books(Protocol):
    """Where a cursor reports what it passed (the engine's stats)."""

    def asked(self, second: int, counts: list[int]) -> None: ...

    def refused(self, second: int, counts: list[int]) -> None: ...


class Cursor:
    """A shard's next arrival through the seconds of a run; refusals passed in bulk."""

    def __init__(self, seconds: Iterator[Second], scenarios: int, books: Books) -> None:
        self._seconds = seconds
        self.scenarios = scenarios
        self.books = books
        self.current: Second | None = None
        self.rank = 0  # the shard's next rank in ``current``
        self.due = math.inf  # its offset from the run's start (inf: no arrival left)
        self._cell = 0  # the index in ``current.ends`` of the cell holding ``rank``
        self._next_second()

    @property
    def finished(self) -> bool:
        return self.current is None

    def _next_second(self) -> None:
        """Move to the next second that holds an arrival of the shard (asking for each passed)."""
        for second in self._seconds:
            self.books.asked(
                second.second, second.scenarios_between(0, second.count, self.scenarios)
            )
            rank = second.next_rank(0)
            if rank < second.count:
                self.current = second
                self._move(rank)
                return
        self.current, self.due = None, math.inf

    def _move(self, rank: int) -> None:
        second = self.current
        assert second is not None
        if rank < second.count:
            self.rank, self.due = rank, second.offset(rank)
            self._cell = bisect_right(second.ends, rank)
        else:
            self._next_second()

    def take(self) -> Arrival:
        """The next arrival (``due`` must be finite); the cursor moves past it."""
        second = self.current
        assert second is not None
        rank = self.rank
        codes = second.codes
        arrival = (
            second.first + rank,
            self.due,
            0 if codes is None else codes[rank],
            second.draws[rank],
        )
        rank += second.modulus
        if rank >= second.count:
            self._next_second()
        elif second.offsets is not None:
            self.rank, self.due = rank, second.offsets[rank]
        else:  # (the offset of ``Second.offset``, found from the last cell on)
            ends = second.ends
            cell = self._cell
            if ends[cell] <= rank:
                cell = self._cell = bisect_right(ends, rank, cell)
            before = ends[cell - 1] if cell else 0
            spread = (rank - before + 0.5) / (ends[cell] - before)
            self.rank = rank
            self.due = second.start + second.width * (second.cells[cell] + spread) / CELLS
        return arrival

    def refuse(self, until: float) -> int:
        """Pass every arrival at or before ``until`` (seconds from the start); return how many.

        Each second's refusals go to the books at once, counted per scenario.
        """
        refused = 0
        while self.due <= until:
            second = self.current
            assert second is not None
            end = max(self.rank + 1, second.due_by(until))
            counts = second.scenarios_between(self.rank, end, self.scenarios)
            self.books.refused(second.second, counts)
            refused += sum(counts)
            self._move(second.next_rank(end))
        return refused
