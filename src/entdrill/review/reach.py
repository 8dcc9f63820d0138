"""The reach rows of a period folded, drill by drill, into what the review shows (pure).

A review of 10,000 drills has some 400,000 reach rows (one per drill, person and channel). The
review does not keep them: ``fold_reach`` reads them once, in drill order, keeping per channel
only counts, the drills that used it, the times to acknowledge and the acknowledgement offsets
(as ``array('d')``), the people never reached with their number of drills, and per drill the
people sent to and those who acknowledged (for the trends). The figures in ``channels`` and
``trends`` are computed from this summary, whether the rows came from the database (streamed)
or from a list in memory, with the same arithmetic as on the rows themselves.

Each row comes with a *rank*, its place in the order the review lists rows (drills in start
order): when a person's group differs between drills, the person is shown with the group of the
first row by rank, as the rows in that order would show it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from entdrill.records import PersonChannelReach


@dataclass(slots=True)
class Missed:
    """A person missed in ``drills`` drills, with the group of the first row that missed them."""

    drills: int
    rank: int
    group: str | None

    def add(self, rank: int, group: str | None) -> None:
        self.drills += 1
        if rank < self.rank:
            self.rank, self.group = rank, group


@dataclass(slots=True)
class ChannelReach:
    """One channel's rows, folded."""

    drills: set[str] = field(default_factory=set)  # drills with any row on the channel
    sent_drills: set[str] = field(default_factory=set)  # drills where someone was sent to
    sent: int = 0
    delivered: int = 0
    acknowledged: int = 0
    waits: array[float] = field(default_factory=lambda: array("d"))  # seconds, sent to ack
    offsets: array[float] = field(default_factory=lambda: array("d"))  # minutes, activation to ack
    missed: dict[str, Missed] = field(default_factory=dict)
    per_drill: dict[str, tuple[int, int]] = field(default_factory=dict)  # sent, acknowledged


@dataclass(slots=True)
class ReachSummary:
    """The period's reach rows, folded (see the module)."""

    channels: dict[str, ChannelReach] = field(default_factory=dict)
    nowhere: dict[str, Missed] = field(default_factory=dict)  # reached on no channel
    people_sent: int = 0  # person-drills sent to on some channel
    any_offsets: array[float] = field(default_factory=lambda: array("d"))  # first ack, any channel

    def channel(self, name: str) -> ChannelReach:
        found = self.channels.get(name)
        if found is None:
            found = self.channels[name] = ChannelReach()
        return found


def is_sent(row: PersonChannelReach) -> bool:
    return row.sent_at is not None or row.failed_at is not None


def is_reached(row: PersonChannelReach) -> bool:
    return row.delivered_at is not None or row.acknowledged_at is not None


def first_time(row: PersonChannelReach) -> datetime:
    """When the channel first tried the person: the first ``sent`` (or ``failed``)."""
    sent, failed = row.sent_at, row.failed_at
    if sent is None or (failed is not None and failed < sent):
        assert failed is not None
        return failed
    return sent


def minutes(at: datetime, start: datetime) -> float:
    return max(0.0, (at - start).total_seconds() / 60)


def fold_reach(
    ranked: Iterable[tuple[int, PersonChannelReach]], keep: Mapping[str, object] | None = None
) -> ReachSummary:
    """The rows (each with its rank), grouped by drill (a drill's rows together), folded; only
    the drills in ``keep`` when given."""
    summary = ReachSummary()
    done: set[str] = set()
    current: str | None = None
    rows: list[tuple[int, PersonChannelReach]] = []
    for rank, row in ranked:
        if keep is not None and row.drill_id not in keep:
            continue
        if row.drill_id != current:
            if current is not None:
                _drill(summary, current, rows)
                done.add(current)
            current, rows = row.drill_id, []
            if current in done:
                raise ValueError(f"reach rows of drill {current} are not together")
        rows.append((rank, row))
    if current is not None:
        _drill(summary, current, rows)
    return summary


def fold_rows(rows: Iterable[PersonChannelReach]) -> ReachSummary:
    """Rows in any order (a list in memory), ranked by their place in it."""
    ranked = list(enumerate(rows))
    order = {row.drill_id: i for i, row in reversed(ranked)}
    ranked.sort(key=lambda item: order[item[1].drill_id])
    return fold_reach(ranked)


def _drill(
    summary: ReachSummary, drill_id: str, rows: list[tuple[int, PersonChannelReach]]
) -> None:
    """Fold one drill's rows into ``summary``."""
    starts: dict[str, datetime] = {}
    first: datetime | None = None
    sent_rows: list[tuple[int, PersonChannelReach]] = []
    for item in rows:
        row = item[1]
        summary.channel(row.channel).drills.add(drill_id)
        if is_sent(row):
            sent_rows.append(item)
            moment = first_time(row)
            known = starts.get(row.channel)
            if known is None or moment < known:
                starts[row.channel] = moment
            if first is None or moment < first:
                first = moment
    people: dict[str, tuple[int, str | None, bool]] = {}  # first rank, group, reached
    first_ack: dict[str, datetime] = {}
    counts: dict[str, list[int]] = {}
    for rank, row in sent_rows:
        channel = summary.channels[row.channel]
        channel.sent_drills.add(drill_id)
        channel.sent += 1
        tally = counts.setdefault(row.channel, [0, 0])
        tally[0] += 1
        reached = is_reached(row)
        if reached:
            channel.delivered += 1
        else:
            missed = channel.missed.get(row.person)
            if missed is None:
                channel.missed[row.person] = Missed(1, rank, row.group)
            else:
                missed.add(rank, row.group)
        acked = row.acknowledged_at
        if acked is not None:
            channel.acknowledged += 1
            tally[1] += 1
            if row.sent_at is not None:
                channel.waits.append(max(0.0, (acked - row.sent_at).total_seconds()))
            channel.offsets.append(minutes(acked, starts[row.channel]))
            known_ack = first_ack.get(row.person)
            if known_ack is None or acked < known_ack:
                first_ack[row.person] = acked
        known_person = people.get(row.person)
        if known_person is None:
            people[row.person] = (rank, row.group, reached)
        else:
            first_rank, group, was_reached = known_person
            people[row.person] = (
                first_rank,
                group if group is not None else row.group,
                was_reached or reached,
            )
    for name, (sent, acknowledged) in counts.items():
        summary.channels[name].per_drill[drill_id] = (sent, acknowledged)
    summary.people_sent += len(people)
    for name, (rank, group, reached) in people.items():
        if not reached:
            nowhere = summary.nowhere.get(name)
            if nowhere is None:
                summary.nowhere[name] = Missed(1, rank, group)
            else:
                nowhere.add(rank, group)
    if first is not None:
        summary.any_offsets.extend(minutes(at, first) for at in first_ack.values())
