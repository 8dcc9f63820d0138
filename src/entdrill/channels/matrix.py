"""The Matrix channel (Tchap, or any Matrix homeserver): a message in a room and/or in each
person's direct room, acknowledged by a reaction or a reply.

``send`` posts once in ``room`` (an alias ``#continuite:ecole.test`` or an id ``!abc:ecole.test``)
and, with ``direct``, once in each person's direct room with the bot (opened when the person has
none). Every event carries the drill label in its text, and ``org.entdrill.drill`` (drill,
notification and person ids) in its content; its transaction id is made of the same ids, so a
retried send is the same event (:mod:`matrix_client`). Events per person:

- ``sent`` and ``delivered`` when the homeserver accepted the event (its ``event_id``) in a room
  the person is in: joined in ``room``; joined or invited in their direct room;
- ``failed`` with the cause: no Matrix id, not a member of the room, the homeserver refused
  (a refused token fails every remaining recipient at once, without another call), a rate limit
  longer than the drill waits;
- ``acknowledged`` from ``poll``, at the homeserver's time of the answer: an ``m.reaction`` on
  the message (``ack_by: reaction``), a reply to it (``m.relates_to``: in its thread, or
  ``m.in_reply_to``) or, in a direct room, any message the person wrote after it
  (``ack_by: reply``). In an end-to-end encrypted room (Tchap's direct rooms) an answer is an
  ``m.room.encrypted`` event whose relation Matrix keeps in clear text: it counts the same,
  without its words.

Reads go through the connection's one ``/sync`` stream (:mod:`matrix_feed`): one call per poll
answers for every room, however many people the drill reached.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from entdrill.channels.base import Channel, LedgerEvent, LedgerState, Message, Recipient
from entdrill.channels.base import personalised as personalise
from entdrill.channels.matrix_client import MatrixConnection, MatrixFailure, Sent, txn_id
from entdrill.errors import InvalidConfig

log = logging.getLogger(__name__)

CONTENT_KEY = "org.entdrill.drill"
ENCRYPTED = "m.room.encrypted"


@dataclass
class Watched:
    """A message whose acknowledgements are awaited: who may acknowledge it, and who has."""

    room_id: str
    event_id: str
    people: dict[str, str]  # Matrix id -> person id, still awaited
    via: str  # "room" or "dm"
    cursor: int  # where the feed stood in the room when the message was sent
    after_own: bool = False  # the message itself was seen in the room's timeline
    gaps_read: int = 0
    seen: set[str] = field(default_factory=set)  # event ids already looked at


def answer_of(event: Mapping[str, Any], post: Watched, ack_by: Sequence[str]) -> str:
    """How ``event`` acknowledges ``post`` ("reaction", "reply"), or "" when it does not."""
    content = event.get("content")
    if not isinstance(content, dict):
        return ""
    relation = content.get("m.relates_to")
    relation = relation if isinstance(relation, dict) else {}
    kind = event.get("type")
    if relation.get("rel_type") == "m.annotation" or kind == "m.reaction":
        on_post = relation.get("event_id") == post.event_id
        wanted = "reaction" in ack_by and kind in ("m.reaction", ENCRYPTED)
        return (
            "reaction" if wanted and on_post and relation.get("rel_type") == "m.annotation" else ""
        )
    if kind not in ("m.room.message", ENCRYPTED) or "reply" not in ack_by:
        return ""
    reply_to = relation.get("m.in_reply_to")
    in_reply = isinstance(reply_to, dict) and reply_to.get("event_id") == post.event_id
    in_thread = relation.get("rel_type") == "m.thread" and relation.get("event_id") == post.event_id
    after = post.via == "dm" and post.after_own  # any message after it, in a direct room
    return "reply" if in_reply or in_thread or after else ""


def event_time(event: Mapping[str, Any]) -> datetime:
    """When the homeserver received ``event`` (its ``origin_server_ts``)."""
    return datetime.fromtimestamp(int(event.get("origin_server_ts") or 0) / 1000.0, UTC)


class MatrixChannel(Channel):
    kind = "matrix"

    def __init__(
        self,
        name: str,
        audience: Sequence[Recipient],
        settings: Mapping[str, Any] | None = None,
        *,
        connection: MatrixConnection,
        drill_id: str,
        room: str = "",
        direct: bool = False,
        ack_by: Sequence[str] = ("reaction", "reply"),
    ) -> None:
        super().__init__(name, audience, settings)
        self.connection = connection
        self.drill_id = drill_id
        self.room = room
        self.direct = direct
        self.ack_by = tuple(ack_by)
        self.watched: list[Watched] = []
        self.acknowledged: set[str] = set()
        self.broken = ""  # the cause after which nothing more is tried (a refused token)
        self._warned = ""

    def check(self) -> None:
        """Refuse, before anything is sent, a homeserver that is not one and a room that does
        not exist (:class:`~entdrill.errors.InvalidConfig`, one sentence)."""
        try:
            self.connection.check_server()
            if self.room:
                self.connection.resolve(self.room)
        except MatrixFailure as failure:
            raise InvalidConfig(f"channel {self.name!r} (matrix): {failure.cause}") from None

    # -- sending --------------------------------------------------------------------------

    def _send(self, message: Message, recipients: Sequence[Recipient]) -> list[LedgerEvent]:
        events = [
            self.event(r.person_id, LedgerState.FAILED, cause="no Matrix id for this person")
            for r in recipients
            if not r.matrix_id
        ]
        people = [r for r in recipients if r.matrix_id]
        if people and not self.broken and message.ack_requested:
            try:
                self.connection.feed.start()  # before sending: no answer can be missed
            except MatrixFailure as failure:
                self._note(failure)
                self._warn(f"cannot read acknowledgements: {failure.cause}")
        if people and self.room:
            events += self._post_in_room(message, people)
        if people and self.direct:
            events += [e for r in people for e in self._post_direct(message, r)]
        return events

    def _post_in_room(self, message: Message, people: list[Recipient]) -> list[LedgerEvent]:
        try:
            if self.broken:
                raise MatrixFailure(self.broken)
            room_id = self.connection.join(self.room)
            sent = self._put(room_id, message, personalise(message.text, None), "")
        except MatrixFailure as failure:
            self._note(failure)
            return self._fail_all(people, failure.cause, "room")
        evidence = {**sent.evidence(), "via": "room", "notification": message.notification_id}
        events = [self.event(r.person_id, LedgerState.SENT, **evidence) for r in people]
        try:
            members = self.connection.joined_members(room_id)
        except MatrixFailure as failure:
            log.warning("cannot list the members of %s: %s", self.room, failure.cause)
            members = set()  # delivery unknown: sent only
        awaited = {}
        for r in people:
            if r.matrix_id in members:
                events.append(self.event(r.person_id, LedgerState.DELIVERED, **evidence))
                awaited[r.matrix_id] = r.person_id
            elif members and not self.direct:
                cause = f"not a member of {self.room}"
                events.append(self.event(r.person_id, LedgerState.FAILED, cause=cause, via="room"))
        self._watch(message, sent, awaited, "room")
        return events

    def _post_direct(self, message: Message, person: Recipient) -> list[LedgerEvent]:
        try:
            if self.broken:
                raise MatrixFailure(self.broken)
            room_id = self.connection.direct_room(person.matrix_id)
            text = personalise(message.text, person)
            sent = self._put(room_id, message, text, person.person_id)
        except MatrixFailure as failure:
            self._note(failure)
            return self._fail_all([person], failure.cause, "dm")
        evidence = {**sent.evidence(), "via": "dm", "notification": message.notification_id}
        self._watch(message, sent, {person.matrix_id: person.person_id}, "dm")
        return [
            self.event(person.person_id, LedgerState.SENT, **evidence),
            self.event(person.person_id, LedgerState.DELIVERED, **evidence),
        ]

    def _put(self, room_id: str, message: Message, text: str, person_id: str) -> Sent:
        content = {
            "msgtype": "m.text",
            "body": text,
            CONTENT_KEY: {
                "drill_id": self.drill_id,
                "notification_id": message.notification_id,
                "person_id": person_id,
            },
        }
        txn = txn_id(self.drill_id, message.notification_id, person_id or "room")
        return self.connection.send(room_id, content, txn=txn)

    def _watch(self, message: Message, sent: Sent, people: dict[str, str], via: str) -> None:
        if not (self.ack_by and people and message.ack_requested):
            return
        cursor = self.connection.feed.position(sent.room_id)
        self.watched.append(Watched(sent.room_id, sent.event_id, people, via, cursor))

    def _note(self, failure: MatrixFailure) -> None:
        if failure.auth:
            self.broken = failure.cause

    def _fail_all(self, people: Sequence[Recipient], cause: str, via: str) -> list[LedgerEvent]:
        return [self.event(r.person_id, LedgerState.FAILED, cause=cause, via=via) for r in people]

    # -- acknowledgements -----------------------------------------------------------------

    def poll(self) -> list[LedgerEvent]:
        if not self.watched or self.broken:
            return []
        feed = self.connection.feed
        try:
            feed.pull()
        except MatrixFailure as failure:
            self._note(failure)
            self._warn(failure.cause)
            return []
        events: list[LedgerEvent] = []
        for post in list(self.watched):
            post.people = {m: p for m, p in post.people.items() if p not in self.acknowledged}
            if not post.people:
                self.watched.remove(post)
                continue
            found = feed.events(post.room_id, post.cursor)
            post.cursor += len(found)
            gaps = feed.gaps.get(post.room_id, 0)
            if gaps > post.gaps_read:
                found += self._relations(post)
                post.gaps_read = gaps
            for event in found:
                events += self._acknowledgement(post, event)
        return events

    def _relations(self, post: Watched) -> list[dict[str, Any]]:
        try:
            return self.connection.relations(post.room_id, post.event_id)
        except MatrixFailure as failure:
            self._warn(f"cannot read the answers to {post.event_id}: {failure.cause}")
            return []

    def _acknowledgement(self, post: Watched, event: Mapping[str, Any]) -> list[LedgerEvent]:
        ident = str(event.get("event_id") or "")
        sender = str(event.get("sender") or "")
        if ident == post.event_id:
            post.after_own = True  # the timeline is in order: what follows came after it
        if ident in post.seen or sender not in post.people:
            return []
        post.seen.add(ident)
        how = answer_of(event, post, self.ack_by)
        if not how:
            return []
        person = post.people.pop(sender)
        self.acknowledged.add(person)
        evidence: dict[str, Any] = {
            "how": how,
            "room_id": post.room_id,
            "event_id": post.event_id,
            "answer_event_id": ident,
            "via": post.via,
        }
        content = event.get("content") or {}
        if event.get("type") == ENCRYPTED:
            evidence["encrypted"] = True  # the relation is in clear text, the words are not
        elif how == "reaction":
            evidence["reaction"] = str((content.get("m.relates_to") or {}).get("key", ""))[:40]
        else:
            evidence["text"] = str(content.get("body", ""))[:200]
        return [
            LedgerEvent(person, self.name, LedgerState.ACKNOWLEDGED, event_time(event), evidence)
        ]

    def _warn(self, cause: str) -> None:
        if cause != self._warned:
            log.warning("reading acknowledgements on %s: %s", self.name, cause)
            self._warned = cause
