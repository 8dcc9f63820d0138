"""Password checks that cost real CPU, on purpose.

A real CAS stores slow password hashes (PBKDF2, bcrypt, Argon2) so that a login costs the server
far more than a page view: that is why a login storm saturates an ENT. The sandbox reproduces the
cost, **deliberately and calibrated**: at replica start-up :func:`calibrate` measures how many
PBKDF2-HMAC-SHA256 iterations take ``login_cost_ms`` on this machine, and every check (right or
wrong password, known or unknown user) runs that many iterations.

Start-up must stay fast (tests start replicas often), so the population's verifiers are not
hashed up front. Each person starts with a cheap salted SHA-256 digest; a check always computes
the slow PBKDF2 hash of the password given, compares it with the person's PBKDF2 verifier when
this replica already has it, and otherwise with the cheap digest, upgrading the verifier to the
PBKDF2 hash just computed when the password is right. Either way the CPU is spent in the check.

``hashlib.pbkdf2_hmac`` releases the GIL, so checks on worker threads (see
:mod:`~entdrill.sandbox.ent.admission`) use several cores while the event loop keeps serving.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterable

from entdrill.population import Person

PROBE_ITERATIONS = 1000
PROBE_ROUNDS = 12  # the fastest of several short probes: robust to a busy neighbour, ~15 ms
MIN_ITERATIONS = 1


def pbkdf2(password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)


def calibrate(cost_ms: float) -> int:
    """PBKDF2-SHA256 iterations that take about ``cost_ms`` milliseconds on this machine, unloaded."""
    if cost_ms <= 0:
        return MIN_ITERATIONS
    salt = secrets.token_bytes(16)
    best = float("inf")
    for _ in range(PROBE_ROUNDS):
        started = time.perf_counter()
        pbkdf2("calibration", salt, PROBE_ITERATIONS)
        best = min(best, time.perf_counter() - started)
    per_iteration_ms = max(best, 1e-9) * 1000 / PROBE_ITERATIONS
    return max(MIN_ITERATIONS, round(cost_ms / per_iteration_ms))


class PasswordVerifier:
    """Checks credentials against the population at a calibrated CPU cost. Thread-safe."""

    def __init__(self, people: Iterable[Person], iterations: int) -> None:
        self.iterations = iterations
        self._salts: dict[str, bytes] = {}
        self._digests: dict[str, bytes] = {}
        self._slow: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._unknown_salt = secrets.token_bytes(16)
        for person in people:
            salt = secrets.token_bytes(16)
            self._salts[person.username] = salt
            self._digests[person.username] = _cheap(person.password, salt)

    def __len__(self) -> int:
        return len(self._salts)

    def check(self, username: str, password: str) -> bool:
        """True when ``password`` is ``username``'s; costs the calibrated PBKDF2 work either way."""
        salt = self._salts.get(username)
        candidate = pbkdf2(password, salt or self._unknown_salt, self.iterations)
        if salt is None:
            return False
        with self._lock:
            verifier = self._slow.get(username)
        if verifier is not None:
            return hmac.compare_digest(candidate, verifier)
        if not hmac.compare_digest(_cheap(password, salt), self._digests[username]):
            return False
        with self._lock:
            self._slow[username] = candidate
        return True


def _cheap(password: str, salt: bytes) -> bytes:
    return hashlib.sha256(salt + password.encode()).digest()
