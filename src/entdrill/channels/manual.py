"""Manual steps: a named person confirms they did something ("switch your class to the room").

``send`` posts the step, labelled, in the drill's Slack channel, mentioning who must confirm;
each recipient gets ``sent`` (and ``delivered`` when they are a member of that channel). A
confirmation is an ``acknowledged`` event (``how`` says which kind), from:

- Slack, read by ``poll``: a reply in the step's thread whose words confirm ("fait", "done",
  "c'est fait", "ok"...), or a reaction on the step's message (except a refusal such as ``x``),
  by one of the confirmers;
- :meth:`ManualChannel.confirm`, the runner's door for ``entdrill drill confirm`` (an external
  confirmation, with its evidence), reported by the next ``poll``.

Confirmers are ``confirmed_by`` when the plan names one, otherwise every recipient of the step.
Anyone else's reply or reaction is logged and ignored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from entdrill.channels.base import Channel, LedgerEvent, LedgerState, Message, Recipient
from entdrill.channels.slack import Watched, answers
from entdrill.channels.slack_client import ReadLater, SlackConnection, SlackFailure

log = logging.getLogger(__name__)

CONFIRM_WORDS = re.compile(
    r"^\W*(fait|c'?est fait|c’est fait|done|ok|okay|oui|yes|termin[ée]e?|fini|effectu[ée]e?|"
    r"confirm[ée]?e?|confirmed|bascul[ée]e?|✅|👍)\b",
    re.IGNORECASE,
)
REFUSALS = frozenset(
    {"x", "no_entry", "no_entry_sign", "-1", "thumbsdown", "negative_squared_cross_mark"}
)


def confirms(text: str) -> bool:
    """Whether a reply's words confirm the step."""
    return bool(CONFIRM_WORDS.match(text.strip())) or text.strip() in ("✅", "👍")


class ManualChannel(Channel):
    kind = "manual"

    def __init__(
        self,
        name: str,
        audience: Sequence[Recipient],
        settings: Mapping[str, Any] | None = None,
        *,
        connection: SlackConnection | None,
        drill_id: str,
        post_in: str = "",
        confirmers: Sequence[Recipient] = (),
    ) -> None:
        super().__init__(name, audience, settings)
        self.connection = connection
        self.drill_id = drill_id
        self.post_in = post_in
        self.confirmers = {r.person_id: r for r in confirmers}
        self.post: Watched | None = None
        self.confirmed: set[str] = set()
        self._external: list[LedgerEvent] = []
        self._warned = ""

    def _send(self, message: Message, recipients: Sequence[Recipient]) -> list[LedgerEvent]:
        confirmers = self.confirmers or {r.person_id: r for r in recipients}
        self.confirmers = confirmers
        if self.connection is None or not self.post_in:
            return [self.event(r.person_id, LedgerState.SENT, via="none") for r in recipients]
        mentions = " ".join(f"<@{r.slack_id}>" for r in confirmers.values() if r.slack_id)
        text = message.text.replace("{name}", "")
        if mentions and len(confirmers) <= 20:
            text = f"{text}\n{mentions}"
        try:
            posted = self.connection.post(
                self.post_in,
                text,
                drill_id=self.drill_id,
                notification_id=message.notification_id,
            )
        except SlackFailure as failure:
            return [
                self.event(r.person_id, LedgerState.FAILED, cause=failure.cause) for r in recipients
            ]
        evidence = {**posted.evidence(), "notification": message.notification_id}
        try:
            members = self.connection.members(posted.channel)
        except SlackFailure:
            members = set()
        events = []
        for r in recipients:
            events.append(self.event(r.person_id, LedgerState.SENT, **evidence))
            if r.slack_id in members:
                events.append(self.event(r.person_id, LedgerState.DELIVERED, **evidence))
        people = {r.slack_id: r.person_id for r in confirmers.values() if r.slack_id}
        self.post = Watched(posted.channel, posted.ts, people, "channel")
        return events

    def confirm(self, person_id: str, evidence: Mapping[str, Any] | None = None) -> bool:
        """Record an external confirmation by ``person_id``; False when they may not confirm."""
        if person_id not in self.confirmers and person_id not in self.audience:
            log.warning("confirmation of %s by %s ignored: not a confirmer", self.name, person_id)
            return False
        if person_id in self.confirmed:
            return True
        self.confirmed.add(person_id)
        details = {"how": "external", **dict(evidence or {})}
        self._external.append(self.event(person_id, LedgerState.ACKNOWLEDGED, **details))
        return True

    def poll(self) -> list[LedgerEvent]:
        events, self._external = self._external, []
        post = self.post
        if post is None or self.connection is None:
            return events
        post.people = {s: p for s, p in post.people.items() if p not in self.confirmed}
        if not post.people:
            return events
        try:
            found = answers(
                self.connection,
                post,
                ("reaction", "reply"),
                accept_reply=confirms,
                reject_reaction=lambda name: name in REFUSALS,
            )
        except ReadLater:
            return events
        except SlackFailure as failure:
            if failure.cause != self._warned:
                log.warning("reading confirmations of %s: %s", self.name, failure.cause)
                self._warned = failure.cause
            return events
        for answer in found:
            person = post.people.pop(answer.slack_id, "")
            if person and person not in self.confirmed:
                self.confirmed.add(person)
                evidence = {"how": answer.how, "ts": post.ts, **answer.evidence}
                events.append(
                    LedgerEvent(person, self.name, LedgerState.ACKNOWLEDGED, answer.at, evidence)
                )
        return events
