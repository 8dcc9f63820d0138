"""The arrival schedule: exact, seeded arrival times, and the shards that split it.

Second ``s`` of a run holds ``round(cumulative(s + 1)) - round(cumulative(s))`` arrivals, so the
counts never drift and add up to ``round(cumulative(duration))``. Within a second the arrivals are
placed uniformly at random (the order statistics of a Poisson process with that count), from a
generator seeded by ``(seed, s)``: the same plan always yields the same arrivals, and any process
can produce any second without producing the ones before it. Each arrival also carries its
scenario (drawn from the mix) and a 32-bit draw that picks the virtual user.

Arrival ``k`` (numbered from 0 in time order) belongs to shard ``k mod N``: the N shards are
disjoint, add up to the whole schedule, and each runs 1/N of the rate at every moment.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from entdrill import textfile
from entdrill.errors import InvalidArgument
from entdrill.flood.profiles import Profile

MAX_REPLAY_OFFSET_S = 86_400.0  # a replay lasts at most a day, like any storm
MAX_REPLAY_ARRIVALS = 10_000_000

#: (index, offset in seconds from the start, scenario index in the mix, user draw)
Arrival = tuple[int, float, int, int]


@dataclass(frozen=True)
class Mix:
    """Scenario names and their weights (positive; they need not add up to 1)."""

    names: tuple[str, ...]
    weights: tuple[float, ...]

    def cumulative_weights(self) -> list[float]:
        total, acc, out = sum(self.weights), 0.0, []
        for weight in self.weights:
            acc += weight / total
            out.append(acc)
        out[-1] = 1.0
        return out

    def share(self, name: str) -> float:
        return sum(w for n, w in zip(self.names, self.weights, strict=True) if n == name) / sum(
            self.weights
        )


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (0-based index)."""

    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``I/N`` with 0 <= I < N, e.g. ``0/4``."""
        try:
            left, right = text.split("/")
            index, count = int(left), int(right)
        except ValueError:
            raise InvalidArgument(
                f"--shard must read I/N with whole numbers, e.g. 0/4, got {text!r}"
            ) from None
        if count < 1 or not 0 <= index < count:
            raise InvalidArgument(f"--shard {text}: expected 0 <= I < N and N >= 1")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class Schedule:
    """Everything that decides the arrivals: a profile (or replayed times), the mix, the seed."""

    mix: Mix
    seed: int
    duration_s: float
    profile: Profile | None = None
    replay: tuple[tuple[float, int], ...] = ()  # (offset, scenario index or -1 for "draw")

    def __post_init__(self) -> None:
        if self.profile is None and not self.replay:
            raise InvalidArgument("a schedule needs a profile or replayed arrivals")

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.duration_s))

    def expected_total(self) -> int:
        if self.profile is None:
            return sum(1 for t, _ in self.replay if t < self.duration_s)
        return _round(self.profile.cumulative(self.duration_s))

    def peak_rate(self) -> float:
        """The highest rate asked: the profile's peak, or the busiest second of a replay."""
        if self.profile is not None:
            return self.profile.peak_rate()
        return float(max(self.counts())) if self.replay else 0.0

    def counts(self) -> list[int]:
        """Arrivals asked in each second of the run (the whole schedule, every shard)."""
        if self.profile is None:
            out = [0] * self.seconds
            for t, _ in self.replay:
                if t < self.duration_s:
                    out[int(t)] += 1
            return out
        cum = self.profile.cumulative
        return [
            _round(cum(min(s + 1.0, self.duration_s))) - _round(cum(float(s)))
            for s in range(self.seconds)
        ]

    def fingerprint(self) -> str:
        """A digest of what decides the arrivals: equal digests, equal schedules."""
        body = {
            "profile": self.profile.describe() if self.profile else None,
            "replay": hashlib.sha256(repr(self.replay).encode()).hexdigest()
            if self.replay
            else None,
            "mix": [list(self.mix.names), list(self.mix.weights)],
            "seed": self.seed,
            "duration_s": self.duration_s,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]

    def describe(self) -> dict[str, object]:
        return {
            "fingerprint": self.fingerprint(),
            "profile": self.profile.describe() if self.profile else {"name": "replay"},
            "mix": dict(zip(self.mix.names, self.mix.weights, strict=True)),
            "seed": self.seed,
            "duration_s": self.duration_s,
            "total": self.expected_total(),
            "peak_rate": self.peak_rate(),
        }

    def seconds_of_arrivals(self, shard: Shard = Shard()) -> Iterator[tuple[int, list[Arrival]]]:
        """Each second of the run with the arrivals of ``shard`` in it, in time order."""
        counts = self.counts()
        index = 0
        replay_at = 0
        cum_weights = self.mix.cumulative_weights()
        single = len(cum_weights) == 1
        for second, count in enumerate(counts):
            rng = random.Random(self.seed * 1_000_003 + second)
            if self.profile is not None:
                end = min(second + 1.0, self.duration_s)
                width = end - second
                offsets = sorted(second + rng.random() * width for _ in range(count))
                forced = [-1] * count
            else:
                chunk = self.replay[replay_at : replay_at + count]
                replay_at += count
                offsets = [t for t, _ in chunk]
                forced = [s for _, s in chunk]
            batch: list[Arrival] = []
            for k in range(count):
                draw_scenario = rng.random()
                draw_user = rng.getrandbits(32)
                if (index + k) % shard.count != shard.index:
                    continue
                scenario = forced[k]
                if scenario < 0:
                    scenario = 0 if single else _pick(cum_weights, draw_scenario)
                batch.append((index + k, offsets[k], scenario, draw_user))
            index += count
            yield second, batch

    def shard_counts(self, shard: Shard) -> list[int]:
        """Arrivals asked of ``shard`` in each second."""
        return [len(batch) for _, batch in self.seconds_of_arrivals(shard)]


def _pick(cumulative: list[float], x: float) -> int:
    for i, edge in enumerate(cumulative):
        if x < edge:
            return i
    return len(cumulative) - 1


def _round(x: float) -> int:
    return math.floor(x + 0.5)


def read_arrivals(path: Path, scenario_names: tuple[str, ...]) -> tuple[tuple[float, int], ...]:
    """A replay file: one arrival a line, ``OFFSET_S`` or ``OFFSET_S,SCENARIO``; ``#`` comments.

    The scenario, when given, must be one of ``scenario_names`` (the mix); otherwise the mix
    draws it. Errors name the file and line.
    """
    lines = textfile.read_text(path, what="--arrivals", kind="arrivals").splitlines()
    out: list[tuple[float, int]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        offset_text, _, scenario = (part.strip() for part in line.partition(","))
        try:
            offset = float(offset_text)
        except ValueError:
            offset = math.nan
        if not math.isfinite(offset) or not 0 <= offset <= MAX_REPLAY_OFFSET_S:
            raise InvalidArgument(
                f"--arrivals {path}:{number}: expected an offset in seconds from 0 to "
                f"{MAX_REPLAY_OFFSET_S:g} (a day), got {offset_text!r}"
            )
        if len(out) >= MAX_REPLAY_ARRIVALS:
            raise InvalidArgument(
                f"--arrivals {path}:{number}: more than {MAX_REPLAY_ARRIVALS:,} arrivals; "
                "split the replay into several runs"
            )
        if scenario and scenario not in scenario_names:
            raise InvalidArgument(
                f"--arrivals {path}:{number}: scenario {scenario!r} is not in the mix "
                f"({', '.join(scenario_names)})"
            )
        out.append((offset, scenario_names.index(scenario) if scenario else -1))
    if not out:
        raise InvalidArgument(f"--arrivals {path}: the file holds no arrival")
    out.sort(key=lambda item: item[0])
    return tuple(out)
