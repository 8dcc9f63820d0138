"""Alertmanager's API v2 (``GET /api/v2/alerts``), read by a drill while it runs.

Alertmanager lists the alerts that fire now; a resolved alert leaves the list. So a drill polls
it (:class:`AlertWatch`, every :data:`POLL_S` seconds, in a thread) from the first injection to
the end, keeping every alert it saw with Prometheus's ``startsAt`` (when the rule's condition
first held) and the moment it left the list (resolved, within one poll). Every poll that could
not read Alertmanager is kept too: a detection result over such a gap is "unknown".
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from entdrill.errors import MonitoringUnreachable

log = logging.getLogger(__name__)

TIMEOUT_S = 2.0
POLL_S = 1.0


@dataclass(frozen=True)
class Alert:
    """One firing alert as Alertmanager lists it."""

    fingerprint: str
    name: str
    labels: dict[str, str]
    starts_at: float  # epoch seconds: Prometheus's startsAt


@dataclass
class Seen:
    """An alert as the watch saw it: first and last poll that listed it, and when it left."""

    alert: Alert
    first_seen: float
    last_seen: float
    gone_at: float | None = None


def parse_time(text: str) -> float:
    """Epoch seconds of an RFC 3339 time as Alertmanager writes it (nanoseconds cut)."""
    value = text.strip().replace("Z", "+00:00")
    if "." in value:
        head, rest = value.split(".", 1)
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits) :]
        value = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    return datetime.fromisoformat(value).timestamp()


def parse_alerts(body: Any) -> list[Alert]:
    """The alerts of an ``/api/v2/alerts`` answer (entries that are not alerts are skipped)."""
    if not isinstance(body, list):
        raise ValueError("Alertmanager's /api/v2/alerts did not answer a JSON list")
    found = []
    for item in body:
        if not isinstance(item, dict) or not isinstance(item.get("labels"), dict):
            continue
        labels = {str(k): str(v) for k, v in item["labels"].items()}
        try:
            starts = parse_time(str(item.get("startsAt", "")))
        except ValueError:
            continue
        found.append(
            Alert(
                fingerprint=str(item.get("fingerprint", "")),
                name=labels.get("alertname", ""),
                labels=labels,
                starts_at=starts,
            )
        )
    return found


def fetch_alerts(base_url: str, timeout_s: float = TIMEOUT_S) -> list[Alert]:
    """The alerts firing now; MonitoringUnreachable when Alertmanager cannot be read."""
    url = base_url.rstrip("/") + "/api/v2/alerts?active=true&silenced=true&inhibited=true"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310
            return parse_alerts(json.loads(response.read()))
    except (OSError, ValueError, urllib.error.URLError) as error:
        raise MonitoringUnreachable(f"cannot read Alertmanager at {base_url}: {error}") from error


@dataclass
class AlertWatch:
    """Polls Alertmanager in a thread; what it saw stays in :attr:`seen` and :attr:`gaps`."""

    base_url: str
    poll_s: float = POLL_S
    seen: dict[str, Seen] = field(default_factory=dict)
    #: (from, to) epoch seconds over which Alertmanager could not be read
    gaps: list[tuple[float, float]] = field(default_factory=list)
    started_at: float = 0.0
    last_poll: float = 0.0
    problem: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self.started_at = time.time()
        self.poll()
        self._thread = threading.Thread(target=self._run, name="alert-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.poll_s + TIMEOUT_S + 1.0)
        self.poll()

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            self.poll()

    def poll(self) -> None:
        """One look at Alertmanager."""
        before = self.last_poll or time.time()
        try:
            alerts = fetch_alerts(self.base_url)
        except MonitoringUnreachable as error:
            now = time.time()
            with self._lock:
                self.problem = str(error)
                self.gaps.append((before, now))
                self.last_poll = now
            log.warning("%s", error)
            return
        now = time.time()
        with self._lock:
            listed = {a.fingerprint for a in alerts}
            for alert in alerts:
                known = self.seen.get(alert.fingerprint)
                if known is None or known.gone_at is not None:
                    self.seen[alert.fingerprint] = Seen(alert, now, now)
                else:
                    known.last_seen = now
            for fingerprint, known in self.seen.items():
                if known.gone_at is None and fingerprint not in listed:
                    known.gone_at = now
            self.last_poll = now

    def snapshot(self) -> tuple[list[Seen], list[tuple[float, float]]]:
        with self._lock:
            seen = [Seen(s.alert, s.first_seen, s.last_seen, s.gone_at) for s in self.seen.values()]
            return seen, list(self.gaps)
