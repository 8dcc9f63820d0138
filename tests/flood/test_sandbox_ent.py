"""The scenarios against the real sandbox: its CAS 3.0 server, portal and video bridge."""

from __future__ import annotations

from typing import Any

import pytest

from tests.flood.conftest import flood


@pytest.mark.parametrize("scenario", ["pupil-login", "parent-login", "teacher-login"])
def test_login_scenarios_log_in_through_the_sandbox_cas_and_open_a_page(
    sandbox: dict[str, Any], scenario: str
) -> None:
    report = flood(
        token=sandbox["consent_token"],
        target=sandbox["ent_url"],
        scenario=scenario,
        users=sandbox["population_csv"],
        rate=6,
        duration=1,
    )
    result = report["scenarios"][scenario]
    assert report["errors"] == {}
    assert result["completed"] == 6
    assert result["steps"]["credentials"]["count"] == 6
    assert result["steps"]["app-page"]["count"] == 6
    assert result["login"]["latency_ms"]["count"] == 6


def test_credential_stuffing_is_rejected_by_the_sandbox_cas(sandbox: dict[str, Any]) -> None:
    report = flood(
        token=sandbox["consent_token"],
        target=sandbox["ent_url"],
        scenario="credential-stuffing",
        users=sandbox["population_csv"],
        rate=6,
        duration=1,
    )
    assert report["errors"] == {}
    assert report["scenarios"]["credential-stuffing"]["completed"] == 6


def test_video_join_joins_classes_on_the_sandbox_bridge(
    sandbox: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTDRILL_BRIDGE_SECRET", sandbox["bridge_secret"])
    report = flood(
        token=sandbox["consent_token"],
        target=sandbox["ent_url"],
        bridge_url=sandbox["bridge_url"],
        scenario="video-join",
        rate=6,
        duration=1,
    )
    assert report["errors"] == {}
    assert report["scenarios"]["video-join"]["completed"] == 6
