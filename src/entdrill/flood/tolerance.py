"""Did a storm hold? Its logins' figures against the experiment's tolerance (pure).

A storm **held** when the share of its logins that failed stays within ``max_failed_percent``
and the p95 of its logins stays within ``max_login_p95_s``. Logins are the journeys of the login
scenarios (credential-stuffing bots are not users whose login should succeed); a storm without
one counts every journey. Failed logins include those refused for lack of room
(``--max-in-flight``) and, when the storm ran to its end, those still unfinished then; a storm
stopped on purpose (the kill switch, an experiment's rollback) leaves its unfinished journeys out.

A storm with nothing to judge (no login offered, or stopped because consent was withdrawn or
could not be confirmed) is **not judged**: it neither held nor broke, and a run must say so.
"""

from __future__ import annotations

from typing import Any


def _logins(report: dict[str, Any]) -> list[dict[str, Any]]:
    scenarios = [s for s in (report.get("scenarios") or {}).values() if isinstance(s, dict)]
    logins = [s for s in scenarios if s.get("login") is not None]
    return logins or scenarios


def _percent(share: float) -> str:
    return f"{share * 100:.3g}%"


def judge(
    report: dict[str, Any],
    headline: dict[str, Any],
    *,
    max_failed_percent: float,
    max_login_p95_s: float,
) -> dict[str, Any]:
    """The storm's verdict: ``held``, ``judged``, the figures, and what broke, in sentences."""
    stopped = str(report.get("stopped_by") or "")
    scenarios = _logins(report)
    asked = sum(int(s.get("asked") or 0) for s in scenarios)
    failed = sum(int(s.get("failed") or 0) for s in scenarios)
    if stopped and not stopped.startswith("consent"):
        unfinished = sum(int((s.get("errors") or {}).get("unfinished", 0)) for s in scenarios)
        asked, failed = asked - unfinished, failed - unfinished
    login = headline.get("login_ms") or {}
    p95_s = round(float(login.get("p95") or 0.0) / 1000, 4) if login.get("count") else None
    share = failed / asked if asked else None
    tolerance = {
        "max_failed_percent": max_failed_percent,
        "max_login_p95_s": max_login_p95_s,
        "success_ratio": round(1 - max_failed_percent / 100, 6),
        "login_p95_ms": max_login_p95_s * 1000,
    }
    verdict: dict[str, Any] = {
        "held": False,
        "judged": True,
        "logins": asked,
        "failed": failed,
        "failed_percent": None if share is None else round(share * 100, 3),
        "login_p95_s": p95_s,
        "tolerance": tolerance,
        "broke": [],
    }
    if stopped.startswith("consent"):
        verdict.update(judged=False, summary=f"the storm did not run as planned: {stopped}")
        return verdict
    if not asked:
        verdict.update(judged=False, summary="the storm offered no login: nothing was tested")
        return verdict
    broke = verdict["broke"]
    if share is not None and share * 100 > max_failed_percent:
        broke.append(
            f"{_percent(share)} of logins failed ({failed} of {asked}), over the tolerance of "
            f"{max_failed_percent:g}%"
        )
    if p95_s is None:
        broke.append("no login completed, so no login p95")
    elif p95_s > max_login_p95_s:
        broke.append(
            f"login p95 {p95_s:g} s during the storm, over the budget of {max_login_p95_s:g} s"
        )
    verdict["held"] = not broke
    verdict["summary"] = (
        "the storm broke the login path: " + "; ".join(broke)
        if broke
        else f"the storm held: {_percent(share or 0.0)} of logins failed, login p95 {p95_s:g} s"
    )
    return verdict
