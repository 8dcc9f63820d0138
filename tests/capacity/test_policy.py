"""The step policy: a rising ladder that stops at the first broken step, then refines below it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from entdrill.capacity import SearchSettings, StepPolicy, ladder
from entdrill.capacity.policy import Done, breaking, outcome, sustained


def run(settings: SearchSettings, limit: float) -> list[Done]:
    """Poll the policy against a target that holds every rate up to ``limit`` exactly."""
    policy, done = StepPolicy(settings), []
    while (step := policy.tick(done)) is not None:
        done.append(Done(step.rate, step.rate <= limit, step.phase))
        assert len(done) < 100
    return done


def test_the_geometric_ladder_runs_from_from_to_to_by_the_factor() -> None:
    assert ladder(SearchSettings(start=10, stop=100, factor=2)) == [10, 20, 40, 80, 100]
    assert ladder(SearchSettings(start=20, stop=300)) == [20, 30, 45, 67.5, 101, 152, 228, 300]


def test_steps_give_evenly_spaced_rates_both_ends_included() -> None:
    assert ladder(SearchSettings(start=10, stop=50, steps=5)) == [10, 20, 30, 40, 50]


def test_the_ladder_stops_at_the_first_broken_step_and_refines_below_it() -> None:
    done = run(SearchSettings(start=10, stop=1000, factor=2, refine=2), limit=100)
    assert [(d.rate, d.held, d.phase) for d in done] == [
        (10, True, "ladder"),
        (20, True, "ladder"),
        (40, True, "ladder"),
        (80, True, "ladder"),
        (160, False, "ladder"),
        (113, False, "refine"),
        (95.1, True, "refine"),
    ]
    assert sustained(done) == 95.1
    assert breaking(done) == 113
    assert outcome(done, SearchSettings(start=10, stop=1000), stopped=False) == "knee"


def test_no_refinement_when_asked_for_none() -> None:
    done = run(SearchSettings(start=10, stop=1000, factor=2, refine=0), limit=100)
    assert [d.rate for d in done] == [10, 20, 40, 80, 160]


def test_a_first_step_that_breaks_ends_the_search_at_once() -> None:
    settings = SearchSettings(start=10, stop=1000, factor=2)
    done = run(settings, limit=5)
    assert [(d.rate, d.held) for d in done] == [(10, False)]
    assert sustained(done) is None and breaking(done) == 10
    assert outcome(done, settings, stopped=False) == "broke_at_min"


def test_a_target_that_holds_everything_is_offered_the_whole_ladder_once() -> None:
    settings = SearchSettings(start=10, stop=100, factor=2)
    done = run(settings, limit=10_000)
    assert [d.rate for d in done] == [10, 20, 40, 80, 100]
    assert sustained(done) == 100 and breaking(done) is None
    assert outcome(done, settings, stopped=False) == "held_to_max"
    assert outcome(done[:2], settings, stopped=True) == "stopped"


@given(
    start=st.floats(1, 100),
    span=st.floats(1.5, 50),
    factor=st.floats(1.05, 4),
    refine=st.integers(0, 6),
    where=st.floats(0, 1),
)
def test_never_more_than_one_step_past_the_first_broken_and_the_knee_brackets_the_limit(
    start: float, span: float, factor: float, refine: int, where: float
) -> None:
    settings = SearchSettings(start=start, stop=start * span, factor=factor, refine=refine)
    limit = start * span**where
    done = run(settings, limit)
    first_broken = next((d.rate for d in done if not d.held), None)
    if first_broken is not None:
        assert all(d.rate <= first_broken for d in done)
        assert [d for d in done if d.rate > limit and d.phase == "ladder"] == [
            next(d for d in done if not d.held)
        ]
    low, high = sustained(done), breaking(done)
    if low is not None:
        assert low <= limit
    if high is not None:
        assert high > limit
    if low is not None and high is not None:
        assert low < high
