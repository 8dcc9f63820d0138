"""The knee found against a target whose capacity is known exactly: Debian's nginx with
``limit_req`` at a fixed rate (503 beyond it). The sustained rate must be within 10% of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from tests.capacity.nginx import limited_nginx, nginx_binary

TOKEN = "nginx-consent-token"
LIMIT = 300  # requests per second nginx lets through
BURST = 60  # 200 ms of slack: client stalls on a busy machine are not mistaken for the limit

pytestmark = pytest.mark.skipif(
    nginx_binary() is None, reason="needs Debian's nginx (apt-get install nginx; CI installs it)"
)


def test_capacity_finds_nginx_limit_req_rate_within_ten_percent(tmp_path: Path) -> None:
    with limited_nginx(tmp_path / "nginx", rate=LIMIT, burst=BURST, token=TOKEN) as nginx:
        report_path = tmp_path / "capacity.json"
        result = CliRunner().invoke(
            cli,
            [
                "capacity", "--target", nginx.url, "--scenario", "http-get",
                "--consent-token", TOKEN, "--from", "150", "--to", "1200", "--factor", "2",
                "--step-s", "3", "--refine", "4", "--pause-s", "0.2", "--processes", "1",
                "--normal-rate", "3", "--required-multiple", "100",
                "--report", str(report_path),
            ],
        )  # fmt: skip
        statuses = nginx.access_statuses()
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text())
    assert report["outcome"] == "knee"
    sustained, breaking = report["sustained_rate"], report["breaking_rate"]
    assert abs(sustained - LIMIT) <= 0.10 * LIMIT, report["verdict"]
    assert sustained < breaking <= 2 * LIMIT
    # never more than one ladder step past the first broken one: 600/s broke, 1200 never offered
    assert max(s["rate"] for s in report["steps"]) == 600
    assert report["broke_by"]["errors"] and not report["broke_by"]["latency"]
    assert set(report["broke_by"]["causes"]) == {"http_5xx"}
    assert report["sustained_multiple"] == pytest.approx(sustained / 3)
    assert report["headroom"] == pytest.approx(sustained / 300, abs=1e-3)
    # what nginx itself answered is what the report counted
    counted_503 = sum(s["errors"].get("http_5xx", 0) for s in report["steps"])
    assert statuses.get(503, 0) == counted_503 > 0
    assert statuses.get(200, 0) == sum(s["completed"] for s in report["steps"])
    assert f"Sustained {sustained:g}/s" in result.stdout
