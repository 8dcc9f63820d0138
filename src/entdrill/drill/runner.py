"""The drill runner: announce, inject, activate fallbacks, verify, recover, debrief.

:func:`run_drill` runs one prepared drill (:mod:`entdrill.drill.prepare`) and returns its
verdict. Every step is an event committed to the records as it happens (:mod:`timeline`); the
ledger entries, experiments, channel results and findings are written as they are known.

- **announce**: the plan's announcement is posted in its Slack channel, where ``STOP DRILL`` is
  then read; a Slack that refuses is a finding, and the drill goes on.
- **inject**: what each experiment will inject is recorded first (``inject/planned``), then the
  experiments start, side by side, each a ``chaos run`` process (:mod:`inject`).
- **fallbacks**: once one of them has a fault in place (seen in the fault ledger), or they have
  all ended, or ``activate_after_s`` has passed, the backup room is opened and every channel
  activated at start sends its message; manual steps are posted.
- **verify**: channels are polled until every expectation is met or every deadline has passed;
  escalations fire ``after`` their delay for those still silent; manual steps wait for their
  confirmation (Slack, or ``entdrill drill confirm``, read from the records).
- **recover**: experiments are let finish (or stopped, when the drill is), the faults their
  processes left are reverted, login storms of the drill stopped, the incident resolved and the
  room ended. This runs on every path: success, failure, kill switch, Ctrl-C, internal error.
- **debrief**: channel outcomes and findings are recorded, the debrief is posted in Slack, and
  the drill ends ``met`` (exit 0), ``not_met`` (1) or ``aborted`` (2).

The kill switch (``entdrill stop``, SIGTERM, Ctrl-C, an organiser's ``STOP DRILL``, the plan's
``max_duration``) stops the drill at once: faults reverted first, then everyone told on the
channels that were used, and the drill recorded as aborted.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from entdrill import paths, redact
from entdrill.channels import LedgerEvent, LedgerState
from entdrill.channels.slack import connect
from entdrill.channels.slack_client import SlackConnection, SlackFailure
from entdrill.drill import debrief, findings, journal
from entdrill.drill.fallbacks import Fallbacks
from entdrill.drill.fault_guard import Process, injected_by, revert
from entdrill.drill.inject import ExperimentRun, child_environment
from entdrill.drill.killswitch_watch import StopWatch
from entdrill.drill.ledger import (
    ChannelResult,
    Ledger,
    build_ledger,
    escalation_targets,
    expectations_of,
)
from entdrill.drill.message import render
from entdrill.drill.prepare import Prepared
from entdrill.drill.timeline import Display, Timeline
from entdrill.flood import runs as storms
from entdrill.guard import killswitch
from entdrill.records import DrillStatus, NewLedgerEntry, Records

log = logging.getLogger(__name__)

CHILD_EXIT_WAIT_S = 20.0  # for an experiment told to stop to revert its faults and end


class DrillAborted(Exception):
    """The drill must stop now; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RunOptions:
    poll_s: float = 2.0  # how often channels, confirmations and escalations are looked at
    activate_after_s: float = 20.0  # fallbacks start at the first fault, at the latest then
    experiment_wait_s: float = 900.0  # how long the end of the drill waits for experiments
    tick_s: float = 0.25


@dataclass
class DrillResult:
    drill_id: str
    status: DrillStatus
    exit_code: int
    reason: str
    where: str
    report: debrief.DrillReport | None = None
    findings: list[findings.DrillFinding] = field(default_factory=list)


def run_drill(
    prepared: Prepared,
    records: Records,
    *,
    display: Display | None = None,
    options: RunOptions | None = None,
) -> DrillResult:
    """Run the drill ``prepared`` describes, recording it in ``records`` (see the docstring)."""
    return DrillRunner(prepared, records, display=display, options=options).run()


class DrillRunner:
    def __init__(
        self,
        prepared: Prepared,
        records: Records,
        *,
        display: Display | None = None,
        options: RunOptions | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if prepared.fallbacks is None or prepared.context is None:
            raise ValueError("a drill runs with its channels built (prepare without dry_run)")
        self.prepared = prepared
        self.plan = prepared.plan
        self.fallbacks: Fallbacks = prepared.fallbacks
        self.records = records
        self.display = display
        self.options = options or RunOptions()
        self.clock = clock
        self.drill_id = prepared.drill_id
        self.timeline = Timeline(records, self.drill_id, display)
        self.stop = StopWatch(None, organisers=self.plan.organiser_slack_ids)
        self.slack: SlackConnection | None = None
        self.announcement_problem = ""
        self.experiments: list[ExperimentRun] = []
        self.verdicts: list[findings.ExperimentVerdict] = []
        self.events: list[LedgerEvent] = []
        self.expectations = expectations_of(self.plan.channels, self.plan.manual_steps)
        self.escalated: set[str] = set()
        self.ignored_stops: list[str] = []
        self.recovery_problems: list[str] = []
        self.seen_seq = 0
        self.next_poll = 0.0
        self.started = datetime.now(UTC)
        self.highlights: list[tuple[float, str]] = []
        self.group_of = prepared.group_of()

    # -- the whole drill --------------------------------------------------------------------

    def run(self) -> DrillResult:
        plan = self.plan
        drill = self.records.create_drill(
            drill_id=self.drill_id,
            plan_name=plan.name,
            plan_path=str(plan.path),
            plan_digest=plan.digest,
            target=self.prepared.target,
            organisers=plan.organisers,
        )
        self.started = drill.started_at
        self._record_plan()
        aborted = ""
        with killswitch.registered("drill", self.drill_id) as registration:
            self.stop = StopWatch(
                registration,
                organisers=plan.organiser_slack_ids,
                names=self._slack_names(),
                max_duration_s=plan.recover.max_duration_s,
                clock=self.clock,
            )
            with self.stop.signals():
                try:
                    self._announce()
                    self._inject()
                    self._activate()
                    self._verify()
                    self._wait_for_experiments()
                except DrillAborted as stopped:
                    aborted = stopped.reason
                except Exception as error:  # a bug must still revert the faults
                    log.exception("the drill failed")
                    aborted = redact.redact(f"internal error: {type(error).__name__}: {error}")
                    self.timeline.record("drill", "error", {"error": aborted}, text=aborted)
                finally:
                    self._recover(aborted)
                if aborted:
                    self._tell_everyone(aborted)
                return self._finish(aborted)

    # -- phases -----------------------------------------------------------------------------

    def _record_plan(self) -> None:
        p = self.prepared
        manual = {s.name: [x.id for x in p.audiences[s.name]] for s in self.plan.manual_steps}
        manual |= {
            c.name: [c.confirmed_by] if c.confirmed_by else [x.id for x in p.audiences[c.name]]
            for c in self.plan.channels
            if c.type == "manual"
        }
        self.timeline.record(
            "plan",
            "loaded",
            {
                "plan": self.plan.name,
                "digest": self.plan.digest,
                "target": p.target,
                "channels": {c.name: len(p.audiences[c.name]) for c in self.plan.channels},
                "manual_steps": manual,
                "experiments": [e.written for e in self.plan.experiments],
                "blackout_forced": p.blackout or None,
                "pid": os.getpid(),
            },
            text=f"plan {self.plan.name} ({self.plan.digest[:12]}) on {p.target}"
            + (f"; forced through the blackout {p.blackout}" if p.blackout else ""),
        )

    def _announce(self) -> None:
        assert self.prepared.context is not None
        announcement = self.plan.announcement
        text = render(announcement.message, self.fallbacks.values())
        oldest = f"{time.time() - 1:.6f}"
        try:
            self.slack = connect(self.prepared.context)
            self.fallbacks.share_slack(self.slack)
            posted = self.slack.post(
                announcement.post_in,
                text,
                drill_id=self.drill_id,
                notification_id="announcement",
            )
        except SlackFailure as failure:
            self.announcement_problem = failure.cause
            self.timeline.record(
                "announce",
                "failed",
                {"channel": announcement.post_in, "cause": failure.cause},
                text=f"could not announce in {announcement.post_in}: {failure.cause}",
            )
        else:
            oldest = posted.ts
            self.fallbacks.announced(posted.ts)
            self.timeline.record(
                "announce",
                "posted",
                {"channel": announcement.post_in, **posted.evidence()},
                text=f"announced in {announcement.post_in}",
            )
        if self.slack is not None:
            self.stop.watch_slack(self.slack, announcement.post_in, oldest)
        self._tick(channels=False)

    def _inject(self) -> None:
        if not self.prepared.experiments:
            return
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
        directory = paths.home() / "drills" / self.drill_id
        environment = child_environment(
            "" if self.plan.target.is_sandbox else self.plan.target.ent_url, paths.home()
        )
        for index, (ref, document) in enumerate(self.prepared.experiments):
            self._tick(channels=False)
            run = ExperimentRun(index, ref, str(document.get("title", "")), directory)
            run.start(environment)
            self.experiments.append(run)
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

    def _activate(self) -> None:
        waited = self.clock() + self.options.activate_after_s
        why = "no experiment"
        while self.experiments:
            faults = injected_by(self._processes())
            if faults:
                why = f"fault in place: {faults[0]['kind']} on {faults[0]['where']}"
                self.timeline.record("inject", "fault_seen", {"faults": faults}, text=why)
                break
            if all(not run.running for run in self.experiments):
                why = "every experiment has ended"
                break
            if self.clock() >= waited:
                why = f"{self.options.activate_after_s:g} s after the injection started"
                break
            self._tick(channels=False)
            time.sleep(self.options.tick_s)
        room = self.fallbacks.open_room()  # first: the other messages link to it
        self._ledger(room)
        for channel in self.plan.channels:
            if channel.activate != "at_start":
                continue
            self._tick(channels=False)
            sent = self.fallbacks.activate(channel.name)
            self._ledger(sent)
            if channel.type == "video":
                sent = room + sent
            self._activated(channel.name, sent, why)
        for step in self.plan.manual_steps:
            sent = self.fallbacks.activate(step.name)
            self._ledger(sent)
            self._activated(step.name, sent, why)

    def _activated(self, name: str, events: list[LedgerEvent], why: str) -> None:
        counts = {s.value: 0 for s in LedgerState}
        for event in events:
            counts[event.state.value] += 1
        lane = self.fallbacks.lanes[name]
        causes = sorted({str(e.evidence.get("cause")) for e in events if e.state.value == "failed"})
        self.timeline.record(
            "fallbacks",
            "channel_activated",
            {"channel": name, "type": lane.kind, "why": why, **counts, "causes": causes[:3]},
            text=f"{name} ({lane.kind}) activated: {counts['sent']} sent, "
            f"{counts['failed']} failed" + (f" ({causes[0]})" if causes else ""),
        )

    def _verify(self) -> None:
        while True:
            self._tick()
            if self._verified():
                break
            time.sleep(self.options.tick_s)
        self.timeline.record(
            "verify",
            "done",
            {"channels": {n: r.outcome for n, r in self._ledger_now().channels.items()}},
            text="verification over: " + self._progress(),
        )

    def _wait_for_experiments(self) -> None:
        until = self.clock() + self.options.experiment_wait_s
        if any(run.running for run in self.experiments):
            self.timeline.note("recover", "waiting for the experiments to end")
        while any(run.running for run in self.experiments) and self.clock() < until:
            self._tick()
            time.sleep(self.options.tick_s)

    def _recover(self, aborted: str) -> None:
        self.stop.deadline = None
        reason = aborted or "the drill is over"
        for run in self.experiments:
            run.terminate(reason)
        for run in self.experiments:
            if not run.wait(CHILD_EXIT_WAIT_S):
                log.warning("experiment %s did not end after SIGTERM: killing it", run.kind)
                run.kill()
            self._experiment_ended(run)
        report = revert(self._processes())
        self.recovery_problems = [
            f"{f['kind']} on {f['target'].get('component') or f['target'].get('url')}: {f['error']}"
            for f in report.failed
        ] + list(report.problems)
        self.timeline.record(
            "recover",
            "faults_reverted",
            {
                "faults": len(report.reverted),
                "reverted": [{"id": r["id"], "kind": r["kind"]} for r in report.reverted],
                "problems": self.recovery_problems,
                "ok": report.ok,
            },
            text=f"faults: {report.summary()}",
        )
        stopped = self._stop_storms()
        if stopped:
            self.timeline.record(
                "recover", "storms_stopped", {"runs": stopped}, text=f"storms stopped: {stopped}"
            )
        done = self.fallbacks.recover()
        if done:
            self.timeline.record(
                "recover", "channels_recovered", done, text=f"undone: {', '.join(done)}"
            )

    def _tell_everyone(self, reason: str) -> None:
        text = render(
            f"The drill {{drill}} is stopped: {reason}. Every fault is reverted; "
            "nothing more to do.",
            self.fallbacks.values(),
        )
        posted = ""
        if self.slack is not None:
            try:
                self.slack.post(
                    self.plan.announcement.post_in,
                    text,
                    drill_id=self.drill_id,
                    notification_id="stopped",
                )
                posted = self.plan.announcement.post_in
            except SlackFailure as failure:
                log.warning("cannot tell %s: %s", self.plan.announcement.post_in, failure.cause)
        told = self.fallbacks.tell_stopped(reason)
        self.timeline.record(
            "killswitch",
            "everyone_told",
            {"posted_in": posted, "channels": told},
            text="everyone told: "
            + ", ".join([posted, *(f"{n} ({t['told']})" for n, t in told.items())]).strip(", "),
        )

    def _finish(self, aborted: str) -> DrillResult:
        ended = datetime.now(UTC)
        ledger = self._ledger_now(final=not aborted)
        verdict = debrief.verdict(
            ledger,
            self.verdicts,
            aborted=aborted,
            announced=not self.announcement_problem,
            recovered=not self.recovery_problems,
        )
        for name, result in ledger.channels.items():
            if result.outcome in ("worked", "degraded", "failed"):
                self.records.add_channel_result(
                    self.drill_id,
                    name,
                    result.outcome,
                    expectation=result.to_dict()["expect"] or {},
                    delivered_share=result.delivered_share,
                    acknowledged_share=result.acknowledged_share,
                    cause=None if result.outcome == "worked" else _cause(result),
                    details=result.to_dict(),
                )
                self.timeline.record(
                    "verify",
                    "channel_outcome",
                    {"channel": name, "outcome": result.outcome, "reason": result.reason},
                    text=f"{name}: {result.outcome} ({result.reason})",
                )
        found = findings.ordered(
            findings.run_findings(
                announcement_problem=self.announcement_problem,
                recovery_problems=self.recovery_problems,
                ignored_stops=self.ignored_stops,
                stop_unreadable=self.stop.slack_problem,
            )
            + findings.experiment_findings(self.verdicts)
            + findings.channel_findings(ledger, [s.name for s in self.plan.manual_steps])
        )
        owners = self.plan.debrief
        for finding in found:
            self.records.add_finding(
                self.drill_id,
                finding.severity,
                finding.title,
                detail=finding.detail,
                owner=owners.owner_of(finding.subject) if owners else None,
                key=finding.key,
            )
        self.timeline.record(
            "debrief",
            "findings",
            {"count": len(found), "keys": [f.key for f in found]},
            text=f"{len(found)} finding(s)",
        )
        report = debrief.DrillReport(
            drill_id=self.drill_id,
            plan_name=self.plan.name,
            started_at=self.started,
            ended_at=ended,
            verdict=verdict,
            ledger=ledger,
            experiments=self.verdicts,
            findings=found,
            manual_steps=[s.name for s in self.plan.manual_steps],
            timeline=self.highlights,
            record=self.records.where,
            mention=self._mentions(),
            names=self.prepared.names,
        )
        self._post_debrief(report)
        summary = {
            "channels": {n: r.outcome for n, r in ledger.channels.items()},
            "experiments": {v.kind: v.summary.status for v in self.verdicts},
            "findings": len(found),
            "people": len(ledger.people),
            "never_reached": len(ledger.never_reached),
        }
        self.records.finish_drill(
            self.drill_id, verdict.status, verdict.exit_code, summary, reason=verdict.reason
        )
        return DrillResult(
            self.drill_id,
            verdict.status,
            verdict.exit_code,
            verdict.reason,
            self.records.where,
            report,
            found,
        )

    def _post_debrief(self, report: debrief.DrillReport) -> None:
        target = self.plan.debrief
        if target is None:
            return
        text = render(debrief.debrief_text(report, target.include), {"drill": self.plan.name})
        if self.slack is None:
            cause = "no Slack connection"
        else:
            try:
                posted = self.slack.post(
                    target.post_in, text, drill_id=self.drill_id, notification_id="debrief"
                )
            except SlackFailure as failure:
                cause = failure.cause
            else:
                self.timeline.record(
                    "debrief",
                    "posted",
                    {"channel": target.post_in, **posted.evidence()},
                    text=f"debrief posted in {target.post_in}",
                )
                return
        self.timeline.record(
            "debrief",
            "failed",
            {"channel": target.post_in, "cause": cause, "text": text[:4000]},
            text=f"could not post the debrief in {target.post_in}: {cause}",
        )

    # -- the loop's work --------------------------------------------------------------------

    def _tick(self, *, channels: bool = True) -> None:
        """One turn of the loop: stop requests, experiments, and (every poll_s) channels."""
        for post in self.stop.read_slack():
            who = self.stop.who(post.user)
            data = {"user": post.user, "person": who, "ts": post.ts, "text": post.text}
            if post.honoured:
                self.timeline.record(
                    "killswitch", "stop_posted", data, text=f"STOP DRILL posted by {who}"
                )
            else:
                self.ignored_stops.append(who)
                self.timeline.record(
                    "killswitch",
                    "stop_ignored",
                    data,
                    text=f"STOP DRILL by {who} ignored: not an organiser",
                )
        reason = self.stop.stop_reason()
        if reason:
            self.timeline.record("killswitch", "stop", {"reason": reason}, text=reason)
            raise DrillAborted(reason)
        for run in self.experiments:
            if run.poll() and not run.recorded:
                self._experiment_ended(run)
        if not channels or self.clock() < self.next_poll:
            return
        self.next_poll = self.clock() + self.options.poll_s
        self._confirmations()
        self._ledger(self.fallbacks.poll(slack=not self.stop.pending))
        self._escalate()
        self.timeline.note("verify", self._progress())

    def _experiment_ended(self, run: ExperimentRun) -> None:
        if run.recorded or not run.poll():
            return
        run.recorded = True
        configuration = dict(self.prepared.fault_plans[run.index]["configuration"])
        summary = journal.summarise(
            run.kind, run.read_journal(), outcome=run.outcome(), configuration=configuration
        )
        self.verdicts.append(findings.ExperimentVerdict(run.kind, run.title, summary))
        self.records.add_experiment(
            drill_id=self.drill_id,
            title=run.title or run.kind,
            path=run.ref.written,
            kind=run.kind,
            status=summary.status,
            deviated=summary.deviated,
            started_at=run.started_at or datetime.now(UTC),
            ended_at=run.ended_at,
            measures=summary.measures,
            series=summary.series,
            journal=run.read_journal(),
        )
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

    def _ledger(self, events: list[LedgerEvent]) -> None:
        """Record ledger events: people's in the ledger, channel-wide ones as events."""
        if not events:
            return
        self.events += events
        people = [e for e in events if e.person_id]
        if people:
            self.records.add_ledger_entries(
                self.drill_id,
                [
                    NewLedgerEntry(
                        e.person_id,
                        e.channel,
                        e.state.value,
                        e.at,
                        self.group_of.get(e.person_id),
                        dict(e.evidence),
                    )
                    for e in people
                ],
            )
        for event in events:
            if not event.person_id:
                data: dict[str, Any] = {
                    "channel": event.channel,
                    "state": event.state.value,
                    "evidence": dict(event.evidence),
                }
                self.timeline.record(
                    "verify" if event.state is LedgerState.DELIVERED else "fallbacks",
                    "channel_fact",
                    data,
                    text=f"{event.channel}: {event.state.value}"
                    + (f" ({event.evidence['cause']})" if "cause" in event.evidence else ""),
                )

    def _confirmations(self) -> None:
        """Manual steps confirmed with ``entdrill drill confirm`` (events of other processes)."""
        for event in self.records.events(self.drill_id, after_seq=self.seen_seq):
            self.seen_seq = event.seq
            if (event.phase, event.kind) != ("manual", "confirmation_requested"):
                continue
            step, person = str(event.data.get("step")), str(event.data.get("person"))
            evidence: dict[str, Any] = {"via": "entdrill drill confirm", "seq": event.seq}
            accepted = self.fallbacks.confirm(step, person, evidence)
            self.timeline.record(
                "manual",
                "confirmation_accepted" if accepted else "confirmation_ignored",
                {"step": step, "person": person, "seq": event.seq},
                text=f"{step} confirmed by {person}"
                if accepted
                else f"confirmation of {step} by {person} ignored",
            )

    def _escalate(self) -> None:
        now = datetime.now(UTC)
        for channel in self.plan.channels:
            escalation = channel.escalation
            lane = self.fallbacks.lanes[channel.name]
            if escalation is None or channel.name in self.escalated or lane.activated_at is None:
                continue
            if now < lane.activated_at + timedelta(seconds=escalation.after_s):
                continue
            self.escalated.add(channel.name)
            target = self.fallbacks.lanes[escalation.to]
            ledger = build_ledger(self.events, self.expectations)
            people = [
                p
                for p in escalation_targets(ledger, channel.name, escalation.audience, at=now)
                if p in target.audience
            ]
            data = {"from": channel.name, "to": escalation.to, "audience": escalation.audience}
            if not people:
                self.timeline.record(
                    "verify",
                    "escalation_not_needed",
                    data,
                    text=f"escalation from {channel.name}: nobody left to reach",
                )
                continue
            sent = self.fallbacks.activate(escalation.to, people)
            self._ledger(sent)
            self.timeline.record(
                "verify",
                "escalated",
                {**data, "people": people},
                text=f"escalated {len(people)} {escalation.audience.replace('_', ' ')} "
                f"from {channel.name} to {escalation.to}",
            )

    # -- judging ----------------------------------------------------------------------------

    def _activation(self) -> dict[str, datetime]:
        return {
            n: lane.activated_at
            for n, lane in self.fallbacks.lanes.items()
            if lane.activated_at is not None
        }

    def _ledger_now(self, *, final: bool = True) -> Ledger:
        now = None if final else datetime.now(UTC)
        return build_ledger(
            self.events, self.expectations, activated_at=self._activation(), now=now
        )

    def _verified(self) -> bool:
        """Every expectation met (and no escalation still to come), or every deadline passed."""
        now = datetime.now(UTC)
        ledger = build_ledger(
            self.events, self.expectations, activated_at=self._activation(), now=now
        )
        horizon = [
            activated + timedelta(seconds=self.expectations[name].within_s)
            for name, activated in self._activation().items()
        ]
        pending = []
        for channel in self.plan.channels:
            lane = self.fallbacks.lanes[channel.name]
            escalation = channel.escalation
            if escalation is None or channel.name in self.escalated or lane.activated_at is None:
                continue
            horizon.append(lane.activated_at + timedelta(seconds=escalation.after_s))
            if escalation_targets(ledger, channel.name, escalation.audience, at=now):
                pending.append(channel.name)
        if horizon and now >= max(horizon):
            return True
        active = [ledger.channels[n] for n in self._activation() if n in ledger.channels]
        return not pending and all(r.outcome in ("worked", "unused") for r in active)

    def _progress(self) -> str:
        ledger = build_ledger(self.events, self.expectations, activated_at=self._activation())
        parts = []
        for name in self._activation():
            result = ledger.channels.get(name)
            if result is None or result.outcome == "unused":
                continue
            if result.sent_to == 0:
                parts.append(f"{name} {'ok' if result.delivered_final else '…'}")
                continue
            text = f"{name} {result.delivered_final}/{result.sent_to}"
            if self.expectations[name].acknowledged_share is not None:
                text += f" ({result.acknowledged_final} ack)"
            parts.append(text)
        return ", ".join(parts) or "nothing activated yet"

    # -- helpers ----------------------------------------------------------------------------

    def _processes(self) -> list[Process]:
        return [Process(run.pid, run.start_ticks) for run in self.experiments]

    def _stop_storms(self) -> list[str]:
        """Stop the login storms started during this drill and still running."""
        since = self.started.timestamp() - 1
        stopped = []
        try:
            found = [run for run in storms.all_runs() if run.started_at >= since and run.alive()]
        except (OSError, ValueError, TypeError) as error:
            log.warning("cannot list the login storms: %s", error)
            return []
        for run in found:
            storms.stop(run)
            stopped.append(run.run_id)
        return stopped

    def _slack_names(self) -> dict[str, str]:
        people = [p for ps in self.prepared.groups.values() for p in ps]
        people += [p for g in self.plan.groups for p in g.people]
        return {p.slack: p.id for p in people if p.slack}

    def _mentions(self) -> list[str]:
        debrief_plan = self.plan.debrief
        if debrief_plan is None:
            return []
        people = [p for g in debrief_plan.mention for p in self.prepared.groups.get(g, [])]
        return list(dict.fromkeys(p.slack for p in people if p.slack))


def _cause(result: ChannelResult) -> str:
    """Why a channel fell short: the verdict's reason, and what failed (with the servers' words)."""
    failures = "; ".join(
        f"{cause} ({count})"
        for cause, count in sorted(result.failures.items(), key=lambda kv: -kv[1])[:3]
        if cause not in result.reason
    )
    return f"{result.reason}; failed: {failures}" if failures else result.reason
