"""Was it detected? Each fault or storm a drill injected, matched with the alerts that fired.

Pure: from the injections (:class:`Injection`, read from the fault ledger and the journals)
and what the alert watch saw (:mod:`alerts`), one :class:`Detection` per injection:

- ``detected``: an alert of the injection's service (and component, when the alert names one)
  started at or after the injection; ``detected_after_s`` is its ``startsAt`` minus the
  injection time, ``resolved_after_s`` the time from the rollback to the alert leaving
  Alertmanager's list (0 when it resolved before the rollback; None while it still fires);
- ``not_detected``: Alertmanager was read all along and no such alert fired;
- ``unknown``: Alertmanager could not be read (never, or over part of the window), so silence
  proves nothing: "unknown" is never reported as "not detected".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from entdrill.monitoring.alerts import Seen

#: What service a fault of each kind breaks (alerts carry a ``service`` label).
SERVICE_OF_FAULT = {
    "kill_replica": "ent",
    "hang_replica": "ent",
    "lose_session_store": "session-store",
    "bridge_down": "video",
    "bridge_hang": "video",
    "degrade_bridge": "video",
    "shrink_bridge_capacity": "video",
    "scale_deployment": "video",
    "storm": "ent",
}
#: An alert whose ``startsAt`` is this much before the injection still counts (clock rounding).
EARLY_S = 1.0

DETECTED = "detected"
NOT_DETECTED = "not_detected"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Injection:
    """One fault or storm injected by an experiment of the drill."""

    experiment: str  # the experiment's name in the drill: "2-server_loss"
    kind: str  # the fault kind (kill_replica, bridge_down...) or "storm"
    component: str  # ent-2, bridge, ent (a storm)...
    injected_at: float  # epoch seconds
    undone_at: float | None  # when the rollback reverted it (the storm ended)

    @property
    def service(self) -> str:
        return SERVICE_OF_FAULT.get(self.kind, "ent")


@dataclass(frozen=True)
class Detection:
    """What monitoring said about one injection."""

    experiment: str
    kind: str
    component: str
    service: str
    injected_at: float
    status: str  # detected | not_detected | unknown
    alert: str  # the first matching alert's name ("" when none)
    detected_after_s: float | None
    resolved_after_s: float | None
    why: str  # for "unknown": why monitoring could not say

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def matches(seen: Seen, injection: Injection) -> bool:
    """True when the alert is about the injection's service (and component, if it names one)."""
    labels = seen.alert.labels
    if labels.get("service") != injection.service:
        return False
    named = labels.get("component") or labels.get("job") or ""
    if not named or not injection.component:
        return True
    kind = "ent" if injection.component.startswith("ent") else injection.component
    return named in (injection.component, kind)


def detect(
    injection: Injection,
    seen: list[Seen],
    gaps: list[tuple[float, float]],
    *,
    watched_from: float | None,
    watched_until: float,
    problem: str = "",
) -> Detection:
    """The detection result of ``injection`` (see the module docstring)."""
    candidates = sorted(
        (s for s in seen if matches(s, injection)),
        key=lambda s: s.alert.starts_at,
    )
    fired = [s for s in candidates if s.alert.starts_at >= injection.injected_at - EARLY_S]

    def result(
        status: str,
        alert: str = "",
        after: float | None = None,
        resolved: float | None = None,
        why: str = "",
    ) -> Detection:
        return Detection(
            experiment=injection.experiment,
            kind=injection.kind,
            component=injection.component,
            service=injection.service,
            injected_at=injection.injected_at,
            status=status,
            alert=alert,
            detected_after_s=after,
            resolved_after_s=resolved,
            why=why,
        )

    if fired:
        first = fired[0]
        after = max(0.0, first.alert.starts_at - injection.injected_at)
        resolved: float | None = None
        if first.gone_at is not None:
            since = injection.undone_at if injection.undone_at is not None else first.gone_at
            resolved = max(0.0, first.gone_at - since)
        return result(
            DETECTED,
            first.alert.name,
            round(after, 3),
            None if resolved is None else round(resolved, 3),
        )
    blind = watched_from is None or watched_from > injection.injected_at + EARLY_S
    end = injection.undone_at if injection.undone_at is not None else watched_until
    blind = blind or any(a < end and b > injection.injected_at for a, b in gaps)
    if blind:
        why = problem or "Alertmanager was not watched while the fault was in place"
        return result(UNKNOWN, why=why)
    return result(NOT_DETECTED)


def experiment_summary(detections: list[Detection]) -> dict[str, Any]:
    """One experiment's detection: the first injection detected (or why none was)."""
    if not detections:
        return {"detection": "", "detected_after_s": None, "resolved_after_s": None, "alert": ""}
    detected = [d for d in detections if d.status == DETECTED]
    if detected:
        first = min(detected, key=lambda d: d.detected_after_s or 0.0)
        status = DETECTED
    else:
        first = detections[0]
        status = UNKNOWN if any(d.status == UNKNOWN for d in detections) else NOT_DETECTED
    return {
        "detection": status,
        "detected_after_s": first.detected_after_s if status == DETECTED else None,
        "resolved_after_s": first.resolved_after_s if status == DETECTED else None,
        "alert": first.alert if status == DETECTED else "",
    }
