"""The hash chain of a drill's events: hashing, chaining and verification (pure).

Each event's ``hash`` is the SHA-256 of the canonical JSON of ``drill``, ``seq``, ``at``,
``phase``, ``kind``, ``data`` and ``prev_hash``; ``prev_hash`` is the previous event's hash (the
first event's is ``GENESIS``). The drill row keeps the last sequence number and hash, so an event
removed from the end shows too. Verification names the sequence number of every defect: a changed
event, a missing one, one moved to another place, or a link that does not follow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from entdrill.records.encoding import canonical_json, format_time
from entdrill.records.models import (
    GENESIS,
    LIFECYCLE_PHASE,
    ChainProblem,
    ChainReport,
    DrillRecord,
    Event,
)

#: How far away (in events) a moved event is looked for; further moves read as changes.
MOVE_WINDOW = 50


def event_hash(
    drill_id: str,
    seq: int,
    at: datetime,
    phase: str,
    kind: str,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    """The hash of one event, over its content and its predecessor's hash."""
    document = {
        "at": format_time(at),
        "data": data,
        "drill": drill_id,
        "kind": kind,
        "phase": phase,
        "prev_hash": prev_hash,
        "seq": seq,
    }
    return hashlib.sha256(canonical_json(document)).hexdigest()


def make_event(
    drill_id: str,
    seq: int,
    at: datetime,
    phase: str,
    kind: str,
    data: dict[str, Any],
    prev_hash: str,
) -> Event:
    """The event that follows ``prev_hash`` at ``seq``, with its hash."""
    digest = event_hash(drill_id, seq, at, phase, kind, data, prev_hash)
    return Event(drill_id, seq, at, phase, kind, data, prev_hash, digest)


def chain_events(
    drill_id: str, items: Iterable[tuple[datetime, str, str, dict[str, Any]]]
) -> list[Event]:
    """Events 1..n from ``(at, phase, kind, data)`` items, each chained to the one before."""
    events: list[Event] = []
    prev_hash = GENESIS
    for seq, (at, phase, kind, data) in enumerate(items, start=1):
        event = make_event(drill_id, seq, at, phase, kind, data, prev_hash)
        events.append(event)
        prev_hash = event.hash
    return events


def verify_events(drill: DrillRecord, events: Sequence[Event]) -> ChainReport:
    """Check ``events`` (ordered by seq as stored) against their hashes and ``drill``'s head."""
    problems: list[ChainProblem] = []
    expected_seq = 1
    prev_hash = GENESIS
    prev_moved = False  # a moved event's successor cannot link to it; that is the same defect
    for index, event in enumerate(events):
        gap = event.seq > expected_seq
        if gap:
            problems.append(_missing(expected_seq, event.seq - 1))
        moved = False
        if _content_hash(event) != event.hash:
            problem = _changed_or_moved(
                event, events[max(0, index - MOVE_WINDOW) : index + MOVE_WINDOW + 1]
            )
            problems.append(problem)
            moved = problem.kind == "reordered"
        elif event.prev_hash != prev_hash and not gap and not prev_moved:
            problems.append(
                ChainProblem(
                    event.seq,
                    "broken_link",
                    "its prev_hash is not the hash of the event before it "
                    "(an event before it was replaced or the order changed)",
                )
            )
        expected_seq = event.seq + 1
        prev_hash = event.hash
        prev_moved = moved
    problems.extend(_head_problems(drill, events, expected_seq))
    return ChainReport(drill_id=drill.id, checked=len(events), problems=tuple(problems))


def _content_hash(event: Event) -> str:
    return event_hash(
        event.drill_id, event.seq, event.at, event.phase, event.kind, event.data, event.prev_hash
    )


def _missing(first: int, last: int) -> ChainProblem:
    if first == last:
        return ChainProblem(first, "missing", f"event {first} is missing")
    return ChainProblem(first, "missing", f"events {first} to {last} are missing")


def _changed_or_moved(event: Event, events: Sequence[Event]) -> ChainProblem:
    """A hash mismatch at ``event``: was the event renumbered or swapped with one of its
    neighbours ``events``, or edited?"""
    for other in events:
        if other.seq == event.seq:
            continue
        moved = event_hash(
            event.drill_id,
            other.seq,
            event.at,
            event.phase,
            event.kind,
            event.data,
            event.prev_hash,
        )
        if moved == event.hash:
            return ChainProblem(
                event.seq, "reordered", f"this event was recorded as seq {other.seq}: order changed"
            )
        swapped = event_hash(
            event.drill_id,
            other.seq,
            event.at,
            event.phase,
            event.kind,
            event.data,
            other.prev_hash,
        )
        if swapped == other.hash:
            return ChainProblem(
                event.seq,
                "reordered",
                f"its content is that of the event recorded as seq {other.seq}: order changed",
            )
    return ChainProblem(
        event.seq,
        "changed",
        f"its content does not match its hash (recorded {event.phase}/{event.kind} was changed)",
    )


def _head_problems(
    drill: DrillRecord, events: Sequence[Event], expected_seq: int
) -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    last_seq = expected_seq - 1
    if drill.last_seq > last_seq:
        problems.append(_missing(last_seq + 1, drill.last_seq))
    elif drill.last_seq < last_seq:
        problems.append(
            ChainProblem(
                drill.last_seq + 1,
                "head",
                f"the drill records {drill.last_seq} events but {last_seq} are stored",
            )
        )
    elif events and events[-1].hash != drill.head_hash:
        problems.append(
            ChainProblem(last_seq, "head", "the last event's hash is not the one the drill records")
        )
    ended = [
        e for e in events if e.phase == LIFECYCLE_PHASE and e.kind in ("finished", "interrupted")
    ]
    if ended and ended[-1].data.get("status") != drill.status:
        problems.append(
            ChainProblem(
                ended[-1].seq,
                "status",
                f"the drill reads {drill.status!r} but its chain ended it as "
                f"{ended[-1].data.get('status')!r}",
            )
        )
    return problems
