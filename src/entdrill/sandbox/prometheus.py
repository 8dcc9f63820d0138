"""The sandbox's Prometheus (the ``prometheus`` component): Debian's binary, run as a child.

The component writes ``prometheus/prometheus.yml`` (:mod:`monitoring_config`: every component
scraped every 2 s, the shipped rules evaluated every 2 s, alerts sent to the sandbox's
Alertmanager), serves the process exporter (:mod:`exporter`) and runs Prometheus until SIGTERM.
Without the binary the supervisor does not even try: the sandbox runs without monitoring.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from aiohttp import web

from entdrill.errors import InvalidConfig
from entdrill.sandbox import exporter, monitoring_config
from entdrill.sandbox.child_binary import run_child
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.config import HOST
from entdrill.sandbox.http import wait_for_stop_signal


def write_yaml(path: Path, data: object) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        yaml.safe_dump(data, handle, sort_keys=False)


def prepare(ctx: ComponentContext) -> Path:
    """Write prometheus.yml in the component's own directory; that directory."""
    directory = ctx.directory / "prometheus"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    config = monitoring_config.prometheus_config(ctx.config, monitoring_config.rules_path())
    write_yaml(directory / "prometheus.yml", config)
    return directory


async def run(ctx: ComponentContext) -> None:
    """Serve the process exporter and run Prometheus until SIGTERM."""
    missing = monitoring_config.missing("prometheus")
    if missing:
        raise InvalidConfig(missing)
    directory = prepare(ctx)
    runner = web.AppRunner(exporter.make_app(ctx.directory), access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, HOST, ctx.config.exporter_port).start()
    try:
        argv = monitoring_config.prometheus_argv(ctx.config, directory)
        await run_child(argv, directory, wait_for_stop_signal)
    finally:
        await runner.cleanup()
