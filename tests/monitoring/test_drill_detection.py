"""A bridge outage drill on a sandbox with real Prometheus and Alertmanager on loopback: the
alert fires, the drill records ``detected_after_s``; and a plan expecting detection is refused
before it starts when there is no monitoring."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from entdrill.records import open_records
from tests.drill.drill_school import ENTDRILL, environment, plan_text, school
from tests.monitoring.support import needs_monitoring

EXPECT = "    expect: {detected_within: 60s}\n"


def plan_expecting_detection(home: Path, outage_s: int) -> Path:
    text = plan_text(experiments="outage", outage_s=outage_s)
    marker = "join_timeout_s: 2.0}\n"
    assert marker in text
    path = home / "detected.yaml"
    path.write_text(text.replace(marker, marker + EXPECT, 1), encoding="utf-8")
    return path


@needs_monitoring
def test_a_bridge_outage_fires_an_alert_and_the_drill_records_when(tmp_path: Path) -> None:
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'records.db'}"
    with school(home, monitoring=True) as status:
        assert status["alertmanager_url"], status["monitoring_problem"]
        plan = plan_expecting_detection(home, outage_s=10)
        run = subprocess.run(
            [ENTDRILL, "drill", "run", "--poll", "0.5", str(plan)],
            env=environment(home, url),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode in (0, 1), run.stdout[-2000:] + run.stderr[-3000:]
        with open_records(url, mode="read") as records:
            [drill] = records.list_drills()
            found = records.detection_results([drill.id])
        shown = subprocess.run(
            [ENTDRILL, "drill", "show", "--json", drill.id],
            env=environment(home, url),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert shown.returncode == 0, shown.stderr
    [experiment] = json.loads(shown.stdout)["experiments"]
    assert experiment["kind"] == "video_bridge_outage"
    assert experiment["detection"] == "detected", experiment
    assert experiment["alert"] == "BridgeDown"
    assert 0 <= experiment["detected_after_s"] <= 15  # 2 s scrape + 2 s evaluation, and margin
    assert experiment["expected_within_s"] == 60.0
    assert 0 < experiment["resolved_after_s"] <= 30  # the bridge restarts at the rollback
    [row] = found
    assert (row.fault_kind, row.component, row.service) == ("bridge_down", "bridge", "video")
    assert row.detected_after_s == experiment["detected_after_s"]
    assert "detection not met" not in (drill.reason or "")
    assert "bridge_down on bridge" not in (drill.reason or "")


def test_a_plan_expecting_detection_is_refused_without_monitoring(tmp_path: Path) -> None:
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'records.db'}"
    with school(home) as status:  # free_config: no Prometheus, no Alertmanager
        assert status["alertmanager_url"] == ""
        plan = plan_expecting_detection(home, outage_s=2)
        run = subprocess.run(
            [ENTDRILL, "drill", "run", str(plan)],
            env=environment(home, url),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.returncode == 3, run.stdout + run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert last == (
        f"Error: {plan}: experiments[0].expect.detected_within "
        f"({Path(plan_text.__code__.co_filename).parents[2] / 'experiments' / 'video_bridge_outage.json'}) "
        "needs Prometheus and Alertmanager, and there are none: "
        "the sandbox runs without Prometheus and Alertmanager (monitoring: false)"
    )
    assert not (tmp_path / "records.db").exists() or _no_drill(url)


def _no_drill(url: str) -> bool:
    with open_records(url, mode="read") as records:
        return records.list_drills() == []
