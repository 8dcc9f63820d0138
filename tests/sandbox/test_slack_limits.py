"""Slack's rate-limit tiers and the forced failures of the sandbox's Slack API, without sockets."""

from __future__ import annotations

import pytest

from entdrill.sandbox.slack_limits import (
    Force,
    ForcedFailures,
    Rate,
    RateLimiter,
    TokenBucket,
    parse_force,
)


def test_a_bucket_allows_its_burst_then_one_call_per_refill_interval() -> None:
    bucket = TokenBucket(Rate(per_minute=60, burst=3), now=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(0.0) == pytest.approx(1.0)
    assert bucket.take(0.5) == pytest.approx(0.5)
    assert bucket.take(1.0) == 0.0


def test_post_message_is_limited_per_channel_and_each_token_has_its_own_budget() -> None:
    limiter = RateLimiter()
    waits = [limiter.check("bot", "chat.postMessage", 0.0, channel="C1") for _ in range(6)]
    assert waits[:4] == [0, 0, 0, 0] and waits[4] >= 1
    assert limiter.check("bot", "chat.postMessage", 0.0, channel="C2") == 0
    assert limiter.check("U1", "chat.postMessage", 0.0, channel="C1") == 0
    assert limiter.check("bot", "chat.postMessage", 2.0, channel="C1") == 0


def test_tier_two_methods_run_out_before_tier_four_ones() -> None:
    limiter = RateLimiter()
    tier2 = [limiter.check("bot", "users.list", 0.0) for _ in range(15)]
    tier4 = [limiter.check("bot", "users.info", 0.0) for _ in range(15)]
    assert any(tier2) and not any(tier4)
    assert max(tier2) == 3  # 20 per minute: one call every 3 s once the burst is spent


def test_a_disabled_limiter_lets_everything_through() -> None:
    limiter = RateLimiter(enabled=False)
    assert not any(limiter.check("bot", "users.list", 0.0) for _ in range(100))


def test_forced_failures_are_spent_one_call_at_a_time_in_order() -> None:
    forced = ForcedFailures()
    forced.add(Force("chat.postMessage", count=2, status=429, retry_after=3))
    forced.add(Force("chat.postMessage", count=1, mode="accept_then_fail"))
    taken = [forced.take("chat.postMessage") for _ in range(4)]
    assert [f.mode if f else None for f in taken] == ["fail", "fail", "accept_then_fail", None]
    assert taken[0] is not None and taken[0].retry_after == 3
    assert forced.take("reactions.add") is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"method": "chat.nope", "count": 1}, "method must be one of"),
        ({"method": "chat.postMessage", "count": -1}, "count must be"),
        ({"method": "chat.postMessage", "status": 404}, "status must be one of"),
        ({"method": "chat.postMessage", "mode": "explode"}, "mode must be one of"),
        ({"method": "chat.postMessage", "when": "now"}, "unknown field"),
    ],
)
def test_a_bad_force_request_is_refused_with_a_sentence(body: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_force(body, {"chat.postMessage"})


def test_a_force_defaults_to_a_429_and_accept_modes_to_a_500() -> None:
    assert parse_force({"method": "auth.test"}, {"auth.test"}).status == 429
    accept = parse_force({"method": "auth.test", "mode": "accept_then_fail"}, {"auth.test"})
    assert accept.status == 500
