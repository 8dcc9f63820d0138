"""The engine against real servers: open model, honest latency, refusals counted."""

from __future__ import annotations

import time

from entdrill.flood.stats import new_histogram
from tests.flood.conftest import flood
from tests.flood.servers import LiveServer


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
