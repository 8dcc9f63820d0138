"""Does a sandbox component answer? One check per kind, each with a short timeout."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from entdrill.sandbox.component import kind_of
from entdrill.sandbox.matrix_accounts import read_accounts

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


def http_ok(url: str) -> bool:
    """True when ``GET url`` answers 200 on a fresh connection."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310 - http://
            return bool(response.status == 200)
    except (OSError, ValueError, urllib.error.URLError):
        return False


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


def matrix_ready(host: str, port: int, directory: Path) -> bool:
    """True when the sandbox's Synapse knows the drill bot's token (the school is set up)."""
    accounts = read_accounts(directory)
    if accounts is None:
        return False
    request = urllib.request.Request(f"http://{host}:{port}/_matrix/client/v3/account/whoami")
    request.add_header("Authorization", f"Bearer {accounts.bot.access_token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - http://
            body = json.loads(response.read() or b"{}")
    except (OSError, ValueError, urllib.error.URLError):
        return False
    return isinstance(body, dict) and body.get("user_id") == accounts.bot.user_id


def answers(
    name: str,
    host: str,
    port: int,
    pid: int,
    admin_port: int | None = None,
    directory: Path | None = None,
) -> bool:
    """True when component ``name`` (process ``pid``) answers on its port.

    ENT replicas share a port, so a replica answers when a health check on a fresh connection
    came back from its own pid; the caller retries, and the kernel spreads new connections.
    Synapse answers once the sandbox's accounts (in ``directory``) work.
    """
    kind = kind_of(name)
    if kind in ("prometheus", "alertmanager"):
        return http_ok(f"http://{host}:{port}/-/ready")
    if kind == "matrix":
        return directory is not None and matrix_ready(host, port, directory)
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
