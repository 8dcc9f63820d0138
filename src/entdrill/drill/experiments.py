"""The drill's experiments as a whole: planned, started, watched, recorded, stopped.

:class:`Experiments` records what every experiment will inject before the first one starts
(``inject/planned``), starts each as a ``chaos run`` child (:mod:`inject`), and records each run
when it ends: its summary and redacted journal as an experiment of the drill, an
``inject/experiment_finished`` event, and a revert of any fault its process left open (its
staging control should have reverted them; this makes sure). :meth:`stop` ends those still
running with one SIGTERM each, so they revert their own faults, and kills any that will not end.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from entdrill import paths
from entdrill.drill import journal
from entdrill.drill.fault_guard import Process, injected_by, revert
from entdrill.drill.findings import ExperimentVerdict
from entdrill.drill.inject import ExperimentRun, child_environment, title_of
from entdrill.drill.prepare import Prepared
from entdrill.drill.timeline import Timeline
from entdrill.flood import all_runs, stop_run
from entdrill.records import Records

log = logging.getLogger(__name__)

CHILD_EXIT_WAIT_S = 20.0  # for an experiment told to stop to revert its faults and end


class Experiments:
    def __init__(self, prepared: Prepared, records: Records, timeline: Timeline) -> None:
        self.prepared = prepared
        self.records = records
        self.timeline = timeline
        self.runs: list[ExperimentRun] = []
        self.verdicts: list[ExperimentVerdict] = []

    @property
    def running(self) -> bool:
        return any(run.running for run in self.runs)

    def processes(self) -> list[Process]:
        return [Process(run.pid, run.start_ticks) for run in self.runs]

    def faults_in_place(self) -> list[dict[str, Any]]:
        """The faults the experiments' processes injected and nobody undid yet."""
        return injected_by(self.processes()) if self.runs else []

    def record_plan(self) -> None:
        """What every experiment will inject, recorded before any of them starts."""
        planned = [
            f"{action['func']} ({plan['kind']})"
            for plan in self.prepared.fault_plans
            for action in plan["faults"]
        ]
        self.timeline.record(
            "inject",
            "planned",
            {"experiments": self.prepared.fault_plans},
            text="faults planned: " + (", ".join(planned) or "none (load only)"),
        )

    def start(self, index: int) -> ExperimentRun:
        """Start the plan's experiment ``index`` and record its process."""
        plan = self.prepared.plan
        ref, document = self.prepared.experiments[index]
        directory = paths.home() / "drills" / self.prepared.drill_id
        environment = child_environment(
            "" if plan.target.is_sandbox else plan.target.ent_url,
            paths.home(),
            plan.target.experiment_environment(os.environ),
        )
        run = ExperimentRun(index, ref, title_of(ref, document), directory)
        run.start(environment)
        self.runs.append(run)
        self.timeline.record(
            "inject",
            "experiment_started",
            {
                "kind": run.kind,
                "path": ref.written,
                "pid": run.pid,
                "start_ticks": run.start_ticks,
                "journal": str(run.journal_path),
            },
            text=f"experiment {run.kind} started (pid {run.pid})",
        )
        return run

    def poll(self) -> None:
        """Record every experiment that has ended since the last look."""
        for run in self.runs:
            if run.poll() and not run.recorded:
                self.ended(run)

    def stop(self, reason: str) -> None:
        """End every experiment still running (one SIGTERM: it reverts its faults), and record."""
        for run in self.runs:
            run.terminate(reason)
        for run in self.runs:
            if not run.wait(CHILD_EXIT_WAIT_S):
                log.warning("experiment %s did not end after SIGTERM: killing it", run.kind)
                run.kill()
            self.ended(run)

    def ended(self, run: ExperimentRun) -> None:
        if run.recorded or not run.poll():
            return
        run.recorded = True
        configuration = dict(self.prepared.fault_plans[run.index]["configuration"])
        found = run.read_journal()
        summary = journal.summarise(
            run.kind, found, outcome=run.outcome(), configuration=configuration
        )
        self.verdicts.append(ExperimentVerdict(run.kind, run.title, summary))
        record = self.records.add_experiment(
            drill_id=self.prepared.drill_id,
            title=run.title or run.kind,
            path=run.ref.written,
            kind=run.kind,
            status=summary.status,
            deviated=summary.deviated,
            started_at=run.started_at or datetime.now(UTC),
            ended_at=run.ended_at,
            measures=summary.measures,
            series=summary.series,
            journal=found,
        )
        run.extra.update(record_id=record.id, deviated=summary.deviated)
        word = "held" if summary.held else ("deviated" if summary.deviated else summary.status)
        self.timeline.record(
            "inject",
            "experiment_finished",
            {
                "kind": run.kind,
                "status": summary.status,
                "deviated": summary.deviated,
                "outcome": run.outcome(),
                "returncode": run.returncode,
            },
            text=f"experiment {run.kind}: {word} ({run.outcome()})",
        )
        left = revert([Process(run.pid, run.start_ticks)])
        if left.reverted or not left.ok:
            self.timeline.record(
                "recover",
                "faults_left_by_experiment",
                {"kind": run.kind, "summary": left.summary(), "ok": left.ok},
                text=f"{run.kind} left faults: {left.summary()}",
            )

    def stop_storms(self, *, since: float) -> list[str]:
        """Stop the login storms started since ``since`` (epoch seconds) and still running."""
        try:
            found = [run for run in all_runs() if run.started_at >= since and run.alive()]
        except (OSError, ValueError, TypeError) as error:
            log.warning("cannot list the login storms: %s", error)
            return []
        for run in found:
            stop_run(run)
        return [run.run_id for run in found]
