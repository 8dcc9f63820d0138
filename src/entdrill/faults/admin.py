"""The sandbox's admin API, as the fault injectors and recovery use it.

``GET/PUT/DELETE {origin}/_admin/faults`` (the fault middleware of every HTTP component) and the
ENT's ``GET /_admin/sessions`` and ``POST /_admin/sessions/flush``, each with
``Authorization: Bearer <admin token>`` and a timeout. The token is never stored with a fault:
it is read from the sandbox's state file or from ``ENTDRILL_ADMIN_TOKEN`` when needed.

Faults are only sent to loopback hosts or to hosts listed in ``ENTDRILL_ALLOWED_TARGETS``
(comma-separated host names), the same rule as the flood's guard.
"""

from __future__ import annotations

import ipaddress
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from entdrill import redact
from entdrill.errors import FaultError, GuardRefusal, InvalidArgument
from entdrill.targets.sandbox import read_state

TIMEOUT_S = 5.0
TOKEN_ENV = "ENTDRILL_ADMIN_TOKEN"  # noqa: S105 - the variable name, not a token
ALLOWED_ENV = "ENTDRILL_ALLOWED_TARGETS"
FAULT_KEYS = ("latency_ms", "error_ratio", "hang", "capacity", "consent_withdrawn")


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url`` (a bridge's API URL becomes the bridge's origin)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgument(f"expected an http(s) URL, got {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def require_allowed(url: str) -> None:
    """Refuse a fault target that is neither loopback nor explicitly allowed."""
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        if host == "localhost":
            return
    allowed = {h.strip().lower() for h in os.environ.get(ALLOWED_ENV, "").split(",") if h.strip()}
    if host.lower() not in allowed:
        raise GuardRefusal(
            f"fault target {host!r} is not loopback and not in {ALLOWED_ENV}",
            rule="allow-list",
        )


def admin_token(sandbox_dir: str = "", fallback: str = "") -> str:
    """The admin token: from the sandbox state in ``sandbox_dir``, else ``fallback``, else env."""
    if sandbox_dir:
        state = read_state(Path(sandbox_dir))
        if state is not None:
            token = state.secrets.admin_token
            redact.register(token)
            return token
    token = fallback or os.environ.get(TOKEN_ENV, "")
    if not token:
        raise FaultError(
            f"no admin token: no sandbox state in {sandbox_dir or '(none)'} and {TOKEN_ENV} is empty"
        )
    redact.register(token)
    return token


class AdminClient:
    """One component's admin API at ``origin`` (``http://127.0.0.1:8900``)."""

    def __init__(self, url: str, token: str, timeout_s: float = TIMEOUT_S) -> None:
        self.origin = origin(url)
        require_allowed(self.origin)
        self.token = token
        self.timeout_s = timeout_s

    def get_faults(self) -> dict[str, Any]:
        return self._call("GET", "/_admin/faults")

    def put_faults(self, settings: dict[str, Any]) -> dict[str, Any]:
        return self._call("PUT", "/_admin/faults", settings)

    def clear_faults(self) -> dict[str, Any]:
        return self._call("DELETE", "/_admin/faults")

    def session_counts(self) -> dict[str, Any]:
        return self._call("GET", "/_admin/sessions")

    def flush_sessions(self) -> dict[str, Any]:
        return self._call("POST", "/_admin/sessions/flush", {})

    def wait_for_faults(
        self, expected: dict[str, Any], timeout_s: float = 3.0
    ) -> tuple[bool, dict[str, Any]]:
        """Read the faults back until ``expected`` keys match (replicas share theirs lazily)."""
        deadline = time.monotonic() + timeout_s
        while True:
            current = self.get_faults()
            if all(current.get(key) == value for key, value in expected.items()):
                return True, current
            if time.monotonic() > deadline:
                return False, current
            time.sleep(0.1)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked in origin()
            self.origin + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read()[:200].decode(errors="replace")
            raise FaultError(
                f"{method} {self.origin}{path} answered HTTP {error.code}: {detail}"
            ) from error
        except (OSError, ValueError) as error:
            raise FaultError(f"{method} {self.origin}{path} failed: {error}") from error
        if not isinstance(answer, dict):
            raise FaultError(f"{method} {self.origin}{path} did not answer a JSON object")
        return answer
