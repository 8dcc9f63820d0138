"""What the review reads from an experiment record: the service it tested and its verdict (pure).

The kind of an experiment is the stem of its file, as the drill runner records it
(``experiments/server_loss.json`` is ``server_loss``). Kinds the review knows:

============================  ==================  ==============================================
kind                          service             passed when (from ``measures``)
============================  ==================  ==============================================
``login_storm*``              ``login``           the storm **held** (see :func:`read_storm`)
``server_loss``, ``pod_loss`` ``server_loss``     ``survived``, else the hypothesis held
``session_store_loss``        ``session_store``   ``survived``, else the hypothesis held
``video_bridge_outage``,      ``video_fallback``  ``fallback_worked`` (the backup bridge took
``bridge_scaled_to_zero``                         the class), else ``backup_joinable``, else
                                                  the hypothesis held
``video_bridge_degraded``,    ``video_degraded``  the hypothesis held (not ``deviated``)
``bridge_latency``
============================  ==================  ==============================================

Only concluded runs count (journal status ``completed`` or ``failed``); an aborted or interrupted
run, or a storm without its key measures, is counted as *not concluded* and left out.

A storm's measures: ``storm_multiple`` (or ``storm_multiplier``: load as a multiple of normal),
``login_p95_ms`` (or ``login_ms.p95``), ``login_p50_ms`` (or ``login_ms.p50``), ``success_ratio``
(or ``completed``/``failed`` counts), ``offered_rate_per_s``, ``errors`` (by cause) and the
p95 budget ``tolerance.login_p95_ms`` (or ``budget_p95_ms``, or ``max_login_p95_s``; default 2 s).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from entdrill.records import ExperimentRecord
from entdrill.review.wording import latency

#: A storm held when at least this share of logins succeeded...
SUCCESS_FLOOR = 0.99
#: ...and the login p95 stayed within the experiment's budget (this one when it states none).
DEFAULT_BUDGET_MS = 2000.0
CONCLUDED = ("completed", "failed")

SERVICE_NAMES: dict[str, str] = {
    "login": "Login under storm",
    "server_loss": "Server loss",
    "session_store": "Session-store loss (re-login wave)",
    "video_fallback": "Video fallback (backup bridge)",
    "video_degraded": "Video bridge degraded",
}
SERVICE_QUESTIONS: dict[str, str] = {
    "login": "Up to which multiple of normal load do logins hold?",
    "server_loss": "Does the ENT keep serving when a replica is lost?",
    "session_store": "Does the ENT survive losing every session (everyone logs in again)?",
    "video_fallback": "When the video bridge is down, does the backup bridge take the class?",
    "video_degraded": "When the video bridge slows down, can classes still join?",
}
_KINDS: dict[str, str] = {
    "server_loss": "server_loss",
    "pod_loss": "server_loss",
    "session_store_loss": "session_store",
    "video_bridge_outage": "video_fallback",
    "bridge_scaled_to_zero": "video_fallback",
    "video_bridge_degraded": "video_degraded",
    "bridge_latency": "video_degraded",
}


@dataclass(frozen=True, slots=True)
class StormRun:
    """One concluded login storm."""

    experiment_id: str
    drill_id: str | None
    at: datetime
    multiple: float
    offered_per_s: float | None
    p50_ms: float | None
    p95_ms: float
    success_ratio: float
    budget_ms: float
    errors: Mapping[str, int]
    held: bool

    @property
    def error_share(self) -> float:
        return max(0.0, 1.0 - self.success_ratio)


@dataclass(frozen=True, slots=True)
class Trial:
    """One concluded run of a pass/fail service test (server loss, session store, video)."""

    experiment_id: str
    drill_id: str | None
    service: str
    at: datetime
    passed: bool
    measures: Mapping[str, Any]

    @property
    def detail(self) -> str:
        """The run's figures in words ("errors 0.4%, recovered in 5.5 s")."""
        return _detail(self.measures)


def service_of(kind: str) -> str | None:
    """The service an experiment of ``kind`` tests, or None for a kind the review does not score."""
    if kind.startswith(("login_storm", "capacity")):
        return "login"
    return _KINDS.get(kind)


def concluded(experiment: ExperimentRecord) -> bool:
    return experiment.status in CONCLUDED


def read_storm(experiment: ExperimentRecord) -> StormRun | None:
    """The storm's verdict, or None when it did not conclude or lacks its key measures."""
    if not concluded(experiment):
        return None
    m = experiment.measures
    multiple = _number(m.get("storm_multiple", m.get("storm_multiplier")))
    p95 = _number(m.get("login_p95_ms", _nested(m, "login_ms", "p95")))
    success = _success_ratio(m)
    if multiple is None or p95 is None or success is None:
        return None
    budget = _budget_ms(m)
    errors = m.get("errors")
    return StormRun(
        experiment_id=experiment.id,
        drill_id=experiment.drill_id,
        at=experiment.started_at,
        multiple=multiple,
        offered_per_s=_number(m.get("offered_rate_per_s")),
        p50_ms=_number(m.get("login_p50_ms", _nested(m, "login_ms", "p50"))),
        p95_ms=p95,
        success_ratio=success,
        budget_ms=budget,
        errors={str(k): int(v) for k, v in errors.items() if isinstance(v, int | float)}
        if isinstance(errors, dict)
        else {},
        held=success >= SUCCESS_FLOOR and p95 <= budget,
    )


def read_trial(experiment: ExperimentRecord) -> Trial | None:
    """The pass/fail verdict of a server-loss, session-store or video run (None otherwise)."""
    service = service_of(experiment.kind)
    if service is None or service == "login" or not concluded(experiment):
        return None
    m = experiment.measures
    flags = _VIDEO_FLAGS if service == "video_fallback" else _FLAGS
    passed = not experiment.deviated
    for flag in flags:
        value = m.get(flag)
        if isinstance(value, bool):
            passed = value
            break
    return Trial(
        experiment_id=experiment.id,
        drill_id=experiment.drill_id,
        service=service,
        at=experiment.started_at,
        passed=passed,
        measures=m,
    )


_FLAGS = ("survived",)
_VIDEO_FLAGS = ("fallback_worked", "backup_joinable", "survived")
_DETAILS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    ("error_ratio", "errors", lambda v: f"{v:.1%}"),
    ("recovery_s", "recovered in", lambda v: f"{v:g} s"),
    ("sessions_lost_share", "sessions lost", lambda v: f"{v:.0%}"),
    ("relogin_p95_ms", "re-login p95", latency),
    ("join_success_ratio", "joins succeeded", lambda v: f"{v:.1%}"),
    ("join_p95_ms", "join p95", latency),
    ("switch_s", "switched in", lambda v: f"{v:g} s"),
)


def _detail(measures: Mapping[str, Any]) -> str:
    parts = []
    for key, words, show in _DETAILS:
        value = _number(measures.get(key))
        if value is not None:
            parts.append(f"{words} {show(value)}")
    return ", ".join(parts)


def _success_ratio(m: Mapping[str, Any]) -> float | None:
    ratio = _number(m.get("success_ratio"))
    if ratio is not None:
        return min(1.0, max(0.0, ratio))
    completed, failed = _number(m.get("completed")), _number(m.get("failed"))
    if completed is not None and failed is not None and completed + failed > 0:
        return completed / (completed + failed)
    return None


def _budget_ms(m: Mapping[str, Any]) -> float:
    for value in (
        _nested(m, "tolerance", "login_p95_ms"),
        m.get("budget_p95_ms"),
        None if _number(m.get("max_login_p95_s")) is None else m["max_login_p95_s"] * 1000,
    ):
        number = _number(value)
        if number is not None and number > 0:
            return number
    return DEFAULT_BUDGET_MS


def _nested(m: Mapping[str, Any], outer: str, inner: str) -> Any:
    value = m.get(outer)
    return value.get(inner) if isinstance(value, dict) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None
