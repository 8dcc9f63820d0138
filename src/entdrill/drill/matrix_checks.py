"""What a plan's Matrix parts must say, beyond the schema (pure).

- A ``matrix`` channel posts in a ``room`` (an alias ``#name:server`` or an id ``!id:server``,
  which the schema cannot tell from a video room's name) and/or in each person's direct room
  (``direct: true``).
- On a staging target, a homeserver must be named: the channel's ``homeserver`` or the target's
  ``matrix_url`` (the sandbox has its own Synapse). The announcement's ``matrix_room`` is on the
  target's homeserver.

Whether the room exists and the homeserver speaks Matrix is checked against the homeserver when
the drill is prepared, before anything is sent (:meth:`MatrixChannel.check`).
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from entdrill.problem import FieldPath, quote

MATRIX_ROOM = re.compile(r"^[#!][^:\s]+:[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


class Adds(Protocol):
    def add(self, path: FieldPath, sentence: str) -> None: ...


def _staging_without_homeserver(data: dict[str, Any]) -> bool:
    target = data.get("target")
    return isinstance(target, dict) and not target.get("matrix_url")


def check_channel(
    check: Adds, data: dict[str, Any], channel: dict[str, Any], where: FieldPath
) -> None:
    """The problems of one ``matrix`` channel entry (nothing to say about other types)."""
    if channel.get("type") != "matrix":
        return
    room = channel.get("room")
    if room is None and not channel.get("direct"):
        check.add(
            where,
            'a matrix channel needs room (a Matrix room such as "#continuite:ecole.test") '
            "or direct: true",
        )
    if isinstance(room, str) and not MATRIX_ROOM.match(room):
        check.add(
            (*where, "room"),
            f"{quote(room)} is not a Matrix room: expected an alias such as "
            '"#continuite:ecole.test" or a room id such as "!AbCdEf:ecole.test", in quotes',
        )
    if "homeserver" not in channel and _staging_without_homeserver(data):
        check.add(
            where,
            "a matrix channel on a staging target needs its homeserver "
            "(homeserver: https://..., or matrix_url in the target)",
        )


def _on_matrix(data: dict[str, Any]) -> bool:
    announcement = data.get("announcement")
    return isinstance(announcement, dict) and bool(announcement.get("matrix_room"))


def can_post_stop(data: dict[str, Any], person: dict[str, Any]) -> bool:
    """Whether an organiser can post STOP DRILL: with a Slack id, or a Matrix id when the
    announcement has a Matrix room."""
    return bool(person.get("slack")) or (_on_matrix(data) and bool(person.get("matrix")))


def cannot_post_stop(data: dict[str, Any], quoted_id: str) -> str:
    where = "slack id (or matrix id)" if _on_matrix(data) else "slack id"
    return f"{quoted_id} has no {where}, so could not post STOP DRILL: add one"


def check_announcement(check: Adds, data: dict[str, Any]) -> None:
    """The announcement's Matrix room is on the target's homeserver: it must name one."""
    announcement = data.get("announcement")
    if not isinstance(announcement, dict) or "matrix_room" not in announcement:
        return
    if _staging_without_homeserver(data):
        check.add(
            ("announcement", "matrix_room"),
            "is on the target's Matrix homeserver, and the target names none: "
            "add matrix_url to the target",
        )
