"""STOP DRILL in the announcement's Matrix room, read from a real Synapse: an organiser's ends the
drill, anyone else's is returned as ignored, and what was said before the announcement is not
read (the stream may still bring it: Synapse's sync position can trail what it has stored)."""

from __future__ import annotations

import time
import uuid

from entdrill.drill.killswitch_watch import StopPost, StopWatch
from tests.synapse_support import MatrixServer


def read_until(watch: StopWatch, count: int, timeout_s: float = 20.0) -> list[StopPost]:
    """Read the room (as the runner's loop does) until ``count`` STOP DRILL posts are seen."""
    assert watch.matrix is not None
    found: list[StopPost] = []
    deadline = time.monotonic() + timeout_s
    while len(found) < count:
        assert time.monotonic() < deadline, f"timed out: {found}"
        watch.matrix.connection.feed.next_pull = 0.0
        found += watch.read_matrix()
        time.sleep(0.1)
    return found


def test_stop_drill_in_the_matrix_room_by_an_organiser_only(synapse: MatrixServer) -> None:
    organiser, outsider = synapse.user("organiser"), synapse.user("outsider")
    alias = f"#stop{uuid.uuid4().hex[:8]}:{synapse.domain}"
    synapse.call(
        synapse.accounts.bot,
        "POST",
        "/createRoom",
        {"room_alias_name": alias[1:].split(":")[0], "preset": "public_chat"},
    )
    room_id = synapse.join(organiser, alias)
    synapse.join(outsider, alias)
    synapse.say(organiser, room_id, {"msgtype": "m.text", "body": "STOP DRILL (an old one)"})
    connection = synapse.connection()
    connection.join(alias)
    connection.feed.start()
    watch = StopWatch(
        None,
        organisers=frozenset(),
        names={organiser.user_id: "eva.thomas2"},
        matrix_organisers=frozenset({organiser.user_id}),
    )
    watch.watch_matrix(connection, room_id, alias)
    announcement = connection.send(
        room_id, {"msgtype": "m.text", "body": "[EXERCICE / DRILL] starts"}, txn=uuid.uuid4().hex
    )
    assert watch.matrix is not None  # as the runner does once the announcement is posted
    at = connection.event_time_ms(room_id, announcement.event_id)
    watch.matrix.after = (announcement.event_id, at)
    synapse.say(outsider, room_id, {"msgtype": "m.text", "body": "STOP DRILL"})
    synapse.say(organiser, room_id, {"msgtype": "m.text", "body": "non-stop drill talk"})
    first = read_until(watch, 1)
    assert [(p.user, p.honoured, p.where) for p in first] == [(outsider.user_id, False, alias)]
    assert watch.stop_reason() == ""
    synapse.say(organiser, room_id, {"msgtype": "m.text", "body": "stop drill, please"})
    second = read_until(watch, 1)
    assert [(p.user, p.honoured, p.text) for p in second] == [
        (organiser.user_id, True, "stop drill, please")
    ]
    assert watch.stop_reason() == f"STOP DRILL posted in {alias} by eva.thomas2"
    assert watch.matrix_problem == ""
