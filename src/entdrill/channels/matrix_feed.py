"""One ``/sync`` stream of a drill's Matrix connection, read by every Matrix channel and STOP DRILL.

A Matrix client learns what happened in its rooms from ``GET /sync?since=...``: one call answers
for every room the bot is in, whatever their number (where Slack needs one history read per
conversation). :class:`MatrixFeed` keeps what each call brought, room by room, from the moment it
started (before the drill's first message), so each reader keeps its own cursor:

- ``start()`` takes the stream's position, discarding the past;
- ``pull()`` reads what happened since, at most once every ``min_interval_s`` however many
  readers ask, and never while a 429 ``retry_after_ms`` runs (it returns False then);
- ``events(room_id, cursor)`` is what arrived in a room after ``cursor`` (``position(room_id)``).

Only messages (encrypted ones too) and reactions are asked for (an inline filter: no state, presence, receipts or
typing). When the homeserver cuts a room's timeline short (``limited``: more than
:data:`TIMELINE_LIMIT` events between two reads) the room's count in ``gaps`` goes up, and a
channel reads its posts' relations there once more, directly.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from entdrill.channels.matrix_client import MatrixConnection

log = logging.getLogger(__name__)

TIMELINE_LIMIT = 100
#: m.room.encrypted: an answer from an end-to-end encrypted room (Tchap's direct and private
#: rooms) keeps its relation (reaction, thread, reply) in clear text, so it can still be counted.
EVENT_TYPES = ["m.room.message", "m.reaction", "m.room.encrypted"]


def sync_filter(limit: int) -> str:
    """An inline sync filter: messages and reactions of joined rooms, nothing else."""
    nothing = {"not_types": ["*"]}
    return json.dumps(
        {
            "presence": nothing,
            "account_data": nothing,
            "room": {
                "timeline": {"limit": limit, "types": EVENT_TYPES},
                "state": {"types": [], "lazy_load_members": True},
                "ephemeral": nothing,
                "account_data": nothing,
            },
        },
        separators=(",", ":"),
    )


class MatrixFeed:
    """What the bot's rooms received since the drill began."""

    def __init__(
        self,
        connection: MatrixConnection,
        *,
        min_interval_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connection = connection
        self.min_interval_s = min_interval_s
        self.clock = clock
        self.since = ""
        self.rooms: dict[str, list[dict[str, Any]]] = {}
        self.gaps: dict[str, int] = {}  # room id -> how many times its timeline was cut short
        self.next_pull = 0.0

    @property
    def started(self) -> bool:
        return bool(self.since)

    def start(self) -> None:
        """Take the stream's current position (raises MatrixFailure)."""
        if self.since:
            return
        answer = self.connection.read("/sync", {"filter": sync_filter(1), "timeout": "0"})
        self.since = str(answer["next_batch"])

    def position(self, room_id: str) -> int:
        return len(self.rooms.get(room_id, []))

    def events(self, room_id: str, cursor: int) -> list[dict[str, Any]]:
        return self.rooms.get(room_id, [])[cursor:]

    def pull(self, *, force: bool = False) -> bool:
        """Read what happened since the last read; False when nothing was read (too soon, or a
        rate limit runs). Raises MatrixFailure when the homeserver fails or refuses."""
        from entdrill.channels.matrix_client import ReadLater

        if not self.since:
            self.start()
        if not force and self.clock() < self.next_pull:
            return False
        try:
            answer = self.connection.read(
                "/sync",
                {"since": self.since, "filter": sync_filter(TIMELINE_LIMIT), "timeout": "0"},
            )
        except ReadLater:
            return False
        self.next_pull = self.clock() + self.min_interval_s
        joined = (answer.get("rooms") or {}).get("join") or {}
        for room_id, room in joined.items():
            timeline = room.get("timeline") or {}
            if timeline.get("limited"):
                log.info("the timeline of %s came cut short: its relations are read", room_id)
                self.gaps[room_id] = self.gaps.get(room_id, 0) + 1
            events = [e for e in timeline.get("events") or [] if isinstance(e, dict)]
            self.rooms.setdefault(room_id, []).extend(events)
        self.since = str(answer.get("next_batch") or self.since)
        return True
