"""The video-bridge activities as Chaos Toolkit sees them: discovery, errors, probes, tolerances."""

from __future__ import annotations

from pathlib import Path

import pytest
from chaoslib.exceptions import ActivityFailed

from actions.video import actions as video_actions
from actions.video import probes as video_probes
from actions.video.tolerances import met_within
from entdrill.faults.ledger import Ledger
from entdrill.testing import free_config, free_port, prepare_sandbox_dir


def test_refused_arguments_are_activity_failures_naming_them(tmp_path: Path) -> None:
    prepare_sandbox_dir(tmp_path / "sandbox", free_config())
    configuration = {"sandbox_dir": str(tmp_path / "sandbox")}
    with pytest.raises(
        ActivityFailed, match="latency_ms: expected 0 to 600000 milliseconds, got -1"
    ):
        video_actions.degrade_bridge(latency_ms=-1, configuration=configuration)
    with pytest.raises(ActivityFailed, match="error_ratio: expected a share from 0 to 1, got 2"):
        video_actions.degrade_bridge(error_ratio=2, configuration=configuration)
    with pytest.raises(ActivityFailed, match="bridge: unknown component 'main'"):
        video_actions.bridge_down(bridge="main", configuration=configuration)
    with pytest.raises(ActivityFailed, match="bridge is not running, so it cannot be broken"):
        video_actions.bridge_down(configuration=configuration)
    assert Ledger().entries() == []


def test_a_class_cannot_meet_when_both_bridges_refuse_and_each_attempt_says_why() -> None:
    configuration = {
        "bridge_url": f"http://127.0.0.1:{free_port()}/bigbluebutton/api",
        "bridge_secret": "secret-one",
        "backup_bridge_url": f"http://127.0.0.1:{free_port()}/bigbluebutton/api",
        "backup_bridge_secret": "secret-two",
    }
    result = video_probes.class_can_meet(timeout_s=2.0, configuration=configuration)
    assert (result["ok"], result["bridge"]) == (False, None)
    assert "bridge unreachable" in result["primary"]["error"]
    assert "bridge unreachable" in result["backup"]["error"]
    backup = video_probes.backup_bridge_join(timeout_s=2.0, configuration=configuration)
    assert backup["ok"] is False and backup["bridge"] == configuration["backup_bridge_url"]


def test_probes_without_bridge_settings_fail_with_the_missing_key() -> None:
    with pytest.raises(ActivityFailed, match="No backup_bridge_url or backup_bridge_secret"):
        video_probes.backup_bridge_join(configuration={})


@pytest.mark.parametrize(
    ("value", "met"),
    [
        ({"ok": True, "seconds": 1.2}, True),
        ({"ok": True, "seconds": 3.0}, True),
        ({"ok": True, "seconds": 3.5}, False),
        ({"ok": False, "seconds": 0.1}, False),
        ({}, False),
    ],
)
def test_a_join_meets_the_budget_only_when_it_succeeded_in_time(value: dict, met: bool) -> None:
    assert met_within(value, max_seconds=3.0) is met
