"""Real Prometheus and Alertmanager for the monitoring tests: Debian's binaries, on loopback.

Tests that need them are skipped (with the reason) only when the binaries are absent; CI
installs them (``.ci/run``).
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from entdrill.sandbox import monitoring_config
from entdrill.sandbox.readiness import http_ok
from entdrill.testing import free_port

MISSING = monitoring_config.missing("prometheus") or monitoring_config.missing("alertmanager")
needs_monitoring = pytest.mark.skipif(
    bool(MISSING), reason=f"Prometheus and Alertmanager are needed: {MISSING}"
)
needs_promtool = pytest.mark.skipif(
    not monitoring_config.binary("promtool"), reason="promtool is not installed (Debian prometheus)"
)


@contextlib.contextmanager
def prometheus_server(directory: Path, config: dict[str, Any] | None = None) -> Iterator[str]:
    """A real Prometheus on a free loopback port (its own data directory); yields its URL."""
    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    written = config or {"global": {"scrape_interval": "2s", "evaluation_interval": "2s"}}
    (directory / "prometheus.yml").write_text(yaml.safe_dump(written))
    process = subprocess.Popen(
        [
            monitoring_config.binary("prometheus"),
            f"--config.file={directory / 'prometheus.yml'}",
            f"--storage.tsdb.path={directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(directory / "prometheus.log").open("wb"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not http_ok(url + "/-/ready"):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (directory / "prometheus.log").read_text(errors="replace")
                raise AssertionError(f"Prometheus did not start: {log[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)
