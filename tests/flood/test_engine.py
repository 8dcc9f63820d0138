"""The engine against real servers: open model, honest latency, refusals counted."""

from __future__ import annotations

import threading
import time

import pytest

from entdrill.flood import engine
from entdrill.flood.stats import new_histogram
from tests.flood.conftest import flood
from tests.flood.servers import LiveServer, ServerState, base_app


def test_http_get_sends_exactly_the_scheduled_arrivals(server: LiveServer) -> None:
    report = flood(target=server.url, scenario="http-get", rate=40, duration=1.5)
    assert report["totals"]["asked"] == 60
    assert report["totals"]["completed"] == 60
    assert len(server.state.load()) == 60
    assert report["series"]["asked"] == [40, 20]
    assert report["scenarios"]["http-get"]["journey"]["latency_ms"]["count"] == 60
    assert report["errors"] == {}


def test_a_target_that_stalls_two_seconds_shows_the_stall_in_the_latencies(
    server: LiveServer,
) -> None:
    """Arrivals keep coming during the stall, and each is timed from its intended start."""
    server.state.stall_until = time.monotonic() + 2.0
    report = flood(target=server.url, scenario="http-get", rate=20, duration=1.0)
    latency = report["scenarios"]["http-get"]["journey"]["latency_ms"]
    assert report["totals"]["completed"] == 20
    # every arrival came during the stall: its answer waited for the stall's end
    assert latency["max"] >= 1800
    assert latency["p50"] >= 1000
    # the arrivals were not held back by the stalled answers (open model)
    stalled_requests = [s for s in server.state.load() if s.at < server.state.stall_until]
    assert len(stalled_requests) == 20


def test_arrivals_beyond_max_in_flight_are_refused_and_counted(server: LiveServer) -> None:
    server.state.stall_until = time.monotonic() + 1.5
    report = flood(target=server.url, scenario="http-get", rate=20, duration=1.0, max_in_flight=3)
    totals = report["totals"]
    assert totals["asked"] == 20
    assert totals["refused"] == 17 == report["errors"]["refused"]
    assert totals["started"] == 3 == len(server.state.load())
    assert sum(report["series"]["refused"]) == 17


def test_answers_slower_than_the_timeout_count_as_timeouts(server: LiveServer) -> None:
    server.state.stall_until = time.monotonic() + 3.0
    report = flood(target=server.url, scenario="http-get", rate=5, duration=1.0, timeout=0.5)
    assert report["errors"] == {"timeout": 5}
    assert report["scenarios"]["http-get"]["errors"] == {"timeout": 5}


def test_http_errors_are_counted_by_cause(server: LiveServer) -> None:
    report = flood(target=server.url, scenario="http-get", path="/missing", rate=5, duration=1)
    assert report["errors"] == {"http_4xx": 5}


def test_the_report_histograms_decode_to_the_recorded_counts(server: LiveServer) -> None:
    report = flood(target=server.url, scenario="http-get", rate=30, duration=1)
    histogram = new_histogram()
    histogram.decode_and_add(report["scenarios"]["http-get"]["journey"]["histogram"])
    assert histogram.get_total_count() == 30
    assert report["dispatch_lag"]["latency_ms"]["count"] == 30


def test_requests_beyond_the_connection_limit_wait_their_turn(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most MAX_CONNECTIONS requests reach libcurl at once; the others queue in the engine."""
    monkeypatch.setattr(engine, "MAX_CONNECTIONS", 2)
    server.state.stall_until = time.monotonic() + 1.5  # beyond the last arrival
    report = flood(target=server.url, scenario="http-get", rate=10, duration=1.0)
    assert report["totals"]["completed"] == 10
    assert report["errors"] == {}
    assert server.state.most_in_progress == 2
    # the 8 queued requests are timed from when they were due, not from when they left the
    # queue (the stalled server then answers each at once): the median shows the wait
    assert report["scenarios"]["http-get"]["journey"]["latency_ms"]["p50"] >= 200


def test_a_request_that_waited_for_a_connection_beyond_the_timeout_is_a_timeout(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "MAX_CONNECTIONS", 1)
    server.state.stall_until = time.monotonic() + 3.0
    started = time.monotonic()
    report = flood(target=server.url, scenario="http-get", rate=6, duration=1.0, timeout=0.5)
    assert report["errors"] == {"timeout": 6}
    assert time.monotonic() - started < 3.0  # each waited at most its own 0.5 s budget


def test_idle_connections_the_server_closes_are_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """A keep-alive connection closed by the server while idle in the pool is not reused."""
    state = ServerState()
    with LiveServer(base_app(state), keepalive_timeout=0.05) as live:
        report = flood(target=live.url, scenario="http-get", rate=4, duration=2.0)
    assert report["totals"]["completed"] == 8
    assert report["errors"] == {}
    assert len({s.client_port for s in state.load()}) >= 2  # new connections were opened


def test_consent_is_still_checked_when_every_connection_is_busy(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The consent checks never wait behind the storm's queue: a withdrawn token still stops it."""
    monkeypatch.setattr(engine, "MAX_CONNECTIONS", 1)
    server.state.stall_until = time.monotonic() + 5.0  # every journey hangs for the test

    def withdraw() -> None:
        time.sleep(1.0)
        server.state.consent_token = "another-token"

    threading.Thread(target=withdraw, daemon=True).start()
    started = time.monotonic()
    report = flood(target=server.url, scenario="http-get", rate=10, duration=10, timeout=20)
    assert report["stopped_by"].startswith("consent withdrawn")
    assert time.monotonic() - started < 4.0  # not when the stall ends


def test_refusals_are_counted_in_the_second_they_were_due(server: LiveServer) -> None:
    server.state.stall_until = time.monotonic() + 3.0  # the first three journeys hold the limit
    report = flood(
        target=server.url, scenario="http-get", rate=10, duration=2.0, max_in_flight=3, timeout=5
    )
    assert report["series"]["asked"][:2] == [10, 10]
    assert report["series"]["refused"] == [7, 10, 0]  # (the third second: the stall's end)
    assert report["totals"]["refused"] == 17 == report["scenarios"]["http-get"]["errors"]["refused"]
    assert report["totals"]["started"] == 3
    assert report["totals"]["completed"] == 3


def test_a_flood_offered_far_more_than_it_can_start_keeps_checking_consent(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A million arrivals a second against two journeys at a time: the refusals are counted in
    bulk, journeys still complete, and a withdrawn consent still stops the storm at once."""
    monkeypatch.setenv("ENTDRILL_MAX_RATE", "10000000")
    withdrawn = threading.Event()

    def withdraw() -> None:
        time.sleep(1.5)
        server.state.consent_token = "another-token"
        withdrawn.set()

    threading.Thread(target=withdraw, daemon=True).start()
    report = flood(
        target=server.url,
        scenario="http-get",
        rate=1_000_000,
        duration=6,
        max_in_flight=2,
        timeout=5,
    )
    stopped = time.monotonic()
    assert withdrawn.is_set()
    assert report["stopped_by"].startswith("consent withdrawn")
    totals = report["totals"]
    assert totals["completed"] > 10
    assert totals["refused"] > 500_000  # (withdrawn after 1.5 s, at a million a second)
    assert totals["started"] + totals["refused"] == totals["achieved"]
    assert sum(report["series"]["refused"]) == totals["refused"]
    assert report["series"]["asked"][0] == 1_000_000
    checks = [s.at for s in server.state.seen if s.path == "/.well-known/entdrill-consent"]
    assert len(checks) >= 3  # the pre-flight check and the engine's, every 0.5 s
    assert stopped - max(checks) < 1.0  # it stopped on the check that found the other token


def test_http_get_users_send_no_cookie_even_when_the_target_sets_one() -> None:
    """An http-get user makes one request: its handle has no cookie jar, so a cookie the target
    sets is not sent by the next user of the same connection and handle."""
    from aiohttp import web

    state = ServerState()
    app = base_app(state, root=False)

    async def sets_a_cookie(request: web.Request) -> web.Response:
        response = web.Response(text="hello")
        response.set_cookie("SESSION", "of-the-last-user")
        return response

    app.router.add_get("/", sets_a_cookie)
    with LiveServer(app) as live:
        report = flood(target=live.url, scenario="http-get", rate=20, duration=1.0, max_in_flight=2)
    assert report["totals"]["completed"] == 20
    assert len(state.load()) == 20
    assert all(seen.cookies == {} for seen in state.load())
    assert len({seen.client_port for seen in state.load()}) <= 3  # (handles were reused)
