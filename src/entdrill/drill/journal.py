"""What an experiment's Chaos Toolkit journal says, as the records and the review read it (pure).

:func:`summarise` turns a journal (or its absence: a run killed before writing it) into the
experiment's status, whether it deviated, its key measures and, for a login storm, its
per-second series. Measures common to every experiment: ``steady_state_before`` and
``steady_state_after`` (met or not), ``duration_s``, ``failed_activities``, ``probes`` (each
probe's ``ok`` and ``seconds`` where it returned them), and what the staging control says
(``interrupted_because``, ``faults_reverted``). A login storm adds ``storm_multiple``,
``offered_rate_per_s``, ``achieved_rate_per_s``, ``login_p50_ms``/``p95``/``p99``,
``success_ratio``, ``requests`` and ``errors``; a video bridge outage adds ``fallback_worked``
and ``backup_joinable``; a capacity search (``capacity_search``) adds the figures of its report
(``sustained_rate``, ``breaking_rate``, ``sustained_multiple``, ``breaking_multiple``,
``required_multiple``, ``headroom``, ``broke_by``, ``capacity_outcome``, ``capacity_steps``) and
deviates when the headroom is below 1, even when Chaos Toolkit stopped at the hypothesis
checked before the (empty) method and left the journal "completed".

A journal that ends ``completed`` with a failed action is not "the system held": such a run is
reported ``failed`` (Chaos Toolkit lets a failed action pass silently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExperimentSummary:
    status: str  # completed, failed, aborted, interrupted, killed, missing
    deviated: bool
    measures: dict[str, Any]
    series: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)  # sentences for findings

    @property
    def held(self) -> bool:
        return self.status == "completed" and not self.deviated


def summarise(
    kind: str, journal: dict[str, Any] | None, *, outcome: str, configuration: dict[str, Any]
) -> ExperimentSummary:
    """The summary of one run; ``outcome`` says how its process ended (when no journal)."""
    if journal is None:
        return ExperimentSummary(
            status="killed" if "signal" in outcome else "missing",
            deviated=False,
            measures={"outcome": outcome},
            problems=[f"the experiment left no journal ({outcome})"],
        )
    runs = [r for r in journal.get("run") or [] if isinstance(r, dict)]
    failed = [_name(r) for r in runs if r.get("status") == "failed"]
    status = str(journal.get("status") or "unknown")
    problems = []
    if status == "completed" and failed:
        status = "failed"
        problems.append(f"activities failed: {', '.join(failed)}")
    control = _dict(journal.get("entdrill"))
    faults = _dict(control.get("faults"))
    measures: dict[str, Any] = {
        "outcome": outcome,
        "steady_state_before": _met(journal, "before"),
        "steady_state_after": _met(journal, "after"),
        "duration_s": _number(journal.get("duration")),
        "failed_activities": failed,
        "probes": _probes(runs),
        "interrupted_because": control.get("interrupted_because"),
        "faults_reverted": len(faults.get("reverted") or []),
    }
    if control.get("interrupted_because"):
        problems.append(str(control["interrupted_because"]))
    if faults and not faults.get("ok", True):
        problems.append(f"faults left in place: {faults.get('summary', '')}")
    series = None
    if kind.startswith("login_storm"):
        storm, series = _storm(runs, configuration)
        measures.update(storm)
    if "video_bridge" in kind:
        measures.update(_video(measures["probes"], bool(journal.get("deviated"))))
    deviated = bool(journal.get("deviated"))
    if kind.startswith("capacity"):
        found, short = _capacity(journal, runs)
        measures.update(found)
        if short:
            deviated = True
            problems.append(short)
    measures["held"] = status == "completed" and not deviated
    return ExperimentSummary(status, deviated, measures, series, problems)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _name(run: dict[str, Any]) -> str:
    return str(_dict(run.get("activity")).get("name", "?"))


def _met(journal: dict[str, Any], when: str) -> bool | None:
    state = _dict(journal.get("steady_states")).get(when)
    return bool(state.get("steady_state_met")) if isinstance(state, dict) else None


def _number(value: Any) -> float | None:
    return round(float(value), 3) if isinstance(value, int | float) else None


def _probes(runs: list[dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for run in runs:
        activity = _dict(run.get("activity"))
        output = run.get("output")
        if activity.get("type") != "probe" or not isinstance(output, dict):
            continue
        shown = {k: output[k] for k in ("ok", "seconds", "bridge", "error") if k in output}
        if shown:
            found[_name(run)] = shown
    return found


def _storm(
    runs: list[dict[str, Any]], configuration: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    measures: dict[str, Any] = {
        "storm_multiple": configuration.get("storm_multiplier"),
        "normal_rate_per_s": configuration.get("normal_login_rate"),
    }
    result = next(
        (
            r["output"]
            for r in runs
            if isinstance(r.get("output"), dict) and "headline" in r["output"]
        ),
        None,
    )
    if result is None:
        return measures, None
    headline, report = result.get("headline") or {}, result.get("report") or {}
    schedule = report.get("schedule") or {}
    login = headline.get("login_ms") or {}
    started = max(
        1, int((report.get("totals") or {}).get("started") or headline.get("achieved") or 0)
    )
    measures.update(
        {
            "offered_rate_per_s": schedule.get("peak_rate"),
            "achieved_rate_per_s": headline.get("achieved_rate"),
            "login_p50_ms": login.get("p50"),
            "login_p95_ms": login.get("p95"),
            "login_p99_ms": login.get("p99"),
            "success_ratio": round(int(headline.get("completed") or 0) / started, 4),
            "requests": headline.get("achieved"),
            "errors": headline.get("errors") or {},
            "stopped_by": headline.get("stopped_by", ""),
        }
    )
    verdict = result.get("verdict")
    if isinstance(verdict, dict) and isinstance(verdict.get("tolerance"), dict):
        measures["tolerance"] = verdict["tolerance"]  # the experiment's own budget, for the review
    raw = report.get("series")
    series = raw if isinstance(raw, dict) and raw else None
    return measures, series


_CAPACITY_KEYS = (
    "sustained_rate",
    "breaking_rate",
    "normal_rate",
    "sustained_multiple",
    "breaking_multiple",
    "required_multiple",
    "headroom",
    "broke_by",
    "verdict",
)
_STEP_KEYS = ("rate", "multiple", "phase", "held", "p50_ms", "p95_ms", "error_share", "errors")


def _capacity(journal: dict[str, Any], runs: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """The figures of the capacity report in the journal, and a sentence when the headroom is
    short of the requirement ("" otherwise)."""
    outputs = [r.get("output") for r in runs]
    for when in ("before", "after"):
        state = _dict(_dict(journal.get("steady_states")).get(when))
        outputs += [p.get("output") for p in state.get("probes") or [] if isinstance(p, dict)]
    reports = [
        o
        for o in outputs
        if isinstance(o, dict) and o.get("format", "").startswith("entdrill-capacity-report/")
    ]
    if not reports:
        return {}, ""
    report = next((r for r in reports if not r.get("reused")), reports[0])
    objective = _dict(report.get("objective"))
    found = {key: report.get(key) for key in _CAPACITY_KEYS}
    found.update(
        capacity_outcome=report.get("outcome"),
        p95_budget_ms=objective.get("p95_budget_ms"),
        max_errors=objective.get("max_errors"),
        capacity_steps=[
            {k: s.get(k) for k in _STEP_KEYS}
            for s in report.get("steps") or []
            if isinstance(s, dict)
        ],
    )
    headroom = report.get("headroom")
    if isinstance(headroom, int | float) and headroom < 1:
        return found, (
            f"logins sustained {report.get('sustained_multiple') or 0:g}x normal, below the "
            f"required {report.get('required_multiple')}x (headroom {headroom:.2f})"
        )
    return found, ""


def _video(probes: dict[str, Any], deviated: bool) -> dict[str, Any]:
    backup = next((v for k, v in probes.items() if "backup" in k), None)
    during = next((v for k, v in probes.items() if "during" in k), None)
    return {
        "bridge": "primary",
        "backup_joinable": None if backup is None else bool(backup.get("ok")),
        "fallback_worked": (not deviated) if during is None else bool(during.get("ok")),
    }
