"""Everything that can end a drill at once, watched from the runner's loop.

- ``entdrill stop``: the kill switch registry (:mod:`entdrill.guard.killswitch`) sends SIGTERM
  and writes a stop marker; :meth:`StopWatch.stop_reason` sees either;
- SIGINT (Ctrl-C) and SIGTERM received by the runner: the handlers only note the signal, so a
  send in progress is finished, never cut in half;
- ``STOP DRILL`` posted in the drill's Slack channel: only by one of the plan's organisers (by
  Slack id); anyone else's is returned as ignored, for the record;
- ``STOP DRILL`` posted in the announcement's Matrix room (Tchap): the same, by Matrix id; it is
  read from the drill's one ``/sync`` stream, which the Matrix channels share;
- the plan's ``recover.max_duration``: past it the drill is stopped and its faults reverted.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

from entdrill.channels.matrix_client import MatrixConnection, MatrixFailure
from entdrill.channels.slack_client import SlackConnection, SlackFailure
from entdrill.guard.killswitch import Registration

log = logging.getLogger(__name__)

STOP_WORDS = re.compile(r"^\W*stop\s+drill\b", re.IGNORECASE)
SLACK_EVERY_S = 3.0


@dataclass(frozen=True)
class StopPost:
    """A ``STOP DRILL`` seen in Slack (or in the announcement's Matrix room)."""

    user: str
    ts: str
    text: str
    honoured: bool
    where: str = ""  # the Matrix room it was posted in ("" for the Slack channel)


@dataclass
class MatrixRoomWatch:
    """The announcement's Matrix room, read from the connection's ``/sync`` stream."""

    connection: MatrixConnection
    room_id: str
    label: str  # the room as the plan names it
    cursor: int
    organisers: frozenset[str]
    encrypted: bool = False  # end-to-end: the bot cannot read what is said there
    problem: str = ""
    #: the announcement (event id, homeserver time in ms): only what came after it is read, in
    #: the room's order or by the homeserver's clock (a STOP DRILL from before never counts)
    after: tuple[str, int] | None = None
    past_announcement: bool = False

    def is_new(self, event: dict[str, Any]) -> bool:
        if self.after is None or self.past_announcement:
            return True
        if event.get("event_id") == self.after[0]:
            self.past_announcement = True
            return False
        return int(event.get("origin_server_ts") or 0) > self.after[1]


def is_stop(text: str) -> bool:
    """Whether a message asks to stop the drill (``STOP DRILL``, any case)."""
    return bool(STOP_WORDS.match(text.strip()))


class StopWatch:
    """Why the drill must stop now, or ""."""

    def __init__(
        self,
        registration: Registration | None,
        *,
        organisers: frozenset[str],
        names: dict[str, str] | None = None,
        max_duration_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        matrix_organisers: frozenset[str] = frozenset(),
    ) -> None:
        self.registration = registration
        self.organisers = organisers
        self.names = names or {}  # Slack or Matrix id -> person id, to say who posted
        self.matrix_organisers = matrix_organisers
        self.matrix: MatrixRoomWatch | None = None
        self.clock = clock
        self.deadline = None if max_duration_s is None else clock() + max_duration_s
        self.signalled = ""
        self.slack: SlackConnection | None = None
        self.channel = ""
        self.oldest_ts = ""
        self.seen: set[str] = set()
        self.next_read = 0.0
        self.pending = False  # a read is due but held back by a rate limit
        self.slack_problem = ""
        self.stop_post: StopPost | None = None

    def watch_slack(self, connection: SlackConnection, channel: str, oldest_ts: str) -> None:
        """Read ``channel`` for ``STOP DRILL`` posted after ``oldest_ts``."""
        self.slack, self.channel, self.oldest_ts = connection, channel, oldest_ts

    def stop_reason(self) -> str:
        """Why to stop now ("" to carry on): a signal, the registry, a deadline."""
        if self.signalled:
            return self.signalled
        if self.registration is not None and self.registration.stop_requested():
            return "kill switch pulled (entdrill stop)"
        if self.deadline is not None and self.clock() >= self.deadline:
            return "the drill ran past recover.max_duration"
        if self.stop_post is not None:
            where = self.stop_post.where or self.channel
            return f"STOP DRILL posted in {where} by {self.who(self.stop_post.user)}"
        return ""

    def watch_matrix(
        self, connection: MatrixConnection, room_id: str, label: str, *, encrypted: bool = False
    ) -> None:
        """Read the Matrix room ``room_id`` for ``STOP DRILL`` posted from now on."""
        cursor = connection.feed.position(room_id)
        self.matrix = MatrixRoomWatch(
            connection, room_id, label, cursor, self.matrix_organisers, encrypted
        )

    @property
    def matrix_problem(self) -> str:
        """Why STOP DRILL could not be read in the Matrix room ("" when it could)."""
        if self.matrix is not None and self.matrix.encrypted:
            return f"{self.matrix.label} is end-to-end encrypted: STOP DRILL cannot be read there"
        return self.matrix.problem if self.matrix is not None else ""

    def read_matrix(self) -> list[StopPost]:
        """New ``STOP DRILL`` posts in the announcement's Matrix room; an organiser's (by Matrix
        id) sets the stop reason. The feed reads at most once a second, whoever asks."""
        watch = self.matrix
        if watch is None:
            return []
        try:
            watch.connection.feed.pull()
        except MatrixFailure as failure:
            if failure.cause != watch.problem:
                log.warning("cannot read %s for STOP DRILL: %s", watch.label, failure.cause)
            watch.problem = failure.cause
            return []
        watch.problem = ""
        events = watch.connection.feed.events(watch.room_id, watch.cursor)
        watch.cursor += len(events)
        found = []
        for event in events:
            content = event.get("content")
            body = content.get("body") if isinstance(content, dict) else None
            if not watch.is_new(event):
                continue
            if event.get("type") != "m.room.message" or not isinstance(body, str):
                continue
            if not is_stop(body):
                continue
            user = str(event.get("sender", ""))
            ident = str(event.get("event_id", ""))
            post = StopPost(user, ident, body[:200], user in watch.organisers, watch.label)
            found.append(post)
            if post.honoured and self.stop_post is None:
                self.stop_post = post
        return found

    def who(self, slack_id: str) -> str:
        return self.names.get(slack_id, slack_id)

    def read_slack(self) -> list[StopPost]:
        """New ``STOP DRILL`` posts (every few seconds); an organiser's sets the stop reason.

        While Slack's rate limit holds the read back, :attr:`pending` is True: the runner then
        leaves the other Slack reads aside, so this one goes first once the limit lifts.
        """
        if self.slack is None or self.clock() < self.next_read:
            return []
        if self.slack.read_after > time.monotonic():
            self.pending = True
            return []
        try:
            messages = self.slack.read_messages(self.channel, self.oldest_ts)
            if not messages and self.slack.read_after > time.monotonic():
                self.pending = True  # rate-limited just now: read again first
                return []
        except SlackFailure as failure:
            if failure.cause != self.slack_problem:
                log.warning("cannot read %s for STOP DRILL: %s", self.channel, failure.cause)
            self.slack_problem = failure.cause
            self.pending = False
            self.next_read = self.clock() + SLACK_EVERY_S
            return []
        self.pending = False
        self.next_read = self.clock() + SLACK_EVERY_S
        self.slack_problem = ""
        found = []
        for user, text, ts in messages:
            if ts in self.seen or not is_stop(text):
                continue
            self.seen.add(ts)
            post = StopPost(user, ts, text[:200], honoured=user in self.organisers)
            found.append(post)
            if post.honoured and self.stop_post is None:
                self.stop_post = post
        return found

    @contextmanager
    def signals(self) -> Iterator[None]:
        """Note SIGINT and SIGTERM instead of dying (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def note(signum: int, frame: FrameType | None) -> None:
            name = signal.Signals(signum).name
            if not self.signalled:
                self.signalled = (
                    "interrupted (Ctrl-C)" if signum == signal.SIGINT else f"{name} received"
                )
                if signum == signal.SIGTERM and self.registration is not None:
                    self.signalled = "kill switch pulled (SIGTERM, entdrill stop)"
            else:
                log.warning("%s again: the drill is already stopping, faults first", name)

        previous: dict[int, Any] = {
            s: signal.signal(s, note) for s in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
