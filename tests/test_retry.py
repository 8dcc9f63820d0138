"""Retry with a capped exponential backoff: the attempts yielded and the sleeps between them."""

import pytest

from entdrill import retry


def test_delay_doubles_from_the_base_and_stops_at_the_cap() -> None:
    waits = [retry.delay(n, base_s=1.5, cap_s=10.0) for n in range(1, 6)]
    assert waits == [1.5, 3.0, 6.0, 10.0, 10.0]


def test_delay_default_cap_is_ten_seconds() -> None:
    assert retry.delay(20, base_s=1.0) == 10.0 == retry.DEFAULT_CAP_S


def test_attempts_sleep_the_backoff_between_attempts_never_before_the_first_nor_after_the_last() -> (
    None
):
    slept: list[float] = []
    seen = []
    for attempt in retry.attempts(4, base_s=0.5, cap_s=1.5, sleep=slept.append):
        seen.append((attempt, list(slept)))
    assert seen == [(1, []), (2, [0.5]), (3, [0.5, 1.0]), (4, [0.5, 1.0, 1.5])]
    assert slept == [0.5, 1.0, 1.5]


def test_attempts_stop_sleeping_once_the_caller_succeeds() -> None:
    slept: list[float] = []
    calls = iter([ConnectionError("refused"), ConnectionError("refused"), "sent"])

    def send() -> str:
        outcome = next(calls)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def send_with_retries() -> tuple[str, int]:
        for attempt in retry.attempts(5, base_s=1.0, sleep=slept.append):
            try:
                return send(), attempt
            except ConnectionError:
                continue
        raise AssertionError("every attempt failed")

    assert send_with_retries() == ("sent", 3)
    assert slept == [1.0, 2.0]


@pytest.mark.parametrize("max_attempts", [0, -3, 1])
def test_attempts_make_at_least_one_attempt(max_attempts: int) -> None:
    slept: list[float] = []
    assert list(retry.attempts(max_attempts, base_s=1.0, sleep=slept.append)) == [1]
    assert slept == []
