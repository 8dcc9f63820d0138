"""Login under storm (the latest storm at each multiple decides) and the pass/fail services."""

from __future__ import annotations

from entdrill.review.measures import read_storm, read_trial
from entdrill.review.services import login_readiness, trial_readiness

from .support import at, experiment, storm

LOGIN = {"as_of": at(60), "required": 100.0}


def storms(*records):  # type: ignore[no-untyped-def]
    return [s for r in records if (s := read_storm(r)) is not None]


def test_the_highest_multiple_held_and_the_first_broken_come_from_the_latest_storms() -> None:
    login = login_readiness(
        storms(
            storm("a", "d1", 10, 150.0, day=0),
            storm("b", "d1", 100, 9000.0, success=0.6, day=0),  # broke at 100x...
            storm("c", "d2", 100, 900.0, day=30),  # ...then held there
            storm("d", "d2", 300, 1500.0, day=31),
            storm("e", "d3", 1000, 25000.0, success=0.3, day=40),
        ),
        0,
        {},
        **LOGIN,
    )
    assert [s.multiple for s in login.steps] == [10, 100, 300, 1000]
    assert login.highest_held is not None and login.highest_held.multiple == 300
    assert login.highest_held.latest.p95_ms == 1500.0
    assert login.first_broken is not None and login.first_broken.multiple == 1000
    hundred = login.steps[1]
    assert (hundred.storms, hundred.held, hundred.median_p95_ms) == (2, 1, 4950.0)


def test_a_break_below_a_held_multiple_is_reported_as_the_first_broken() -> None:
    login = login_readiness(
        storms(storm("a", "d", 30, 3000.0, day=5), storm("b", "d", 100, 800.0, day=6)),
        0,
        {},
        **LOGIN,
    )
    assert login.highest_held is not None and login.highest_held.multiple == 100
    assert login.first_broken is not None and login.first_broken.multiple == 30


def test_logins_that_never_held_have_no_highest_multiple() -> None:
    login = login_readiness(storms(storm("a", "d", 10, 5000.0)), 1, {}, **LOGIN)
    assert login.highest_held is None
    assert login.first_broken is not None and login.first_broken.multiple == 10
    assert login.not_concluded == 1
    assert login.score.value == 0.0


def test_no_storm_gives_no_steps_and_no_score() -> None:
    login = login_readiness([], 0, {}, **LOGIN)
    assert login.steps == () and login.highest_held is None and login.score.value is None


def test_the_charted_storms_take_their_per_second_series_in_either_shape() -> None:
    runner = {
        "t_s": [0, 1],
        "offered_per_s": [10, 20],
        "errors_per_s": [0, 1],
        "p95_ms": [100, 200],
    }
    flood = {"asked": [5, 6, 7], "failed": [0, 0, 2], "achieved": [5, 6, 7]}
    login = login_readiness(
        storms(storm("held", "d", 10, 100.0), storm("broke", "d", 100, 9000.0)),
        0,
        {"held": runner, "broke": flood},
        **LOGIN,
    )
    first, second = login.series
    assert first.storm.experiment_id == "held" and "highest multiple held" in first.why
    assert first.offered_per_s == (10.0, 20.0) and first.p95_ms == (100.0, 200.0)
    assert second.storm.experiment_id == "broke"
    assert second.t_s == (0.0, 1.0, 2.0)
    assert second.errors_per_s == (0.0, 0.0, 2.0) and second.p95_ms == (None, None, None)


def test_a_pass_fail_service_counts_passes_and_keeps_the_latest_failure() -> None:
    trials = [
        t
        for r in (
            experiment("a", "d1", "server_loss", {"survived": False}, day=0),
            experiment("b", "d2", "server_loss", {"survived": False}, day=10),
            experiment("c", "d3", "server_loss", {"survived": True}, day=20),
        )
        if (t := read_trial(r)) is not None
    ]
    view = trial_readiness("server_loss", trials, 2, as_of=at(20))
    assert (view.tests, view.passed, view.not_concluded) == (3, 1, 2)
    assert view.latest is not None and view.latest.experiment_id == "c"
    assert view.latest_failure is not None and view.latest_failure.experiment_id == "b"
