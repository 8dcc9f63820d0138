"""The Slack channel: a post in a Slack channel and/or a direct message to each person.

``send`` posts once in ``post_in`` (in the announcement's thread with ``thread: true``) and, with
``direct``, once in each person's DM, each post carrying metadata that makes a retried post
recognisable (:mod:`slack_client`). Events per person:

- ``sent`` then ``delivered`` when the message is in a conversation the person is a member of
  (the channel, checked with ``conversations.members``, or their DM): posted, not yet read;
- ``failed`` with the cause: no Slack id, not a member of the channel, or Slack refused
  (``invalid_auth`` fails every remaining recipient at once, without another call);
- ``acknowledged`` from ``poll``: a reaction on the channel post or the DM (``ack_by: reaction``,
  time = when it was seen), a reply in its thread or, in a DM, any message the person wrote after
  it (``ack_by: reply``, time = the reply's).

Reads are frugal (Slack's tier 3 allows about 50 a minute): one ``conversations.history`` per
post still awaited (the channel post first: one call answers for everyone in it, then the DMs
round robin), ``conversations.replies`` only when a thread has a new reply, at most
``read_budget`` calls per poll, and none while a ``Retry-After`` runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from entdrill.channels.base import (
    Channel,
    LedgerEvent,
    LedgerState,
    Message,
    Recipient,
    now,
    personalised,
)
from entdrill.channels.context import ChannelContext
from entdrill.channels.slack_client import Posted, ReadLater, SlackConnection, SlackFailure

log = logging.getLogger(__name__)


def connect(context: ChannelContext, **options: Any) -> SlackConnection:
    """The Slack connection of a drill's context (the runner's too: announcement, kill switch)."""
    return SlackConnection(
        context.slack_token,
        context.slack_api_url or "https://slack.com/api/",
        timeout_s=context.timeout_s,
        **options,
    )


@dataclass
class Watched:
    """A post whose acknowledgements are awaited: who may acknowledge it, and who has."""

    channel: str
    ts: str
    people: dict[str, str]  # slack id -> person id, still awaited
    via: str  # "channel" or "dm"
    latest_reply: str = ""
    seen_replies: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Answer:
    """One acknowledgement seen on Slack."""

    slack_id: str
    how: str  # "reaction" or "reply"
    at: datetime
    evidence: dict[str, Any]


def ts_time(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def answers(
    connection: SlackConnection,
    post: Watched,
    ack_by: Sequence[str],
    *,
    accept_reply: Callable[[str], bool] = lambda text: True,
    reject_reaction: Callable[[str], bool] = lambda name: False,
) -> list[Answer]:
    """The acknowledgements of ``post``'s awaited people seen now (raises SlackFailure)."""
    found: dict[str, Answer] = {}
    history = connection.history(post.channel, post.ts, limit=20 if post.via == "dm" else 1)
    parent = next((m for m in history if m.get("ts") == post.ts), {})
    seen = now()
    if "reaction" in ack_by:
        for reaction in parent.get("reactions") or []:
            for user in reaction.get("users") or []:
                name = str(reaction.get("name", ""))
                if user in post.people and user not in found and not reject_reaction(name):
                    found[user] = Answer(user, "reaction", seen, {"reaction": name})
    if "reply" in ack_by:
        if post.via == "dm":
            for message in history:
                user, text = str(message.get("user", "")), str(message.get("text", ""))
                if message.get("ts") != post.ts and user in post.people and accept_reply(text):
                    found.setdefault(user, _reply(user, message))
        latest = str(parent.get("latest_reply") or "")
        repliers = set(parent.get("reply_users") or []) & set(post.people)
        if latest and latest != post.latest_reply and repliers - set(found):
            for message in connection.replies(post.channel, post.ts):
                user, text = str(message.get("user", "")), str(message.get("text", ""))
                if user in post.people and message["ts"] not in post.seen_replies:
                    post.seen_replies.add(str(message["ts"]))
                    if accept_reply(text):
                        found.setdefault(user, _reply(user, message))
            post.latest_reply = latest
    return sorted(found.values(), key=lambda a: a.at)


def _reply(user: str, message: Mapping[str, Any]) -> Answer:
    ts = str(message["ts"])
    return Answer(user, "reply", ts_time(ts), {"reply_ts": ts, "text": str(message["text"])[:200]})


class SlackChannel(Channel):
    kind = "slack"

    def __init__(
        self,
        name: str,
        audience: Sequence[Recipient],
        settings: Mapping[str, Any] | None = None,
        *,
        connection: SlackConnection,
        drill_id: str,
        post_in: str = "",
        direct: bool = False,
        thread_ts: str = "",
        ack_by: Sequence[str] = ("reaction", "reply"),
        read_budget: int = 40,
    ) -> None:
        super().__init__(name, audience, settings)
        self.connection = connection
        self.drill_id = drill_id
        self.post_in = post_in
        self.direct = direct
        self.thread_ts = thread_ts
        self.ack_by = tuple(ack_by)
        self.read_budget = read_budget
        self.watched: list[Watched] = []
        self.acknowledged: set[str] = set()
        self.broken = ""  # the cause after which nothing more is tried (a refused token)
        self._warned = ""

    # -- sending --------------------------------------------------------------------------

    def _send(self, message: Message, recipients: Sequence[Recipient]) -> list[LedgerEvent]:
        events = [
            self.event(r.person_id, LedgerState.FAILED, cause="no Slack id for this person")
            for r in recipients
            if not r.slack_id
        ]
        people = [r for r in recipients if r.slack_id]
        if people and self.post_in:
            events += self._post_in_channel(message, people)
        if people and self.direct:
            events += [e for r in people for e in self._post_direct(message, r)]
        return events

    def _post_in_channel(self, message: Message, people: list[Recipient]) -> list[LedgerEvent]:
        if self.broken:
            return self._fail_all(people, self.broken, "channel")
        try:
            posted = self.connection.post(
                self.post_in,
                personalised(message.text, None),
                drill_id=self.drill_id,
                notification_id=message.notification_id,
                thread_ts=self.thread_ts,
            )
        except SlackFailure as failure:
            if failure.auth:
                self.broken = failure.cause
            return self._fail_all(people, failure.cause, "channel")
        evidence = {**posted.evidence(), "via": "channel", "notification": message.notification_id}
        events = [self.event(r.person_id, LedgerState.SENT, **evidence) for r in people]
        try:
            members = self.connection.members(posted.channel)
        except SlackFailure as failure:
            log.warning("cannot list the members of %s: %s", self.post_in, failure.cause)
            members = set()  # delivery unknown: sent only
        watched = {}
        for r in people:
            if r.slack_id in members:
                events.append(self.event(r.person_id, LedgerState.DELIVERED, **evidence))
                watched[r.slack_id] = r.person_id
            elif members and not self.direct:
                events.append(
                    self.event(
                        r.person_id,
                        LedgerState.FAILED,
                        cause=f"not a member of {self.post_in}",
                        via="channel",
                    )
                )
        if self.ack_by and watched:
            self.watched.append(Watched(posted.channel, posted.ts, watched, "channel"))
        return events

    def _post_direct(self, message: Message, person: Recipient) -> list[LedgerEvent]:
        if self.broken:
            return self._fail_all([person], self.broken, "dm")
        try:
            posted: Posted = self.connection.post(
                person.slack_id,
                personalised(message.text, person),
                drill_id=self.drill_id,
                notification_id=message.notification_id,
                person_id=person.person_id,
            )
        except SlackFailure as failure:
            if failure.auth:
                self.broken = failure.cause
            return self._fail_all([person], failure.cause, "dm")
        evidence = {**posted.evidence(), "via": "dm", "notification": message.notification_id}
        if self.ack_by:
            people = {person.slack_id: person.person_id}
            self.watched.append(Watched(posted.channel, posted.ts, people, "dm"))
        return [
            self.event(person.person_id, LedgerState.SENT, **evidence),
            self.event(person.person_id, LedgerState.DELIVERED, **evidence),
        ]

    def _fail_all(self, people: Sequence[Recipient], cause: str, via: str) -> list[LedgerEvent]:
        return [self.event(r.person_id, LedgerState.FAILED, cause=cause, via=via) for r in people]

    # -- acknowledgements -----------------------------------------------------------------

    def poll(self) -> list[LedgerEvent]:
        events: list[LedgerEvent] = []
        calls = 0
        # A channel post answers for many people in one call: read it first, then the DMs,
        # round robin (a DM read goes to the back of the queue).
        for post in sorted(self.watched, key=lambda w: w.via != "channel"):
            if calls >= self.read_budget:
                break
            post.people = {s: p for s, p in post.people.items() if p not in self.acknowledged}
            if not post.people:
                self.watched.remove(post)
                continue
            try:
                found = answers(self.connection, post, self.ack_by)
            except ReadLater:
                break
            except SlackFailure as failure:
                self._warn(failure.cause)
                break
            calls += 1
            for answer in found:
                person = post.people.pop(answer.slack_id, "")
                if person and person not in self.acknowledged:
                    self.acknowledged.add(person)
                    events.append(self._ack(person, post, answer))
            self.watched.remove(post)  # round robin: read again after the others
            if post.people:
                self.watched.append(post)
        return events

    def _ack(self, person: str, post: Watched, answer: Answer) -> LedgerEvent:
        evidence = {
            "how": answer.how,
            "slack_channel": post.channel,
            "ts": post.ts,
            "via": post.via,
            **answer.evidence,
        }
        return LedgerEvent(person, self.name, LedgerState.ACKNOWLEDGED, answer.at, evidence)

    def _warn(self, cause: str) -> None:
        if cause != self._warned:
            log.warning("reading acknowledgements on %s: %s", self.name, cause)
            self._warned = cause

    def read_messages(self, channel: str, oldest_ts: str) -> list[tuple[str, str, str]]:
        """(user id, text, ts) posted in ``channel`` after ``oldest_ts`` (the kill switch)."""
        return self.connection.read_messages(channel, oldest_ts)
