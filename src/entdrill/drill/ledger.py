"""The communications ledger of a drill: who was reached, on which channel, how fast (pure).

Built from the drill's :class:`~entdrill.channels.base.LedgerEvent` values and the plan's
expectations, without any I/O, so the runner, the records and the review all read the same
verdict. Definitions, for each channel:

- **people sent to**: the people with a ``sent`` or ``failed`` event on the channel (a person
  only ``refused``, outside the channel's audience, is not one of them; refusals are listed).
- **reached** (for ``delivered_share``): ``delivered`` or ``acknowledged`` (whoever answered got
  the message). A channel that cannot tell delivery marks its ``sent`` events with
  ``delivery_tracked: False`` (email accepted by a relay); when every ``sent`` event of a
  channel says so, ``delivered_share`` is judged on ``sent`` and ``delivery_basis`` reads
  ``"accepted"`` instead of ``"delivered"``.
- **time to acknowledge**: from the person's first ``sent`` on the channel to its first
  ``acknowledged``.
- **deadline**: the channel's activation (given by the runner; by default its first event) plus
  ``expect.within_s``.
- **outcome**:

  ``worked``    every expected share (delivered, acknowledged) is met at the deadline;
  ``degraded``  not met at the deadline, but someone was reached (the shares fell short, or were
                met only after the deadline: ``late`` is then True);
  ``failed``    nobody was reached: nothing delivered nor acknowledged, every send failed, or the
                channel-wide fact failed (the status page never showed the incident, the room
                could not be joined);
  ``pending``   only when ``now`` is given and earlier than the deadline, with shares not met yet;
  ``unused``    the channel has no event at all (an escalation target nobody needed).

  A channel that reaches no person (status page, video room) is judged on its channel-wide
  facts (``person_id`` ""): ``delivered`` counts as a share of 1.0, none as 0.0.

Each person's **reached on** is the channel of their earliest acknowledgement, else of their
earliest delivery; the **never reached** are the people sent to on some channel and reached on
none. :func:`escalation_targets` tells whom an escalation reaches at a given time.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from entdrill.channels.base import LedgerEvent, LedgerState
from entdrill.drill_plan import Channel, Expectation, ManualStep

Outcome = Literal["worked", "degraded", "failed", "pending", "unused"]
EscalationAudience = Literal["not_acknowledged", "not_delivered"]
REACHED = (LedgerState.DELIVERED, LedgerState.ACKNOWLEDGED)


@dataclass(frozen=True)
class Trail:
    """One person on one channel: every state with its time and evidence, and the key times."""

    person_id: str
    channel: str
    events: tuple[LedgerEvent, ...]

    def first(self, *states: LedgerState) -> datetime | None:
        times = [e.at for e in self.events if e.state in states]
        return min(times) if times else None

    @property
    def sent_at(self) -> datetime | None:
        return self.first(LedgerState.SENT)

    @property
    def delivered_at(self) -> datetime | None:
        return self.first(LedgerState.DELIVERED)

    @property
    def acknowledged_at(self) -> datetime | None:
        return self.first(LedgerState.ACKNOWLEDGED)

    @property
    def reached_at(self) -> datetime | None:
        return self.first(*REACHED)

    @property
    def refused_only(self) -> bool:
        return all(e.state is LedgerState.REFUSED for e in self.events)

    @property
    def failure_cause(self) -> str:
        """The cause of the latest ``failed`` event ("" when none)."""
        failed = [e for e in self.events if e.state is LedgerState.FAILED]
        return str(failed[-1].evidence.get("cause", "")) if failed else ""

    @property
    def time_to_acknowledge_s(self) -> float | None:
        sent, acked = self.sent_at, self.acknowledged_at
        if sent is None or acked is None:
            return None
        return max(0.0, (acked - sent).total_seconds())

    def to_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "channel": self.channel,
            "states": [e.to_dict() for e in self.events],
            "sent_at": _iso(self.sent_at),
            "delivered_at": _iso(self.delivered_at),
            "acknowledged_at": _iso(self.acknowledged_at),
            "time_to_acknowledge_s": self.time_to_acknowledge_s,
            "failure_cause": self.failure_cause,
        }


@dataclass(frozen=True)
class ChannelResult:
    """One channel judged against its expectation."""

    name: str
    outcome: Outcome
    reason: str  # one sentence saying why
    expect: Expectation | None
    activated_at: datetime | None
    deadline: datetime | None
    sent_to: int  # people sent to (the shares' denominator); 0 for a channel-wide channel
    delivered: int  # reached by the deadline (see the module docstring)
    acknowledged: int  # acknowledged by the deadline
    delivered_final: int  # reached by the last event
    acknowledged_final: int
    delivered_share: float | None
    acknowledged_share: float | None
    late: bool  # the expectation was met, but only after the deadline
    delivery_basis: Literal["delivered", "accepted", "channel"]
    failures: dict[str, int] = field(default_factory=dict)  # cause -> people
    refused: tuple[str, ...] = ()  # people refused, outside the audience
    median_time_to_acknowledge_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "outcome": self.outcome,
            "reason": self.reason,
            "expect": None
            if self.expect is None
            else {
                "within_s": self.expect.within_s,
                "delivered_share": self.expect.delivered_share,
                "acknowledged_share": self.expect.acknowledged_share,
            },
            "activated_at": _iso(self.activated_at),
            "deadline": _iso(self.deadline),
            "sent_to": self.sent_to,
            "delivered": self.delivered,
            "acknowledged": self.acknowledged,
            "delivered_final": self.delivered_final,
            "acknowledged_final": self.acknowledged_final,
            "delivered_share": self.delivered_share,
            "acknowledged_share": self.acknowledged_share,
            "late": self.late,
            "delivery_basis": self.delivery_basis,
            "failures": dict(self.failures),
            "refused": list(self.refused),
            "median_time_to_acknowledge_s": self.median_time_to_acknowledge_s,
        }


@dataclass(frozen=True)
class PersonResult:
    """Where one person stands across every channel."""

    person_id: str
    channels: tuple[str, ...]  # the channels that sent to them, in order of first attempt
    reached_on: str | None  # earliest acknowledgement's channel, else earliest delivery's
    reached_at: datetime | None
    acknowledged_on: str | None
    acknowledged_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "channels": list(self.channels),
            "reached_on": self.reached_on,
            "reached_at": _iso(self.reached_at),
            "acknowledged_on": self.acknowledged_on,
            "acknowledged_at": _iso(self.acknowledged_at),
        }


@dataclass(frozen=True)
class Ledger:
    trails: dict[tuple[str, str], Trail]  # (person_id, channel) -> trail; "" person = channel-wide
    channels: dict[str, ChannelResult]
    people: dict[str, PersonResult]

    @property
    def never_reached(self) -> list[str]:
        return sorted(p for p, r in self.people.items() if r.reached_on is None)

    @property
    def all_worked(self) -> bool:
        judged = [c for c in self.channels.values() if c.outcome != "unused"]
        return all(c.outcome == "worked" for c in judged)

    def trail(self, person_id: str, channel: str) -> Trail | None:
        return self.trails.get((person_id, channel))

    def to_dict(self) -> dict[str, Any]:
        return {
            "channels": {n: c.to_dict() for n, c in self.channels.items()},
            "people": {p: r.to_dict() for p, r in self.people.items()},
            "never_reached": self.never_reached,
            "trails": [t.to_dict() for t in self.trails.values()],
        }


def expectations_of(
    channels: Iterable[Channel], steps: Iterable[ManualStep] = ()
) -> dict[str, Expectation]:
    """Each plan channel's expectation by name; a manual step's is its confirmed share."""
    found = {c.name: c.expect for c in channels}
    for step in steps:
        found[step.name] = Expectation(step.within_s, acknowledged_share=step.confirmed_share)
    return found


def build_ledger(
    events: Iterable[LedgerEvent],
    expectations: Mapping[str, Expectation],
    *,
    activated_at: Mapping[str, datetime] | None = None,
    now: datetime | None = None,
) -> Ledger:
    """The ledger of ``events`` judged against ``expectations`` (by channel name).

    ``activated_at`` gives each channel's activation (default: its first event); ``now``, when
    given, lets a channel whose deadline is still ahead read ``pending`` instead of a verdict.
    """
    ordered = sorted(events, key=lambda e: e.at)
    grouped: dict[tuple[str, str], list[LedgerEvent]] = {}
    for event in ordered:
        grouped.setdefault((event.person_id, event.channel), []).append(event)
    trails = {key: Trail(key[0], key[1], tuple(found)) for key, found in grouped.items()}
    names = list(dict.fromkeys([*expectations, *(e.channel for e in ordered)]))
    started = dict(activated_at or {})
    results = {
        name: judge_channel(
            name,
            [t for (_, channel), t in trails.items() if channel == name],
            expectations.get(name),
            started.get(name),
            now,
        )
        for name in names
    }
    return Ledger(trails, results, _people(trails))


def judge_channel(
    name: str,
    trails: Sequence[Trail],
    expect: Expectation | None,
    activated_at: datetime | None = None,
    now: datetime | None = None,
) -> ChannelResult:
    """One channel's result from its trails (see the module docstring for the rules)."""
    every = [e for t in trails for e in t.events]
    if activated_at is None and every:
        activated_at = min(e.at for e in every)
    deadline = None
    if activated_at is not None and expect is not None:
        deadline = activated_at + timedelta(seconds=expect.within_s)
    people = [t for t in trails if t.person_id and not t.refused_only]
    refused = tuple(sorted(t.person_id for t in trails if t.person_id and t.refused_only))
    wide = next((t for t in trails if not t.person_id), None)
    failures = Counter(t.failure_cause for t in people if t.failure_cause and t.reached_at is None)
    if wide is not None and not people:
        return _judge_wide(name, wide, expect, activated_at, deadline, now, refused)
    sent = [e for t in people for e in t.events if e.state is LedgerState.SENT]
    untracked = bool(sent) and all(e.evidence.get("delivery_tracked") is False for e in sent)
    reach = (lambda t: t.first(LedgerState.SENT, *REACHED)) if untracked else _reached_at
    acks = [t.time_to_acknowledge_s for t in people if t.time_to_acknowledge_s is not None]
    counted = ChannelResult(
        name=name,
        outcome="unused",
        reason="the channel sent to nobody",
        expect=expect,
        activated_at=activated_at,
        deadline=deadline,
        sent_to=len(people),
        delivered=_count(people, reach, deadline),
        acknowledged=_count(people, _acked_at, deadline),
        delivered_final=_count(people, reach, None),
        acknowledged_final=_count(people, _acked_at, None),
        delivered_share=None,
        acknowledged_share=None,
        late=False,
        delivery_basis="accepted" if untracked else "delivered",
        failures=dict(failures),
        refused=refused,
        median_time_to_acknowledge_s=statistics.median(acks) if acks else None,
    )
    if not people:
        return counted
    total = len(people)
    d_share, a_share = counted.delivered / total, counted.acknowledged / total
    d_final, a_final = counted.delivered_final / total, counted.acknowledged_final / total
    in_time = _met(expect, d_share, a_share)
    eventually = _met(expect, d_final, a_final)
    verb = "accepted" if untracked else "reached"
    shares = f"{verb} {_pct(d_share)}, acknowledged {_pct(a_share)} of {total} by the deadline"
    if in_time:
        outcome: Outcome = "worked"
        reason = f"{shares}: {_expected(expect)} met"
    elif deadline is not None and now is not None and now < deadline:
        outcome, reason = "pending", f"{shares} so far; the deadline is not reached yet"
    elif counted.delivered_final == 0 and counted.acknowledged_final == 0:
        outcome = "failed"
        causes = "; ".join(f"{c} ({n})" for c, n in failures.most_common(3))
        reason = f"nobody was {verb}" + (f": {causes}" if causes else "")
    elif eventually:
        outcome = "degraded"
        reason = f"{shares}: {_expected(expect)} met only after the deadline"
    else:
        outcome = "degraded"
        reason = (
            f"{shares} ({_pct(d_final)} and {_pct(a_final)} in the end): "
            f"{_expected(expect)} not met"
        )
    return replace(
        counted,
        outcome=outcome,
        reason=reason,
        delivered_share=d_share,
        acknowledged_share=a_share,
        late=eventually and not in_time,
    )


def escalation_targets(
    ledger: Ledger,
    channel: str,
    audience: EscalationAudience = "not_acknowledged",
    at: datetime | None = None,
    *,
    anywhere: bool = True,
) -> list[str]:
    """The people an escalation from ``channel`` reaches at time ``at`` (default: every event).

    ``not_acknowledged``: sent to on ``channel`` and not acknowledged by ``at``;
    ``not_delivered``: sent to and not reached (delivered or acknowledged) by ``at``. With
    ``anywhere`` (the default) an acknowledgement, or a delivery, on any channel counts, so
    nobody is chased who already answered elsewhere.
    """
    states = (LedgerState.ACKNOWLEDGED,) if audience == "not_acknowledged" else REACHED
    targets = []
    for (person, name), trail in ledger.trails.items():
        if name != channel or not person or trail.refused_only:
            continue
        looked = [t for (p, _), t in ledger.trails.items() if p == person] if anywhere else [trail]
        done = [t.first(*states) for t in looked]
        if not any(when is not None and (at is None or when <= at) for when in done):
            targets.append(person)
    return sorted(targets)


# -- helpers -------------------------------------------------------------------------------


def _judge_wide(
    name: str,
    wide: Trail,
    expect: Expectation | None,
    activated_at: datetime | None,
    deadline: datetime | None,
    now: datetime | None,
    refused: tuple[str, ...],
) -> ChannelResult:
    shown = wide.delivered_at
    in_time = shown is not None and (deadline is None or shown <= deadline)
    cause = wide.failure_cause
    if in_time:
        outcome: Outcome = "worked"
        reason = "done and verified by the deadline"
    elif shown is not None:
        outcome, reason = "degraded", "verified only after the deadline"
    elif deadline is not None and now is not None and now < deadline and not cause:
        outcome, reason = "pending", "not verified yet; the deadline is not reached yet"
    else:
        outcome, reason = "failed", f"never verified{': ' + cause if cause else ''}"
    reached = 1 if shown is not None else 0
    return ChannelResult(
        name=name,
        outcome=outcome,
        reason=reason,
        expect=expect,
        activated_at=activated_at,
        deadline=deadline,
        sent_to=0,
        delivered=1 if in_time else 0,
        acknowledged=0,
        delivered_final=reached,
        acknowledged_final=0,
        delivered_share=1.0 if in_time else 0.0,
        acknowledged_share=None,
        late=shown is not None and not in_time,
        delivery_basis="channel",
        failures={cause: 1} if cause and shown is None else {},
        refused=refused,
    )


def _people(trails: Mapping[tuple[str, str], Trail]) -> dict[str, PersonResult]:
    by_person: dict[str, list[Trail]] = {}
    for (person, _), trail in trails.items():
        if person and not trail.refused_only:
            by_person.setdefault(person, []).append(trail)
    results = {}
    for person, found in sorted(by_person.items()):
        found.sort(key=lambda t: t.events[0].at)
        acked = [(t.acknowledged_at, t.channel) for t in found if t.acknowledged_at is not None]
        reached = [(t.reached_at, t.channel) for t in found if t.reached_at is not None]
        first_ack = min(acked) if acked else None
        first_reach = first_ack or (min(reached) if reached else None)
        results[person] = PersonResult(
            person_id=person,
            channels=tuple(t.channel for t in found),
            reached_on=first_reach[1] if first_reach else None,
            reached_at=first_reach[0] if first_reach else None,
            acknowledged_on=first_ack[1] if first_ack else None,
            acknowledged_at=first_ack[0] if first_ack else None,
        )
    return results


def _reached_at(trail: Trail) -> datetime | None:
    return trail.reached_at


def _acked_at(trail: Trail) -> datetime | None:
    return trail.acknowledged_at


def _count(trails: Sequence[Trail], when: Any, deadline: datetime | None) -> int:
    times = [when(t) for t in trails]
    return sum(1 for t in times if t is not None and (deadline is None or t <= deadline))


def _met(expect: Expectation | None, delivered: float, acknowledged: float) -> bool:
    if expect is None:
        return delivered > 0
    return (expect.delivered_share is None or delivered >= expect.delivered_share - 1e-9) and (
        expect.acknowledged_share is None or acknowledged >= expect.acknowledged_share - 1e-9
    )


def _expected(expect: Expectation | None) -> str:
    if expect is None:
        return "no expectation (anyone reached)"
    parts = []
    if expect.delivered_share is not None:
        parts.append(f"delivered {_pct(expect.delivered_share)}")
    if expect.acknowledged_share is not None:
        parts.append(f"acknowledged {_pct(expect.acknowledged_share)}")
    return "expected " + " and ".join(parts) + f" within {expect.within_s:g} s"


def _pct(share: float) -> str:
    return f"{share:.0%}"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
