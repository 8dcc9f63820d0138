"""The reach of a period, folded into what the review shows (pure).

A review of 10,000 drills has some 320,000 reach rows (one per drill, person and channel). The
review keeps none of them. The records fold them in the database (``Records.reach_totals``) and
``from_totals`` reads the result; rows in memory (hand-made records, tests) or streamed are folded
here by ``fold_rows`` and ``fold_reach``, read once, in drill order, with the same arithmetic. Per
channel the summary keeps counts, the drills that used the channel, the median and p90 time to
acknowledge, the acknowledgements by minute after activation (rounded up, which is all the
curves need: "acknowledged by minute m" is "minute <= m"), the people never reached with their
number of drills, and per drill the people sent to and those who acknowledged (for the trends).

Each row comes with a *rank*, its place in the order the review lists rows (drills in start
order): when a person's group differs between drills, the person is shown with the group of the
first row by rank, as the rows in that order would show it.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from entdrill.records import PersonChannelReach, ReachFact, ReachTotals
from entdrill.review.quantiles import median, nearest_rank


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


def count_missed(missed: dict[str, Missed], person: str, rank: int, group: str | None) -> None:
    """One more drill that missed ``person`` (the row of ``rank``, in ``group``)."""
    known = missed.get(person)
    if known is None:
        missed[person] = Missed(1, rank, group)
    else:
        known.add(rank, group)


@dataclass(slots=True)
class ChannelReach:
    """One channel's rows, folded."""

    drills: set[str] = field(default_factory=set)  # drills with any row on the channel
    sent_drills: set[str] = field(default_factory=set)  # drills where someone was sent to
    sent: int = 0
    delivered: int = 0
    acknowledged: int = 0
    median_wait_s: float | None = None  # sent to acknowledged
    p90_wait_s: float | None = None
    ack_minutes: Counter[int] = field(default_factory=Counter)  # minute after activation: acks
    missed: dict[str, Missed] = field(default_factory=dict)
    per_drill: dict[str, tuple[int, int]] = field(default_factory=dict)  # sent, acknowledged


@dataclass(slots=True)
class ReachSummary:
    """The period's reach rows, folded (see the module)."""

    channels: dict[str, ChannelReach] = field(default_factory=dict)
    nowhere: dict[str, Missed] = field(default_factory=dict)  # reached on no channel
    people_sent: int = 0  # person-drills sent to on some channel
    any_ack_minutes: Counter[int] = field(default_factory=Counter)  # first ack, any channel


def _floats() -> array[float]:
    return array("d")


@dataclass(slots=True)
class _Times:
    """What ``fold_reach`` gathers before it knows every row: per channel the waits (seconds)
    and acknowledgement offsets (minutes), and the first acknowledgements on any channel."""

    waits: defaultdict[str, array[float]] = field(default_factory=lambda: defaultdict(_floats))
    offsets: defaultdict[str, array[float]] = field(default_factory=lambda: defaultdict(_floats))
    any_offsets: array[float] = field(default_factory=_floats)

    def finish(self, summary: ReachSummary) -> ReachSummary:
        for name, channel in summary.channels.items():
            waits = self.waits.get(name, ())
            channel.median_wait_s = median(waits)
            channel.p90_wait_s = nearest_rank(waits, 0.9)
            channel.ack_minutes = by_minute(self.offsets.get(name, ()))
        summary.any_ack_minutes = by_minute(self.any_offsets)
        return summary


def by_minute(offsets: Iterable[float]) -> Counter[int]:
    """Offsets in minutes counted by the minute they fall in, rounded up (0 stays 0)."""
    return Counter(math.ceil(m) for m in offsets)


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


def fact_of(row: PersonChannelReach) -> ReachFact:
    """``row`` as ``Records.scan_reach`` gives it (the group only of the people missed)."""
    reached = is_reached(row)
    return (
        row.drill_id,
        row.person,
        None if reached else row.group,
        row.channel,
        first_time(row) if is_sent(row) else None,
        row.sent_at,
        reached,
        row.acknowledged_at,
    )


def fold_reach(
    ranked: Iterable[tuple[int, ReachFact]], keep: Mapping[str, object] | None = None
) -> ReachSummary:
    """The facts (each with its rank), grouped by drill (a drill's facts together), folded;
    only the drills in ``keep`` when given."""
    summary, times = ReachSummary(), _Times()
    done: set[str] = set()
    current: str | None = None
    facts: list[tuple[int, ReachFact]] = []
    for item in ranked:
        drill_id = item[1][0]
        if drill_id != current:
            if current is not None:
                _drill(summary, times, current, facts)
                done.add(current)
            current, facts = drill_id, []
            if current in done:
                raise ValueError(f"reach rows of drill {current} are not together")
        if keep is None or drill_id in keep:
            facts.append(item)
    if current is not None:
        _drill(summary, times, current, facts)
    return times.finish(summary)


def fold_rows(rows: Iterable[PersonChannelReach]) -> ReachSummary:
    """Rows in any order (a list in memory), ranked by their place in it."""
    ranked = [(rank, fact_of(row)) for rank, row in enumerate(rows)]
    order = {fact[0]: rank for rank, fact in reversed(ranked)}
    ranked.sort(key=lambda item: order[item[1][0]])
    return fold_reach(ranked)


def _drill(
    summary: ReachSummary, times: _Times, drill_id: str, facts: list[tuple[int, ReachFact]]
) -> None:
    """Fold one drill's facts into ``summary``."""
    if not facts:
        return
    channels = summary.channels
    starts: dict[str, datetime] = {}
    for _, (_, _, _, name, first, _, _, _) in facts:
        channel = channels.get(name)
        if channel is None:
            channel = channels[name] = ChannelReach()
        channel.drills.add(drill_id)
        if first is not None:
            known = starts.get(name)
            if known is None or first < known:
                starts[name] = first
    if not starts:
        return
    waits, offsets = times.waits, times.offsets
    people: dict[str, tuple[int, str | None, bool]] = {}  # first rank, group, reached
    first_ack: dict[str, datetime] = {}
    counts: dict[str, list[int]] = {}
    for rank, (_, person, group, name, first, sent, reached, acked) in facts:
        if first is None:
            continue
        channel = channels[name]
        tally = counts.get(name)
        if tally is None:
            tally = counts[name] = [0, 0]
        tally[0] += 1
        if reached:
            channel.delivered += 1
        else:
            count_missed(channel.missed, person, rank, group)
        if acked is not None:
            tally[1] += 1
            if sent is not None:
                waits[name].append(max(0.0, (acked - sent).total_seconds()))
            offsets[name].append(max(0.0, (acked - starts[name]).total_seconds() / 60))
            known_ack = first_ack.get(person)
            if known_ack is None or acked < known_ack:
                first_ack[person] = acked
        known_person = people.get(person)
        if known_person is None:
            people[person] = (rank, group, reached)
        elif (known_person[1] is None and group is not None) or (reached and not known_person[2]):
            first_rank, known_group, was_reached = known_person
            people[person] = (
                first_rank,
                known_group if known_group is not None else group,
                was_reached or reached,
            )
    for name, (sent_to, acknowledged) in counts.items():
        channel = channels[name]
        channel.sent_drills.add(drill_id)
        channel.sent += sent_to
        channel.acknowledged += acknowledged
        channel.per_drill[drill_id] = (sent_to, acknowledged)
    summary.people_sent += len(people)
    nowhere = summary.nowhere
    for name, (rank, group, reached) in people.items():
        if not reached:
            count_missed(nowhere, name, rank, group)
    first = min(starts.values())
    times.any_offsets.extend(minutes(at, first) for at in first_ack.values())


def from_totals(totals: ReachTotals, rank: Mapping[str, int]) -> ReachSummary:
    """The summary of the reach the records folded (``Records.reach_totals``), the drills
    ranked by ``rank`` (their place in start order): what ``fold_reach`` gives of the rows."""
    summary = ReachSummary(people_sent=totals.people_sent)
    channels = summary.channels
    for name, drill_id, sent_to, delivered, acknowledged in totals.drills:
        channel = channels.get(name)
        if channel is None:
            channel = channels[name] = ChannelReach()
        channel.drills.add(drill_id)
        if sent_to:
            channel.sent_drills.add(drill_id)
            channel.sent += sent_to
            channel.delivered += delivered
            channel.acknowledged += acknowledged
            channel.per_drill[drill_id] = (sent_to, acknowledged)
    for name, waits in totals.waits.items():
        waits.sort()  # the seconds below come sorted: the quantiles' own sorts are then quick
        seconds = [max(0.0, us / 10**6) for us in waits]
        channels[name].median_wait_s = median(seconds)
        channels[name].p90_wait_s = nearest_rank(seconds, 0.9)
    for name, minute, count in totals.ack_minutes:
        channels[name].ack_minutes[minute] += count
    for minute, count in totals.any_ack_minutes:
        summary.any_ack_minutes[minute] += count
    nowhere: dict[tuple[str, str], tuple[str, str | None]] = {}  # drill, person: channel, group
    for name, drill_id, person, group in totals.missed:
        count_missed(channels[name].missed, person, rank[drill_id], group)
        key = (drill_id, person)
        if key in totals.nowhere:  # every row of theirs in the drill is a missed row
            known = nowhere.get(key)
            # The person's group in the drill: the first given, in channel order.
            if known is None or (group is not None and (known[1] is None or name < known[0])):
                nowhere[key] = (name, group)
    for (drill_id, person), (_, group) in nowhere.items():
        count_missed(summary.nowhere, person, rank[drill_id], group)
    return summary
