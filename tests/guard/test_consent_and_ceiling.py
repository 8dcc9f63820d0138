"""Consent (before the first request and during the storm) and the rate ceiling."""

from __future__ import annotations

import threading
import time

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.errors import GuardRefusal
from tests.flood.conftest import TOKEN, flood
from tests.flood.servers import CONSENT_PATH, LiveServer


def test_no_token_is_refused_before_any_request(server: LiveServer) -> None:
    with pytest.raises(GuardRefusal, match="no consent token given") as caught:
        flood(token="", target=server.url, scenario="http-get", rate=1, duration=1)
    assert caught.value.rule == "consent"
    assert server.state.seen == []


def test_a_wrong_token_is_refused_and_only_the_consent_path_was_read(server: LiveServer) -> None:
    with pytest.raises(GuardRefusal, match=r"gives no consent .the target serves another"):
        flood(token="not-the-token", target=server.url, scenario="http-get", rate=1, duration=1)
    assert [s.path for s in server.state.seen] == [CONSENT_PATH]


def test_a_target_without_consent_endpoint_is_refused(server: LiveServer) -> None:
    server.state.consent_token = None
    with pytest.raises(GuardRefusal, match="consent endpoint answers HTTP 404"):
        flood(target=server.url, scenario="http-get", rate=1, duration=1)
    assert server.state.load() == []


def test_a_token_withdrawn_mid_storm_stops_it_within_two_seconds(server: LiveServer) -> None:
    withdrawn_at: list[float] = []

    def withdraw() -> None:
        while len(server.state.load()) < 20:
            time.sleep(0.01)
        withdrawn_at.append(time.monotonic())
        server.state.consent_token = "withdrawn"

    threading.Thread(target=withdraw, daemon=True).start()
    report = flood(target=server.url, scenario="http-get", rate=20, duration=30)
    assert report["stopped_by"].startswith("consent withdrawn")
    late = [s for s in server.state.load() if s.at > withdrawn_at[0] + 2.0]
    assert late == []
    assert report["totals"]["asked"] < 600


def test_a_plan_above_the_rate_ceiling_is_refused(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTDRILL_MAX_RATE", "50")
    with pytest.raises(
        GuardRefusal, match="peaks at 100 arrivals/s, above the ceiling of 50/s"
    ) as caught:
        flood(target=server.url, scenario="http-get", profile="spike", normal_rate=10, duration=4)
    assert caught.value.rule == "rate ceiling"
    assert server.state.seen == []


def test_the_cli_says_which_rule_refused_and_exits_3(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTDRILL_MAX_RATE", "5")
    result = CliRunner().invoke(
        cli,
        [
            "flood",
            "--target",
            server.url,
            "--scenario",
            "http-get",
            "--rate",
            "6",
            "--duration",
            "1",
            "--consent-token",
            TOKEN,
        ],
    )
    assert result.exit_code == 3
    assert result.output.startswith("Error: refused by the rate ceiling")
