"""Reading the communications ledger (pure): per person, the states per channel, the time to
acknowledge, and which channel reached each person in the end.

``fold`` turns raw entries into one ``PersonChannelReach`` per drill, person and channel (what
the database computes for ``Records.ledger_reach`` and the review); ``by_person`` turns those into
one ``PersonReach`` per person: acknowledged (and on which channel first), delivered only, or not
reached at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from entdrill.records.models import LedgerEntry, PersonChannelReach

ReachOutcome = Literal["acknowledged", "delivered", "not_reached"]


@dataclass(frozen=True, slots=True)
class PersonReach:
    """How one person was reached in one drill, all channels together."""

    drill_id: str
    person: str
    group: str | None
    outcome: ReachOutcome
    #: The channel of the first acknowledgement; failing that, of the first delivery.
    reached_by: str | None
    first_sent_at: datetime | None
    acknowledged_at: datetime | None
    channels: dict[str, PersonChannelReach] = field(default_factory=dict)

    @property
    def time_to_ack_s(self) -> float | None:
        """Seconds from the first message on any channel to the first acknowledgement."""
        if self.first_sent_at is None or self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.first_sent_at).total_seconds()


def states_by_channel(entries: Iterable[LedgerEntry]) -> dict[str, dict[str, list[str]]]:
    """person -> channel -> the states recorded, in time order."""
    ordered = sorted(entries, key=lambda e: (e.at, e.id))
    result: dict[str, dict[str, list[str]]] = {}
    for entry in ordered:
        result.setdefault(entry.person, {}).setdefault(entry.channel, []).append(entry.state)
    return result


def fold(entries: Iterable[LedgerEntry]) -> list[PersonChannelReach]:
    """The first time of each state per drill, person and channel (drills in first-seen
    order; persons and channels sorted)."""
    firsts: dict[tuple[str, str, str], dict[str, datetime]] = {}
    groups: dict[tuple[str, str, str], str | None] = {}
    drills: dict[str, int] = {}
    for entry in entries:
        drills.setdefault(entry.drill_id, len(drills))
        key = (entry.drill_id, entry.person, entry.channel)
        times = firsts.setdefault(key, {})
        if entry.state not in times or entry.at < times[entry.state]:
            times[entry.state] = entry.at
        if entry.group is not None and (groups.get(key) is None or entry.group > str(groups[key])):
            groups[key] = entry.group
        groups.setdefault(key, None)
    ordered = sorted(firsts, key=lambda k: (drills[k[0]], k[1], k[2]))
    return [
        PersonChannelReach(
            drill_id=k[0],
            person=k[1],
            group=groups[k],
            channel=k[2],
            sent_at=firsts[k].get("sent"),
            delivered_at=firsts[k].get("delivered"),
            acknowledged_at=firsts[k].get("acknowledged"),
            failed_at=firsts[k].get("failed"),
            refused_at=firsts[k].get("refused"),
        )
        for k in ordered
    ]


def by_person(rows: Iterable[PersonChannelReach]) -> list[PersonReach]:
    """One ``PersonReach`` per drill and person, in the order the rows come."""
    grouped: dict[tuple[str, str], dict[str, PersonChannelReach]] = {}
    for row in rows:
        grouped.setdefault((row.drill_id, row.person), {})[row.channel] = row
    return [_person(drill_id, person, channels) for (drill_id, person), channels in grouped.items()]


def never_reached(rows: Iterable[PersonChannelReach]) -> list[PersonReach]:
    """The people no channel delivered to and who never acknowledged."""
    return [p for p in by_person(rows) if p.outcome == "not_reached"]


def _person(drill_id: str, person: str, channels: dict[str, PersonChannelReach]) -> PersonReach:
    acks = [(r.acknowledged_at, r.channel) for r in channels.values() if r.acknowledged_at]
    deliveries = [(r.delivered_at, r.channel) for r in channels.values() if r.delivered_at]
    sends = [r.sent_at for r in channels.values() if r.sent_at]
    groups = [r.group for r in channels.values() if r.group]
    outcome: ReachOutcome
    if acks:
        acknowledged_at, reached_by = min(acks)
        outcome = "acknowledged"
    elif deliveries:
        acknowledged_at, reached_by = None, min(deliveries)[1]
        outcome = "delivered"
    else:
        acknowledged_at, reached_by = None, None
        outcome = "not_reached"
    return PersonReach(
        drill_id=drill_id,
        person=person,
        group=max(groups) if groups else None,
        outcome=outcome,
        reached_by=reached_by,
        first_sent_at=min(sends) if sends else None,
        acknowledged_at=acknowledged_at,
        channels=dict(sorted(channels.items())),
    )
