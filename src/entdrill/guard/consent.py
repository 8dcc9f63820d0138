"""The consent token: the target says, at ``/.well-known/entdrill-consent``, that it may be hit.

Before the first request of a flood, every origin the plan targets must answer that path with
the expected token (the body, surrounding whitespace ignored). During the flood the engine asks
again every :data:`CHECK_INTERVAL_S` seconds (see :class:`ConsentMonitor`): an answer with
another token or a 4xx withdraws consent and stops the storm; a target that cannot answer at all
(timeouts, 5xx) is tolerated for :data:`UNCONFIRMED_GRACE_S` seconds, since a flood is meant to
saturate it, and then the storm stops too.
"""

from __future__ import annotations

import hmac
import http.client
import os
import urllib.parse
from dataclasses import dataclass

from entdrill import redact
from entdrill.errors import GuardRefusal

PATH = "/.well-known/entdrill-consent"
ENV = "ENTDRILL_CONSENT_TOKEN"
CHECK_INTERVAL_S = 0.5
CHECK_TIMEOUT_S = 1.0
UNCONFIRMED_GRACE_S = 30.0
MAX_TOKEN_BYTES = 4096


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def consent_url(url: str) -> str:
    return origin(url) + PATH


def token_from(option: str | None) -> str:
    """The expected token: the option, else ``ENTDRILL_CONSENT_TOKEN``; registered as a secret."""
    token = (option or os.environ.get(ENV, "")).strip()
    redact.register(token)
    return token


def verdict(status: int, body: bytes, expected: str) -> str:
    """``"ok"``, ``"withdrawn: <why>"`` or ``"unconfirmed: <why>"`` for one answer."""
    if status == 200:
        served = body[:MAX_TOKEN_BYTES].strip()
        if hmac.compare_digest(served, expected.encode()):
            return "ok"
        return "withdrawn: the target serves another consent token"
    if 400 <= status < 500 and status not in (408, 429):
        return f"withdrawn: the consent endpoint answers HTTP {status}"
    return f"unconfirmed: the consent endpoint answers HTTP {status}"


def fetch(url: str, timeout_s: float = CHECK_TIMEOUT_S) -> tuple[int, bytes]:
    """GET ``url`` without following redirects; (status, first bytes of the body)."""
    parts = urllib.parse.urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname or "", parts.port, timeout=timeout_s)
    try:
        conn.request("GET", parts.path or "/", headers={"User-Agent": "entdrill-guard"})
        response = conn.getresponse()
        return response.status, response.read(MAX_TOKEN_BYTES)
    finally:
        conn.close()


def check(target: str, expected: str, *, timeout_s: float = 5.0) -> None:
    """Raise :class:`GuardRefusal` (rule ``consent``) unless ``target`` serves ``expected``."""
    where = consent_url(target)
    if not expected:
        raise GuardRefusal(
            f"refused by the consent rule: no consent token given for {origin(target)}; pass "
            f"--consent-token (or set {ENV}) with the token the target serves at {PATH}",
            rule="consent",
        )
    try:
        status, body = fetch(where, timeout_s)
    except OSError as error:
        raise GuardRefusal(
            f"refused by the consent rule: cannot read {where}: {error}", rule="consent"
        ) from error
    result = verdict(status, body, expected)
    if result != "ok":
        reason = result.split(": ", 1)[1]
        raise GuardRefusal(
            f"refused by the consent rule: {origin(target)} gives no consent ({reason})",
            rule="consent",
        )


@dataclass
class ConsentMonitor:
    """The running flood's view of consent: fed with answers, says when to stop."""

    expected: str
    grace_s: float = UNCONFIRMED_GRACE_S
    last_ok: float = 0.0
    stop_reason: str = ""

    def started(self, now: float) -> None:
        self.last_ok = now

    def answer(self, now: float, status: int, body: bytes) -> None:
        self.record(now, verdict(status, body, self.expected))

    def failure(self, now: float, why: str) -> None:
        self.record(now, f"unconfirmed: {why}")

    def record(self, now: float, result: str) -> None:
        if result == "ok":
            self.last_ok = now
        elif result.startswith("withdrawn"):
            self.stop_reason = "consent " + result
        elif now - self.last_ok > self.grace_s:
            self.stop_reason = (
                f"consent could not be confirmed for {self.grace_s:g} s ({result.split(': ')[1]})"
            )
