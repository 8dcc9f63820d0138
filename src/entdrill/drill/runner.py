"""The drill runner: announce, inject, activate fallbacks, verify, recover, debrief.

:func:`run_drill` runs one prepared drill (:mod:`entdrill.drill.prepare`) and returns its
verdict. Every step is an event committed to the records as it happens (:mod:`timeline`); the
ledger entries, experiments, channel results and findings are written as they are known.

- **announce**: the plan's announcement is posted in its Slack channel (and its Matrix room, if
  it names one), where ``STOP DRILL`` is then read; a refusal is a finding, and the drill goes on.
- **inject**: what each experiment will inject is recorded first (``inject/planned``), then the
  experiments start, side by side, each a ``chaos run`` process (:mod:`experiments`).
- **fallbacks**: once one of them has a fault in place (seen in the fault ledger), or they have
  all ended, or ``activate_after_s`` has passed, the backup room is opened and every channel
  activated at start sends its message; manual steps are posted.
- **verify**: channels are polled until every expectation is met or every deadline has passed;
  escalations fire ``after`` their delay for those still silent; manual steps wait for their
  confirmation (Slack, or ``entdrill drill confirm``, read from the records)
  (:mod:`verification`).
- **recover**: experiments are let finish (or stopped, when the drill is), the faults their
  processes left are reverted, login storms of the drill stopped, the incident resolved and the
  room ended. This runs on every path: success, failure, kill switch, Ctrl-C, internal error.
- **debrief**: channel outcomes and findings are recorded, the debrief is posted in Slack, and
  the drill ends ``met`` (exit 0), ``not_met`` (1) or ``aborted`` (4 when stopped, 1 on an
  error) (:mod:`conclusion`).

The kill switch (``entdrill stop``, SIGTERM, Ctrl-C, an organiser's ``STOP DRILL``, the plan's
``max_duration``) stops the drill at once: faults reverted first, then everyone told on the
channels that were used, and the drill recorded as aborted.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from entdrill import redact
from entdrill.channels.slack import connect
from entdrill.channels.slack_client import SlackConnection, SlackFailure
from entdrill.drill.conclusion import DrillResult, RunFacts, conclude
from entdrill.drill.detection import DrillDetection
from entdrill.drill.experiments import Experiments
from entdrill.drill.fallbacks import Fallbacks
from entdrill.drill.fault_guard import revert
from entdrill.drill.killswitch_watch import StopWatch
from entdrill.drill.matrix_room import MatrixRoom
from entdrill.drill.message import render
from entdrill.drill.prepare import Prepared
from entdrill.drill.timeline import Display, Timeline
from entdrill.drill.verification import Verification
from entdrill.guard import killswitch
from entdrill.records import Records

__all__ = ["DrillAborted", "DrillResult", "DrillRunner", "RunOptions", "run_drill"]

log = logging.getLogger(__name__)


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
        self.options = options or RunOptions()
        self.clock = clock
        self.drill_id = prepared.drill_id
        self.timeline = Timeline(records, self.drill_id, display)
        self.experiments = Experiments(prepared, records, self.timeline)
        self.verification = Verification(
            self.plan, self.fallbacks, records, self.timeline, prepared.group_of()
        )
        self.stop = StopWatch(None, organisers=self.plan.organiser_slack_ids)
        self.slack: SlackConnection | None = None
        self.matrix = MatrixRoom(prepared)
        self.detection = DrillDetection(
            self.plan,
            records,
            self.timeline,
            self.drill_id,
            prepared.alertmanager_url,
            prepared.monitoring_problem,
        )
        self.facts = RunFacts()
        self.next_poll = 0.0
        self.started = datetime.now(UTC)

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
        with killswitch.registered("drill", self.drill_id) as registration:
            self.stop = StopWatch(
                registration,
                organisers=plan.organiser_slack_ids,
                names=self._slack_names(),
                max_duration_s=plan.recover.max_duration_s,
                clock=self.clock,
                matrix_organisers=plan.organiser_matrix_ids,
            )
            with self.stop.signals():
                try:
                    self._announce()
                    self._inject()
                    self._activate()
                    self._verify()
                    self._wait_for_experiments()
                except DrillAborted as stopped:
                    self.facts.aborted = stopped.reason
                except Exception as error:  # a bug must still revert the faults
                    log.exception("the drill failed")
                    self.facts.failed = True
                    self.facts.aborted = redact.redact(
                        f"internal error: {type(error).__name__}: {error}"
                    )
                    self.timeline.record(
                        "drill", "error", {"error": self.facts.aborted}, text=self.facts.aborted
                    )
                finally:
                    self._recover(self.facts.aborted)
                    self._detection()
                if self.facts.aborted:
                    self._tell_everyone(self.facts.aborted)
                self.facts.stop_problem = self.stop.slack_problem
                self.facts.matrix_stop_problem = self.stop.matrix_problem
                return conclude(
                    self.prepared,
                    self.records,
                    self.timeline,
                    ledger=self.verification.ledger(
                        datetime.now(UTC) if self.facts.aborted else None
                    ),
                    verdicts=self.experiments.verdicts,
                    facts=self.facts,
                    slack=self.slack,
                    started=self.started,
                )

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
        text = render(announcement.message, {**self.fallbacks.values(), "name": ""})
        oldest = f"{time.time() - 1:.6f}"
        try:
            self.slack = connect(self.prepared.context)
            self.fallbacks.share_slack(self.slack)
            posted = self.slack.post(
                announcement.post_in, text, drill_id=self.drill_id, notification_id="announcement"
            )
        except SlackFailure as failure:
            self.facts.announcement_problem = failure.cause
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
        self.matrix.connect(self.fallbacks)
        self.facts.matrix_announcement_problem = self.matrix.announce(
            text, self.stop, self.timeline
        )
        self._tick(channels=False)

    def _inject(self) -> None:
        if not self.prepared.experiments:
            return
        self.experiments.record_plan()  # before anything is injected
        self.detection.start()
        for index in range(len(self.prepared.experiments)):
            self._tick(channels=False)
            self.experiments.start(index)

    def _activate(self) -> None:
        waited = self.clock() + self.options.activate_after_s
        why = "no experiment"
        while self.experiments.runs:
            faults = self.experiments.faults_in_place()
            if faults:
                why = f"fault in place: {faults[0]['kind']} on {faults[0]['where']}"
                self.timeline.record("inject", "fault_seen", {"faults": faults}, text=why)
                break
            if not self.experiments.running:
                why = "every experiment has ended"
                break
            if self.clock() >= waited:
                why = f"{self.options.activate_after_s:g} s after the injection started"
                break
            self._tick(channels=False)
            time.sleep(self.options.tick_s)
        room = self.fallbacks.open_room()  # first: the other messages link to it
        self.verification.record(room)
        for channel in self.plan.channels:
            if channel.activate != "at_start":
                continue
            self._tick(channels=False)
            sent = self.fallbacks.activate(channel.name)
            self.verification.record(sent)
            self.verification.activated(
                channel.name, room + sent if channel.type == "video" else sent, why
            )
        for step in self.plan.manual_steps:
            sent = self.fallbacks.activate(step.name)
            self.verification.record(sent)
            self.verification.activated(step.name, sent, why)

    def _verify(self) -> None:
        while True:
            self._tick()
            if self.verification.done():
                break
            time.sleep(self.options.tick_s)
        self.timeline.record(
            "verify",
            "done",
            {"channels": {n: r.outcome for n, r in self.verification.ledger().channels.items()}},
            text="verification over: " + self.verification.progress(),
        )

    def _wait_for_experiments(self) -> None:
        until = self.clock() + self.options.experiment_wait_s
        if self.experiments.running:
            self.timeline.note("recover", "waiting for the experiments to end")
        while self.experiments.running and self.clock() < until:
            self._tick()
            time.sleep(self.options.tick_s)

    def _recover(self, aborted: str) -> None:
        self.stop.deadline = None
        self.experiments.stop(aborted or "the drill is over")
        report = revert(self.experiments.processes())
        self.facts.recovery_problems = [
            f"{f['kind']} on {f['target'].get('component') or f['target'].get('url')}: {f['error']}"
            for f in report.failed
        ] + list(report.problems)
        self.timeline.record(
            "recover",
            "faults_reverted",
            {
                "faults": len(report.reverted),
                "reverted": [{"id": r["id"], "kind": r["kind"]} for r in report.reverted],
                "problems": self.facts.recovery_problems,
                "ok": report.ok,
            },
            text=f"faults: {report.summary()}",
        )
        stopped = self.experiments.stop_storms(since=self.started.timestamp() - 1)
        if stopped:
            self.timeline.record(
                "recover", "storms_stopped", {"runs": stopped}, text=f"storms stopped: {stopped}"
            )
        done = self.fallbacks.recover()
        if done:
            self.timeline.record(
                "recover", "channels_recovered", done, text=f"undone: {', '.join(done)}"
            )

    def _detection(self) -> None:
        """What monitoring saw of each fault and storm (a failure here is logged, not fatal)."""
        try:
            self.detection.finish(self.experiments.runs, wait=not self.facts.aborted)
        except Exception:  # detection is a result; it must not lose the rest of the drill
            log.exception("cannot record the detection results")
            self.detection.misses.append("detection results could not be recorded")
        self.facts.detection_misses = list(self.detection.misses)
        self.facts.detection_findings = list(self.detection.findings)

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
        room = self.matrix.tell_stopped(text)
        told = self.fallbacks.tell_stopped(reason)
        where = [w for w in (posted, room) if w] + [f"{n} ({t['told']})" for n, t in told.items()]
        self.timeline.record(
            "killswitch",
            "everyone_told",
            {"posted_in": posted, "matrix_room": room, "channels": told},
            text="everyone told: " + ", ".join(where),
        )

    # -- the loop's work --------------------------------------------------------------------

    def _tick(self, *, channels: bool = True) -> None:
        """One turn of the loop: stop requests, experiments, and (every poll_s) channels."""
        for post in [*self.stop.read_slack(), *self.stop.read_matrix()]:
            who = self.stop.who(post.user)
            data = {"user": post.user, "person": who, "ts": post.ts, "text": post.text}
            if post.honoured:
                self.timeline.record(
                    "killswitch", "stop_posted", data, text=f"STOP DRILL posted by {who}"
                )
            else:
                self.facts.ignored_stops.append(who)
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
        self.experiments.poll()
        if not channels or self.clock() < self.next_poll:
            return
        self.next_poll = self.clock() + self.options.poll_s
        self.verification.poll(slack=not self.stop.pending)

    # -- helpers ----------------------------------------------------------------------------

    def _slack_names(self) -> dict[str, str]:
        people = [p for ps in self.prepared.groups.values() for p in ps]
        people += [p for g in self.plan.groups for p in g.people]
        return {i: p.id for p in people for i in (p.slack, p.matrix) if i}
