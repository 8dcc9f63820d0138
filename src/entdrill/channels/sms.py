"""The SMS channel: a text to each person's phone through a provider, delivery status polled.

A provider is three calls (:class:`SmsProvider`): ``send(to, text) -> id``, ``status(id)`` and
``replies(since)``. :class:`HttpSmsGateway` speaks the sandbox gateway's HTTP JSON API
(``POST /v1/messages``, ``GET /v1/messages/{id}``, ``GET /v1/inbound?since=``, Bearer token);
another provider is another small class.

Per person: ``sent`` when the gateway accepted the message; ``delivered`` or ``failed`` (with
the gateway's error, such as ``unknown number``) when ``poll`` sees its final status;
``acknowledged`` with ``ack_by_reply`` when a reply names the message (``in_reply_to``) or,
without that, comes from the person's phone after it was sent.

A send is retried only when it certainly did not reach the gateway (connection refused, 429,
503): the gateway has no idempotency key, and a timed-out send may have been accepted.
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from entdrill import redact, retry
from entdrill.channels import http_json
from entdrill.channels.base import (
    Channel,
    LedgerEvent,
    LedgerState,
    Message,
    Recipient,
    personalised,
)
from entdrill.channels.http_json import HttpFailure

log = logging.getLogger(__name__)

FINAL = ("delivered", "failed")


@dataclass(frozen=True)
class SmsStatus:
    id: str
    status: str  # queued, sent, delivered, failed
    error: str = ""
    at: datetime | None = None  # when delivered


@dataclass(frozen=True)
class SmsReply:
    seq: int
    sender: str  # the phone number
    text: str
    in_reply_to: str
    received_at: datetime


class SmsProvider(Protocol):
    def send(self, to: str, text: str) -> str:
        """Hand a text to the gateway; its message id (raises HttpFailure)."""
        ...

    def status(self, message_id: str) -> SmsStatus: ...

    def replies(self, since: int) -> list[SmsReply]:
        """Replies received after sequence number ``since``, oldest first."""
        ...


class HttpSmsGateway:
    """The sandbox SMS gateway's API (and any gateway speaking it)."""

    def __init__(self, api_url: str, token: str, *, timeout_s: float = 10.0) -> None:
        redact.register(token)
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        return http_json.call(
            method,
            self.api_url + path,
            token=self.token,
            body=body,
            timeout_s=self.timeout_s,
            what="the SMS gateway",
        ).body

    def send(self, to: str, text: str) -> str:
        return str(self._call("POST", "/v1/messages", {"to": to, "text": text})["id"])

    def status(self, message_id: str) -> SmsStatus:
        data = self._call("GET", "/v1/messages/" + urllib.parse.quote(message_id, safe=""))
        return SmsStatus(
            id=message_id,
            status=str(data.get("status", "")),
            error=str(data.get("error") or ""),
            at=_time(data.get("delivered_at")),
        )

    def replies(self, since: int) -> list[SmsReply]:
        data = self._call("GET", f"/v1/inbound?since={since}")
        return [
            SmsReply(
                seq=int(m["seq"]),
                sender=str(m.get("from", "")),
                text=str(m.get("text", "")),
                in_reply_to=str(m.get("in_reply_to") or ""),
                received_at=_time(m.get("received_at")) or datetime.now(UTC),
            )
            for m in data.get("messages", [])
        ]


class SmsChannel(Channel):
    kind = "sms"

    def __init__(
        self,
        name: str,
        audience: Sequence[Recipient],
        settings: Mapping[str, Any] | None = None,
        *,
        provider: SmsProvider,
        ack_by_reply: bool = False,
        max_attempts: int = 3,
        backoff_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(name, audience, settings)
        self.provider = provider
        self.ack_by_reply = ack_by_reply
        self.max_attempts = max(1, max_attempts)
        self.backoff_s = backoff_s
        self.sleep = sleep
        self.pending: dict[str, str] = {}  # message id -> person id, status not final yet
        self.sent: dict[str, tuple[str, str, datetime]] = {}  # id -> (person, phone, sent at)
        self.acknowledged: set[str] = set()
        self.since = 0
        self._warned = ""

    def _send(self, message: Message, recipients: Sequence[Recipient]) -> list[LedgerEvent]:
        events = []
        down = ""
        for person in recipients:
            if not person.phone:
                events.append(self._failed(person.person_id, "no phone number for this person"))
                continue
            if down:
                events.append(self._failed(person.person_id, f"not attempted: {down}"))
                continue
            text = personalised(message.text, person)
            try:
                sms_id, attempts = self._send_one(person.phone, text)
            except HttpFailure as failure:
                if failure.status == 0 or failure.status in (401, 403) or failure.status >= 500:
                    down = failure.cause  # the gateway is down or refuses us: same for all
                events.append(self._failed(person.person_id, failure.cause))
                continue
            event = self.event(
                person.person_id,
                LedgerState.SENT,
                sms_id=sms_id,
                attempts=attempts,
                notification=message.notification_id,
            )
            self.pending[sms_id] = person.person_id
            self.sent[sms_id] = (person.person_id, person.phone, event.at)
            events.append(event)
        return events

    def _send_one(self, phone: str, text: str) -> tuple[str, int]:
        for attempt in retry.attempts(self.max_attempts, base_s=self.backoff_s, sleep=self.sleep):
            try:
                return self.provider.send(phone, text), attempt
            except HttpFailure as failure:
                if not failure.refused or attempt == self.max_attempts:
                    raise
        raise AssertionError("unreachable")

    def poll(self) -> list[LedgerEvent]:
        events = []
        try:
            for sms_id, person in list(self.pending.items()):
                status = self.provider.status(sms_id)
                if status.status not in FINAL:
                    continue
                del self.pending[sms_id]
                if status.status == "delivered":
                    at = status.at or datetime.now(UTC)
                    events.append(
                        LedgerEvent(
                            person, self.name, LedgerState.DELIVERED, at, {"sms_id": sms_id}
                        )
                    )
                else:
                    events.append(self._failed(person, status.error or "failed", sms_id=sms_id))
            if self.ack_by_reply:
                events += self._replies()
        except HttpFailure as failure:
            self._warn(failure.cause)
        return events

    def _replies(self) -> list[LedgerEvent]:
        events = []
        by_phone: dict[str, list[tuple[datetime, str]]] = {}
        for person, phone, at in self.sent.values():
            by_phone.setdefault(phone, []).append((at, person))
        for reply in self.provider.replies(self.since):
            self.since = max(self.since, reply.seq)
            person = self.sent[reply.in_reply_to][0] if reply.in_reply_to in self.sent else ""
            if not person and not reply.in_reply_to:
                earlier = [p for at, p in by_phone.get(reply.sender, []) if at <= reply.received_at]
                person = earlier[-1] if earlier else ""
            if person and person not in self.acknowledged:
                self.acknowledged.add(person)
                events.append(
                    LedgerEvent(
                        person,
                        self.name,
                        LedgerState.ACKNOWLEDGED,
                        reply.received_at,
                        {
                            "how": "sms reply",
                            "in_reply_to": reply.in_reply_to,
                            "text": reply.text[:160],
                        },
                    )
                )
        return events

    def _failed(self, person: str, cause: str, **more: Any) -> LedgerEvent:
        return self.event(person, LedgerState.FAILED, cause=cause, **more)

    def _warn(self, cause: str) -> None:
        if cause != self._warned:
            log.warning("polling %s: %s", self.name, cause)
            self._warned = cause


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
