"""Detection as a drill result: did monitoring see each fault and storm, and how fast?

From the first injection to the end of the drill an :class:`~entdrill.monitoring.alerts.AlertWatch`
polls the target's Alertmanager (the sandbox's, or ``ALERTMANAGER_URL`` for a staging ENT). When
the drill has recovered, :meth:`DrillDetection.finish` waits a little for the alerts to resolve
after the rollbacks, then matches every injection with the alerts
(:mod:`entdrill.monitoring.detection`) and records one row per injection (``detections``) and a
timeline event per experiment.

Injections are read from what the experiments' processes left: the faults in the fault ledger
owned by each ``chaos run`` process (injected and undone times), and each login storm started
in the journal's method (its start; "undone" at the first rollback, or when the run ended).

A plan that expects detection (``expect: {detected_within: 60s}`` on an experiment) is refused
before it starts when there is no Alertmanager to read (:func:`require_monitoring`). Each
injection of such an experiment not detected within that time makes the drill ``not_met`` and is
a finding with the owner the debrief names for the experiment; "unknown" (Alertmanager could not
be read) is said as such, never as "not detected". An injection not detected while its
experiment deviated (something broke and no alert fired) is a finding too.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from entdrill.drill.findings import DrillFinding
from entdrill.drill.inject import ExperimentRun
from entdrill.drill.timeline import Timeline
from entdrill.drill_plan import ExperimentRef, Plan
from entdrill.errors import GuardRefusal
from entdrill.faults.ledger import Ledger
from entdrill.monitoring import detection
from entdrill.monitoring.alerts import AlertWatch
from entdrill.records import DetectionRecord, Records

log = logging.getLogger(__name__)

ALERTMANAGER_ENV = "ALERTMANAGER_URL"
#: After the rollbacks, how long the drill waits for the alerts it saw to resolve.
RESOLVE_WAIT_S = 30.0
STORM_FUNCS = ("start_login_storm",)


def monitoring_of(plan: Plan, status: dict[str, Any] | None) -> tuple[str, str]:
    """The Alertmanager a drill of ``plan`` reads, and why there is none ("" when there is)."""
    if plan.target.is_sandbox:
        if status is None:
            return "", "the sandbox is not running"
        url = str(status.get("alertmanager_url") or "")
        return url, "" if url else str(status.get("monitoring_problem") or "no Alertmanager")
    url = os.environ.get(ALERTMANAGER_ENV, "")
    return url, "" if url else f"{ALERTMANAGER_ENV} is not set for the staging ENT"


def expecting(plan: Plan) -> list[tuple[int, ExperimentRef]]:
    return [(i, e) for i, e in enumerate(plan.experiments) if e.detected_within_s is not None]


def require_monitoring(plan: Plan, url: str, problem: str) -> None:
    """Refuse a plan that expects detection when no Alertmanager can be read (exit 3)."""
    expected = expecting(plan)
    if expected and not url:
        index, ref = expected[0]
        raise GuardRefusal(
            f"{plan.path}: experiments[{index}].expect.detected_within ({ref.written}) needs "
            f"Prometheus and Alertmanager, and there are none: {problem}",
            rule="monitoring",
        )


def _time(text: Any) -> float | None:
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def injections_of(
    run: ExperimentRun, journal: dict[str, Any] | None, ledger: Ledger
) -> list[detection.Injection]:
    """The faults and storms one experiment's process injected, oldest first."""
    journal = journal or {}
    rollbacks = [
        _time(r.get("start")) for r in journal.get("rollbacks") or [] if isinstance(r, dict)
    ]
    rolled_back = min((t for t in rollbacks if t is not None), default=None)
    ended = run.ended_at.timestamp() if run.ended_at else None
    found: list[detection.Injection] = []
    for entry in ledger.entries():
        owner = entry.owner
        if owner.pid != run.pid or owner.started != run.start_ticks or entry.injected_at is None:
            continue
        component = str(entry.target.get("component") or entry.target.get("name") or "")
        # reverted: by the experiment's rollbacks (the ledger may settle it later), or the ledger
        undone = min((t for t in (rolled_back, entry.undone_at) if t is not None), default=None)
        found.append(
            detection.Injection(run.name, entry.kind, component, entry.injected_at, undone)
        )
    for item in journal.get("run") or []:
        activity = item.get("activity") if isinstance(item, dict) else None
        provider = (activity or {}).get("provider") or {}
        if (activity or {}).get("type") == "action" and provider.get("func") in STORM_FUNCS:
            started = _time(item.get("start"))
            if started is not None and item.get("status") == "succeeded":
                undone = rolled_back if rolled_back is not None else ended
                found.append(detection.Injection(run.name, "storm", "ent", started, undone))
    return sorted(found, key=lambda i: i.injected_at)


@dataclass
class DrillDetection:
    """The alert watch of one drill, and what it concluded."""

    plan: Plan
    records: Records
    timeline: Timeline
    drill_id: str
    alertmanager_url: str
    problem: str
    watch: AlertWatch | None = None
    watched_from: float | None = None
    misses: list[str] = field(default_factory=list)
    findings: list[DrillFinding] = field(default_factory=list)

    def start(self) -> None:
        """Begin watching Alertmanager (before the first injection)."""
        if not self.alertmanager_url or self.watch is not None:
            return
        self.watch = AlertWatch(self.alertmanager_url)
        self.watch.start()
        self.watched_from = self.watch.started_at
        self.timeline.record(
            "inject",
            "monitoring_watched",
            {"alertmanager_url": self.alertmanager_url},
            text=f"watching Alertmanager at {self.alertmanager_url}",
        )

    def finish(
        self, runs: list[ExperimentRun], *, wait: bool = True, ledger: Ledger | None = None
    ) -> None:
        """Wait for the alerts to resolve, match them with the injections, record the results."""
        ledger = ledger or Ledger()
        per_run = [(run, injections_of(run, run.read_journal(), ledger)) for run in runs]
        if not any(found for _, found in per_run):
            self._stop()
            return
        if wait:
            self._wait_for_resolution()
        self._stop()
        seen, gaps = self.watch.snapshot() if self.watch else ([], [])
        problem = self.problem or (self.watch.problem if self.watch else "")
        for run, found in per_run:
            within = run.ref.detected_within_s
            results = [
                detection.detect(
                    injection,
                    seen,
                    gaps,
                    watched_from=self.watched_from,
                    watched_until=time.time(),
                    problem=problem or "no Alertmanager to read",
                )
                for injection in found
            ]
            if results:
                self._record(run, results, within)

    def _wait_for_resolution(self) -> None:
        if self.watch is None:
            return
        deadline = time.monotonic() + RESOLVE_WAIT_S
        while time.monotonic() < deadline:
            seen, _ = self.watch.snapshot()
            if all(
                s.gone_at is not None
                for s in seen
                if s.alert.starts_at >= self.watch.started_at - 1
            ):
                return
            time.sleep(1.0)

    def _stop(self) -> None:
        if self.watch is not None:
            self.watch.stop()

    def _record(
        self, run: ExperimentRun, results: list[detection.Detection], within: float | None
    ) -> None:
        experiment_id = f"{self.drill_id}-{run.name}"
        rows = [
            DetectionRecord(
                drill_id=self.drill_id,
                experiment_id=str(run.extra.get("record_id") or experiment_id),
                seq=seq,
                experiment=run.name,
                fault_kind=d.kind,
                component=d.component,
                service=d.service,
                injected_at=datetime.fromtimestamp(d.injected_at, UTC),
                status=d.status,
                alert=d.alert,
                detected_after_s=d.detected_after_s,
                resolved_after_s=d.resolved_after_s,
                expected_within_s=within,
                why=d.why,
            )
            for seq, d in enumerate(results)
        ]
        self.records.add_detections(rows)
        summary = detection.experiment_summary(results)
        words = ", ".join(_words(d) for d in results)
        self.timeline.record(
            "verify",
            "detection",
            {
                "experiment": run.name,
                "kind": run.kind,
                **summary,
                "expected_within_s": within,
                "injections": [d.to_dict() for d in results],
            },
            text=f"detection of {run.kind}: {words}",
        )
        deviated = bool(run.extra.get("deviated"))
        for d in results:
            late = (
                d.status == detection.DETECTED
                and within is not None
                and (d.detected_after_s or 0) > within
            )
            if within is not None and (d.status != detection.DETECTED or late):
                self.misses.append(f"{d.kind} on {d.component} {_miss(d, within)}")
                self.findings.append(_finding(run, d, within))
            elif d.status == detection.NOT_DETECTED and deviated:
                self.findings.append(_finding(run, d, None))


def _words(d: detection.Detection) -> str:
    if d.status == detection.DETECTED:
        return f"{d.kind} on {d.component} detected after {d.detected_after_s:g} s ({d.alert})"
    if d.status == detection.UNKNOWN:
        return f"{d.kind} on {d.component}: detection unknown ({d.why})"
    return f"{d.kind} on {d.component} not detected"


def _miss(d: detection.Detection, within: float) -> str:
    if d.status == detection.DETECTED:
        return f"detected after {d.detected_after_s:g} s, over {within:g} s"
    if d.status == detection.UNKNOWN:
        return f"detection unknown ({d.why})"
    return f"not detected within {within:g} s"


def _finding(run: ExperimentRun, d: detection.Detection, within: float | None) -> DrillFinding:
    where = f"{d.kind} on {d.component or d.service}"
    if d.status == detection.UNKNOWN:
        return DrillFinding(
            f"detection:{run.kind}:{d.kind}:unknown",
            "medium",
            f"{where}: whether monitoring saw it is unknown",
            f"Alertmanager could not be read: {d.why}",
            run.kind,
        )
    if d.status == detection.DETECTED:
        return DrillFinding(
            f"detection:{run.kind}:{d.kind}:late",
            "medium",
            f"{where} detected after {d.detected_after_s:g} s, later than {within:g} s",
            f"the first alert was {d.alert}; the plan expects one within {within:g} s",
            run.kind,
        )
    expected = f"; the plan expects an alert within {within:g} s" if within is not None else ""
    return DrillFinding(
        f"detection:{run.kind}:{d.kind}:not_detected",
        "high",
        f"{where} was not detected: no alert fired",
        f"no alert of the {d.service} service fired in Alertmanager while it was in place{expected}",
        run.kind,
    )
