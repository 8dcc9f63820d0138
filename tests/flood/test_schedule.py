"""The arrival schedule is exact and seeded; shards split it without loss or overlap."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entdrill.errors import InvalidArgument
from entdrill.flood import profiles
from entdrill.flood.schedule import Mix, Schedule, Shard, read_arrivals

ONE = Mix(("http-get",), (1.0,))
WHOLE = Shard()


def ramp_schedule(rate: float, to: float, duration: float, seed: int, mix: Mix = ONE) -> Schedule:
    profile = profiles.build("ramp", duration_s=duration, rate=rate, to=to)
    return Schedule(mix, seed, duration, profile=profile)


def all_arrivals(schedule: Schedule, shard: Shard = WHOLE) -> list[tuple[int, float, int, int]]:
    return [a for _, batch in schedule.seconds_of_arrivals(shard) for a in batch]


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(0.5, 200),
    to=st.floats(0.5, 200),
    duration=st.floats(0.5, 12),
    seed=st.integers(0, 2**31),
    count=st.integers(1, 7),
)
def test_shard_slices_are_disjoint_and_add_up_to_the_whole_schedule(
    rate: float, to: float, duration: float, seed: int, count: int
) -> None:
    schedule = ramp_schedule(rate, to, duration, seed, Mix(("a", "b"), (3.0, 1.0)))
    whole = all_arrivals(schedule)
    slices = [all_arrivals(schedule, Shard(i, count)) for i in range(count)]
    indices = [a[0] for part in slices for a in part]
    assert len(indices) == len(set(indices))  # none twice
    assert sorted(a for part in slices for a in part) == sorted(whole)  # nothing lost or changed
    sizes = [len(part) for part in slices]
    assert max(sizes) - min(sizes) <= 1  # each shard carries its share


@settings(max_examples=40, deadline=None)
@given(rate=st.floats(0.1, 500), duration=st.floats(0.2, 20), seed=st.integers(0, 2**31))
def test_arrivals_add_up_to_the_rounded_integral_of_the_profile(
    rate: float, duration: float, seed: int
) -> None:
    schedule = ramp_schedule(rate, rate * 2, duration, seed)
    arrivals = all_arrivals(schedule)
    assert len(arrivals) == schedule.expected_total() == sum(schedule.counts())
    assert [a[0] for a in arrivals] == list(range(len(arrivals)))
    offsets = [a[1] for a in arrivals]
    assert offsets == sorted(offsets)
    assert all(0 <= t < duration for t in offsets)


def test_the_same_seed_gives_the_same_arrivals_and_another_seed_other_ones() -> None:
    a = all_arrivals(ramp_schedule(50, 50, 3, seed=7))
    assert a == all_arrivals(ramp_schedule(50, 50, 3, seed=7))
    assert a != all_arrivals(ramp_schedule(50, 50, 3, seed=8))


def test_a_constant_schedule_asks_exactly_the_rate_in_each_second() -> None:
    schedule = Schedule(ONE, 1, 5, profile=profiles.build("constant", duration_s=5, rate=33))
    assert schedule.counts() == [33] * 5


def test_the_mix_draws_scenarios_in_proportion_to_their_weights() -> None:
    schedule = ramp_schedule(1000, 1000, 10, 3, Mix(("a", "b"), (8.0, 2.0)))
    scenarios = [a[2] for a in all_arrivals(schedule)]
    assert scenarios.count(1) / len(scenarios) == pytest.approx(0.2, abs=0.02)


def test_schedules_with_different_seeds_have_different_fingerprints() -> None:
    assert ramp_schedule(5, 5, 3, 1).fingerprint() != ramp_schedule(5, 5, 3, 2).fingerprint()
    assert ramp_schedule(5, 5, 3, 1).fingerprint() == ramp_schedule(5, 5, 3, 1).fingerprint()


def test_a_replay_file_is_read_sorted_with_its_scenarios(tmp_path: Path) -> None:
    path = tmp_path / "arrivals.txt"
    path.write_text("# recorded on 2021-04-06\n1.5,b\n0.25\n\n0.5,a\n")
    replay = read_arrivals(path, ("a", "b"))
    assert replay == ((0.25, -1), (0.5, 0), (1.5, 1))
    schedule = Schedule(Mix(("a", "b"), (1.0, 1.0)), 1, 2.0, replay=replay)
    arrivals = all_arrivals(schedule)
    assert [a[1] for a in arrivals] == [0.25, 0.5, 1.5]
    assert [a[2] for a in arrivals][1:] == [0, 1]
    assert schedule.peak_rate() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("0.5\nsoon\n", r"arrivals.txt:2: expected an offset in seconds"),
        ("-1\n", r"arrivals.txt:1: expected an offset"),
        ("1,video-join\n", r"arrivals.txt:1: scenario 'video-join' is not in the mix"),
        ("# nothing\n", "holds no arrival"),
    ],
)
def test_a_bad_replay_file_is_refused_naming_file_and_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "arrivals.txt"
    path.write_text(content)
    with pytest.raises(InvalidArgument, match=message):
        read_arrivals(path, ("a",))


@pytest.mark.parametrize("text", ["4/4", "-1/2", "1", "a/b", "0/0"])
def test_a_bad_shard_is_refused(text: str) -> None:
    with pytest.raises(InvalidArgument, match="--shard"):
        Shard.parse(text)
