"""The sandbox's Prometheus and Alertmanager: started with it, scraping every component, and
the sandbox running without them (saying so in one line) when the binaries are missing."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from entdrill import processes
from entdrill.cli import cli as main
from entdrill.sandbox import monitoring_config
from entdrill.sandbox.status import status
from entdrill.sandbox.supervisor import Supervisor
from entdrill.testing import free_config
from tests.monitoring.support import needs_monitoring, needs_promtool

ROOT = Path(__file__).resolve().parents[2]


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def wait_for(check: Any, timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"not true within {timeout_s} s: {check}")


@needs_promtool
def test_the_shipped_rules_pass_promtool_check_rules() -> None:
    rules = ROOT / "deploy" / "prometheus" / "entdrill-rules.yml"
    done = subprocess.run(
        [monitoring_config.binary("promtool"), "check", "rules", str(rules)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 10 rules found" in done.stdout


def test_the_sandbox_prometheus_scrapes_every_component_every_two_seconds() -> None:
    config = free_config(monitoring=True)
    written = monitoring_config.prometheus_config(config, Path("/r.yml"))
    assert written["global"]["scrape_interval"] == "2s"
    assert written["global"]["evaluation_interval"] == "2s"
    jobs = {j["job_name"]: j["static_configs"][0]["targets"] for j in written["scrape_configs"]}
    assert jobs["ent"] == [f"127.0.0.1:{config.ent_port}"]
    assert jobs["bridge"] == [f"127.0.0.1:{config.bridge_port}"]
    assert jobs["exporter"] == [f"127.0.0.1:{config.exporter_port}"]
    assert set(jobs) >= {"backup-bridge", "slack", "sms", "statuspage", "staff", "prometheus"}
    assert written["rule_files"] == ["/r.yml"]
    target = written["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert target == [f"127.0.0.1:{config.alertmanager_port}"]


@needs_monitoring
def test_sandbox_up_starts_prometheus_and_alertmanager_and_status_gives_their_urls(
    tmp_path: Path,
) -> None:
    supervisor = Supervisor(tmp_path / "sandbox")
    config = free_config(monitoring=True)
    try:
        supervisor.up(config, timeout_s=60)
        info = status(supervisor)
        assert info["prometheus_url"] == f"http://127.0.0.1:{config.prometheus_port}"
        assert info["alertmanager_url"] == f"http://127.0.0.1:{config.alertmanager_port}"
        assert info["monitoring_problem"] == ""

        def every_target_up() -> list[str]:
            targets = get_json(info["prometheus_url"] + "/api/v1/targets")["data"]
            health = {t["labels"]["job"]: t["health"] for t in targets["activeTargets"]}
            return sorted(health) if set(health.values()) == {"up"} else []

        jobs = wait_for(every_target_up)
        assert {"ent", "bridge", "backup-bridge", "exporter"} <= set(jobs)
        rules = get_json(info["prometheus_url"] + "/api/v1/rules")["data"]["groups"]
        names = {r["name"] for g in rules for r in g["rules"]}
        assert {"BridgeDown", "EntReplicaDown", "EntErrorRatioHigh", "BridgeAtCapacity"} <= names
        assert get_json(info["alertmanager_url"] + "/api/v2/alerts") == []
        pids = [supervisor.state().processes[n].pid for n in ("prometheus", "alertmanager")]
    finally:
        supervisor.down()
    for pid in pids:
        assert not processes.is_alive(pid)
    mine = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    leftovers = [p.name for p in mine if str(tmp_path) in " ".join(processes.cmdline(int(p.name)))]
    assert leftovers == []  # Prometheus and Alertmanager died with their components


def test_without_the_binaries_the_sandbox_runs_and_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTDRILL_HOME", str(tmp_path))
    monkeypatch.setenv("ENTDRILL_PROMETHEUS_BIN", str(tmp_path / "no-prometheus"))
    monkeypatch.setenv("ENTDRILL_ALERTMANAGER_BIN", str(tmp_path / "no-alertmanager"))
    config = free_config(monitoring=True)
    settings = tmp_path / "settings.yaml"
    settings.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in config.to_dict().items()))
    runner = CliRunner()
    try:
        result = runner.invoke(main, ["sandbox", "up", "--config", str(settings)])
        assert result.exit_code == 0, result.output
        lines = [line for line in result.output.splitlines() if "monitoring" in line]
        assert lines == [
            f"running without monitoring: {tmp_path / 'no-prometheus'} is not installed "
            "(apt-get install prometheus prometheus-alertmanager); "
            f"{tmp_path / 'no-alertmanager'} is not installed "
            "(apt-get install prometheus prometheus-alertmanager)"
        ]
        shown = runner.invoke(main, ["sandbox", "status", "--json"])
        info = json.loads(shown.output)
        assert shown.exit_code == 0, shown.output
        assert info["prometheus_url"] == "" and info["alertmanager_url"] == ""
        states = {c["name"]: c["state"] for c in info["components"]}
        assert states["prometheus"] == "unavailable" and states["ent-1"] == "running"
    finally:
        runner.invoke(main, ["sandbox", "down"])


def test_each_scrape_of_the_shared_ent_port_may_reach_either_replica(tmp_path: Path) -> None:
    """/metrics closes its connection: a kept-alive scrape would read one replica for ever."""
    import http.client

    from entdrill.testing import running_sandbox

    with running_sandbox(tmp_path / "sandbox") as info:
        port = int(info["ent_url"].rsplit(":", 1)[1])
        seen = set()
        for _ in range(40):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/metrics")
            response = connection.getresponse()
            body = response.read().decode()
            assert response.will_close and response.getheader("Connection") == "close"
            seen |= {r for r in ("ent-1", "ent-2") if f'replica="{r}"' in body}
            connection.close()
    assert seen == {"ent-1", "ent-2"}
