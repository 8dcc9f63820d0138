"""The sandbox's process exporter: which component processes run, as Prometheus sees it.

ENT replicas share one port, so Prometheus cannot scrape them one by one; a replica killed or
hung (SIGSTOP) leaves the others answering. Like a process exporter beside a real server, this
endpoint reads the sandbox's state and /proc at every scrape:

    entdrill_sandbox_component_up{component="ent-2"} 0    # gone, or stopped by a signal
    entdrill_sandbox_ent_store_up 1                       # the ENT's /_health: store reachable

It is served by the ``prometheus`` component, on ``exporter_port``.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from aiohttp import web

from entdrill import processes
from entdrill.sandbox.config import HOST
from entdrill.sandbox.state import read_state

HEALTH_TIMEOUT_S = 0.25


def component_up(directory: Path) -> dict[str, int]:
    """1 for every expected component whose process runs, 0 when gone or paused."""
    state = read_state(directory)
    if state is None:
        return {}
    names = state.components()
    names += sorted(set(state.processes) - set(names))
    result: dict[str, int] = {}
    for name in names:
        entry = state.processes.get(name)
        running = (
            entry is not None
            and processes.is_component(entry.pid, name, directory)
            and not processes.is_paused(entry.pid)
        )
        result[name] = int(running)
    return result


def ent_health(port: int) -> dict[str, Any] | None:
    """The ENT's ``/_health``, or None. A short timeout: a hung replica (SIGSTOP) still accepts
    connections, and a scrape waiting on it past Prometheus's 1 s scrape timeout would lose
    ``component_up`` too, delaying the very alert that reports the hung replica."""
    url = f"http://{HOST}:{port}/_health"
    try:
        with urllib.request.urlopen(url, timeout=HEALTH_TIMEOUT_S) as response:
            body = json.loads(response.read() or b"{}")
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def render(directory: Path) -> str:
    """The exporter's metrics, in the Prometheus text format."""
    lines = [
        "# HELP entdrill_sandbox_component_up 1 when the component's process runs, 0 when it is "
        "gone or stopped (SIGSTOP).",
        "# TYPE entdrill_sandbox_component_up gauge",
    ]
    lines += [
        f'entdrill_sandbox_component_up{{component="{name}"}} {up}'
        for name, up in component_up(directory).items()
    ]
    state = read_state(directory)
    if state is not None:
        health = ent_health(state.config.ent_port)
        if health is not None and "store_ok" in health:
            lines.append(
                "# HELP entdrill_sandbox_ent_store_up 1 when an ENT replica reaches its session store."
            )
            lines.append("# TYPE entdrill_sandbox_ent_store_up gauge")
            lines.append(f"entdrill_sandbox_ent_store_up {int(bool(health['store_ok']))}")
    return "\n".join(lines) + "\n"


def make_app(directory: Path) -> web.Application:
    app = web.Application()

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(text=render(directory), content_type="text/plain")

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/metrics", metrics)
    app.router.add_get("/_health", health)
    return app
