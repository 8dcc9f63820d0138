"""Does a sandbox component answer? One check per kind, each with a short timeout."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any

from entdrill.sandbox.component import kind_of

TIMEOUT_S = 1.0


def http_health(host: str, port: int) -> dict[str, Any] | None:
    """The JSON of ``GET /_health`` on a fresh connection, or None when it does not answer."""
    url = f"http://{host}:{port}/_health"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            body = json.loads(response.read() or b"{}")
            return body if isinstance(body, dict) else {}
    except (OSError, ValueError, urllib.error.URLError):
        return None


def smtp_banner(host: str, port: int) -> bool:
    """True when an SMTP server greets with 220 on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT_S) as sock:
            sock.settimeout(TIMEOUT_S)
            banner = sock.recv(512)
            sock.sendall(b"QUIT\r\n")
            return banner.startswith(b"220")
    except OSError:
        return False


def answers(name: str, host: str, port: int, pid: int, admin_port: int | None = None) -> bool:
    """True when component ``name`` (process ``pid``) answers on its port.

    ENT replicas share a port, so a replica answers when a health check on a fresh connection
    came back from its own pid; the caller retries, and the kernel spreads new connections.
    """
    kind = kind_of(name)
    if kind == "smtp":
        return smtp_banner(host, port) and (
            admin_port is None or http_health(host, admin_port) is not None
        )
    health = http_health(host, port)
    if health is None:
        return False
    if kind == "ent":
        return health.get("pid") == pid
    return True
