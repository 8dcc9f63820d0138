"""The verify phase: what the channels observe, recorded as it comes; escalations; confirmations.

:class:`Verification` keeps the drill's ledger events (people's in the records' ledger, channel-
wide facts as timeline events) and judges them against the plan (:mod:`entdrill.drill.ledger`).
Each :meth:`Verification.poll` reads the confirmations given with ``entdrill drill confirm``
(events appended to the drill's chain by another process), polls every activated channel, and
fires the escalations that are due: ``after`` the source channel's activation, to those its
``audience`` names (``not_acknowledged`` / ``not_delivered``, anywhere) who are in the target
channel's audience. Verification is over (:meth:`done`) when every activated channel worked and
no escalation still has someone to reach, or when every deadline has passed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from entdrill.channels import LedgerEvent, LedgerState
from entdrill.drill.fallbacks import Fallbacks
from entdrill.drill.ledger import Ledger, build_ledger, escalation_targets, expectations_of
from entdrill.drill.timeline import Timeline
from entdrill.drill_plan import Plan
from entdrill.records import NewLedgerEntry, Records


class Verification:
    def __init__(
        self,
        plan: Plan,
        fallbacks: Fallbacks,
        records: Records,
        timeline: Timeline,
        group_of: dict[str, str],
    ) -> None:
        self.plan = plan
        self.fallbacks = fallbacks
        self.records = records
        self.timeline = timeline
        self.group_of = group_of
        self.events: list[LedgerEvent] = []
        self.expectations = expectations_of(plan.channels, plan.manual_steps)
        self.escalated: set[str] = set()
        self.seen_seq = 0

    # -- recording ----------------------------------------------------------------------

    def record(self, events: list[LedgerEvent]) -> None:
        """People's events into the ledger (one transaction), channel-wide facts as events."""
        if not events:
            return
        self.events += events
        people = [
            NewLedgerEntry(
                e.person_id,
                e.channel,
                e.state.value,
                e.at,
                self.group_of.get(e.person_id),
                dict(e.evidence),
            )
            for e in events
            if e.person_id
        ]
        if people:
            self.records.add_ledger_entries(self.timeline.drill_id, people)
        for event in events:
            if event.person_id:
                continue
            cause = f" ({event.evidence['cause']})" if "cause" in event.evidence else ""
            data: dict[str, Any] = {
                "channel": event.channel,
                "state": event.state.value,
                "evidence": dict(event.evidence),
            }
            self.timeline.record(
                "verify" if event.state is LedgerState.DELIVERED else "fallbacks",
                "channel_fact",
                data,
                text=f"{event.channel}: {event.state.value}{cause}",
            )

    def activated(self, name: str, events: list[LedgerEvent], why: str) -> None:
        """Record that a channel (or manual step) was activated, with what its sending gave."""
        counts = {s.value: 0 for s in LedgerState}
        for event in events:
            counts[event.state.value] += 1
        kind = self.fallbacks.lanes[name].kind
        causes = sorted({str(e.evidence.get("cause")) for e in events if e.state.value == "failed"})
        self.timeline.record(
            "fallbacks",
            "channel_activated",
            {"channel": name, "type": kind, "why": why, **counts, "causes": causes[:3]},
            text=f"{name} ({kind}) activated: {counts['sent']} sent, {counts['failed']} failed"
            + (f" ({causes[0]})" if causes else ""),
        )

    # -- polling ------------------------------------------------------------------------

    def poll(self, *, slack: bool = True) -> None:
        """Confirmations, then what the channels saw, then the escalations now due."""
        self.confirmations()
        self.record(self.fallbacks.poll(slack=slack))
        self.escalate()
        self.timeline.note("verify", self.progress())

    def confirmations(self) -> None:
        """Manual steps confirmed with ``entdrill drill confirm`` (events of other processes)."""
        for event in self.records.events(self.timeline.drill_id, after_seq=self.seen_seq):
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

    def escalate(self) -> None:
        now = datetime.now(UTC)
        for channel in self.plan.channels:
            escalation = channel.escalation
            activated = self.fallbacks.lanes[channel.name].activated_at
            if escalation is None or channel.name in self.escalated or activated is None:
                continue
            if now < activated + timedelta(seconds=escalation.after_s):
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
            self.record(self.fallbacks.activate(escalation.to, people))
            self.timeline.record(
                "verify",
                "escalated",
                {**data, "people": people},
                text=f"escalated {len(people)} {escalation.audience.replace('_', ' ')} "
                f"from {channel.name} to {escalation.to}",
            )

    # -- judging ------------------------------------------------------------------------

    def activation(self) -> dict[str, datetime]:
        return {
            n: lane.activated_at
            for n, lane in self.fallbacks.lanes.items()
            if lane.activated_at is not None
        }

    def ledger(self, now: datetime | None = None) -> Ledger:
        """The ledger judged now (``pending`` before a deadline), or final (``now`` None)."""
        return build_ledger(self.events, self.expectations, activated_at=self.activation(), now=now)

    def done(self) -> bool:
        """Every expectation met (and no escalation still to come), or every deadline passed."""
        now = datetime.now(UTC)
        ledger = self.ledger(now)
        activation = self.activation()
        horizon = [
            activated + timedelta(seconds=self.expectations[name].within_s)
            for name, activated in activation.items()
        ]
        pending = []
        for channel in self.plan.channels:
            escalation = channel.escalation
            activated = activation.get(channel.name)
            if escalation is None or channel.name in self.escalated or activated is None:
                continue
            horizon.append(activated + timedelta(seconds=escalation.after_s))
            if escalation_targets(ledger, channel.name, escalation.audience, at=now):
                pending.append(channel.name)
        if horizon and now >= max(horizon):
            return True
        active = [ledger.channels[n] for n in activation if n in ledger.channels]
        return not pending and all(r.outcome in ("worked", "unused") for r in active)

    def progress(self) -> str:
        """One line: per activated channel, how many reached (and acknowledged)."""
        ledger = self.ledger()
        parts = []
        for name in self.activation():
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
