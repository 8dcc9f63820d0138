"""The drill on Matrix: the runner's one connection, the announcement's room, STOP DRILL there.

When a plan has Matrix channels or an announcement ``matrix_room``, the runner opens one
connection to the drill's homeserver and every Matrix channel on it shares it (one ``/sync``
stream, one rate limit). The announcement is posted in ``matrix_room`` as in Slack (labelled,
sent once whatever the retries), and from then on an organiser's ``STOP DRILL`` posted there
ends the drill (:meth:`~entdrill.drill.killswitch_watch.StopWatch.read_matrix`). When the drill
is stopped, the room is told. A room that cannot be joined or posted in is a finding, not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass

from entdrill.channels.base import labelled
from entdrill.channels.factory import connect_matrix
from entdrill.channels.matrix import CONTENT_KEY
from entdrill.channels.matrix_client import MatrixConnection, MatrixFailure, Sent, txn_id
from entdrill.drill.fallbacks import Fallbacks
from entdrill.drill.killswitch_watch import StopWatch
from entdrill.drill.prepare import Prepared
from entdrill.drill.timeline import Timeline


@dataclass
class MatrixRoom:
    """The runner's side of Matrix for one drill."""

    prepared: Prepared
    connection: MatrixConnection | None = None
    room_id: str = ""

    @property
    def label(self) -> str:
        return self.prepared.plan.announcement.matrix_room

    def connect(self, fallbacks: Fallbacks) -> None:
        """Open the drill's connection, if the plan uses Matrix, and share it with the channels."""
        context = self.prepared.context
        if context is None or not context.matrix_url:
            return
        if not (self.label or fallbacks.on_matrix):
            return
        self.connection = connect_matrix(context)
        fallbacks.share_matrix(self.connection)

    def announce(self, text: str, stop: StopWatch, timeline: Timeline) -> str:
        """Post the announcement in the Matrix room and watch it for STOP DRILL; the problem
        ("" when it was posted)."""
        if not self.label:
            return ""
        if self.connection is None:
            cause = "no Matrix homeserver is configured"
        else:
            try:
                self.room_id = self.connection.join(self.label)
                self.connection.feed.start()
                encrypted = bool(self.connection.is_encrypted(self.room_id))
                stop.watch_matrix(self.connection, self.room_id, self.label, encrypted=encrypted)
                sent = self.post(labelled(text), "announcement")
                if stop.matrix is not None:  # STOP DRILL counts from the announcement on
                    stop.matrix.after = (sent.event_id, self._time_of(sent.event_id))
            except MatrixFailure as failure:
                cause = failure.cause
            else:
                timeline.record(
                    "announce",
                    "posted",
                    {"matrix_room": self.label, **sent.evidence()},
                    text=f"announced in {self.label}",
                )
                return ""
        timeline.record(
            "announce",
            "failed",
            {"matrix_room": self.label, "cause": cause},
            text=f"could not announce in {self.label}: {cause}",
        )
        return cause

    def _time_of(self, event_id: str) -> int:
        """The homeserver's time of ``event_id`` (ms); unknown: only the room's order counts."""
        assert self.connection is not None
        try:
            return self.connection.event_time_ms(self.room_id, event_id)
        except MatrixFailure:
            return 2**62

    def post(self, text: str, notification: str) -> Sent:
        assert self.connection is not None
        drill_id = self.prepared.drill_id
        content = {
            "msgtype": "m.text",
            "body": text,
            CONTENT_KEY: {"drill_id": drill_id, "notification_id": notification, "person_id": ""},
        }
        return self.connection.send(
            self.room_id, content, txn=txn_id(drill_id, notification, "room")
        )

    def tell_stopped(self, text: str) -> str:
        """Tell the announcement's room the drill is stopped; the room told ("" when none)."""
        if not self.room_id or self.connection is None:
            return ""
        try:
            self.post(labelled(text), "stopped")
        except MatrixFailure:
            return ""
        return self.label
