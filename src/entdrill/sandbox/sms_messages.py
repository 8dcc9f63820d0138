"""The SMS gateway's messages: validation, simulated delivery and the phones' side, as plain state.

A message is ``queued`` when accepted, ``sent`` once handed to the (simulated) carrier, then
``delivered`` or ``failed`` after a seeded delay. Numbers of the sandbox population are
delivered; any other number fails with ``unknown number``; a carrier error (the ``error_ratio``
fault) fails with ``carrier error``. Time is given by the caller (``now``, seconds since the
epoch), so the whole life of a message can be driven without waiting.

A delivered message lands in the recipient's outbox with an increasing ``seq`` given at
delivery, so a phone polling ``since`` its last ``seq`` never misses one delivered out of order.
Phones reply through :meth:`SmsGateway.receive`; the drill reads replies with ``since``.
"""

from __future__ import annotations

import heapq
import random
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import TypedDict

from entdrill.sandbox.json_api import iso

PHONE = re.compile(r"^\+[1-9][0-9]{7,14}$")  # E.164: "+" and 8 to 15 digits
SENDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .-]{0,10}$")  # an alphanumeric sender ID
MAX_TEXT_CHARS = 1600  # ten concatenated SMS
DEFAULT_SENDER = "ENT"
DELAY_RANGE_S = (0.2, 2.0)  # from acceptance to delivery (or failure)
SENT_AFTER_S = 0.05  # from acceptance to "sent"
UNKNOWN_NUMBER = "unknown number"
CARRIER_ERROR = "carrier error"


class InvalidMessage(ValueError):
    """A message or reply the gateway refuses (HTTP 400); the text says what was expected."""


class MessageView(TypedDict):
    id: str
    to: str
    text: str
    status: str
    error: str | None
    created_at: str
    delivered_at: str | None


# "from" is a Python keyword, hence the functional form.
OutboxView = TypedDict(
    "OutboxView",
    {
        "seq": int,
        "id": str,
        "to": str,
        "text": str,
        "from": str,
        "status": str,
        "created_at": str,
        "delivered_at": str | None,
    },
)
InboundView = TypedDict(
    "InboundView",
    {"seq": int, "from": str, "text": str, "in_reply_to": str | None, "received_at": str},
)


@dataclass
class Message:
    id: str
    to: str
    text: str
    sender: str
    created_at: float
    due_at: float
    error: str | None  # decided on acceptance, revealed when due
    final: bool = False
    seq: int = 0  # outbox sequence, given on delivery

    def status(self, now: float) -> str:
        if self.final:
            return "failed" if self.error else "delivered"
        return "sent" if now >= self.created_at + SENT_AFTER_S else "queued"

    def view(self, now: float) -> MessageView:
        return {
            "id": self.id,
            "to": self.to,
            "text": self.text,
            "status": self.status(now),
            "error": self.error if self.final else None,
            "created_at": iso(self.created_at),
            "delivered_at": self.delivered_at,
        }

    def outbox_view(self) -> OutboxView:
        return {
            "seq": self.seq,
            "id": self.id,
            "to": self.to,
            "text": self.text,
            "from": self.sender,
            "status": "delivered",
            "created_at": iso(self.created_at),
            "delivered_at": self.delivered_at,
        }

    @property
    def delivered_at(self) -> str | None:
        return iso(self.due_at) if self.final and self.error is None else None


@dataclass(frozen=True)
class Inbound:
    seq: int
    sender: str
    text: str
    in_reply_to: str | None
    received_at: float

    def view(self) -> InboundView:
        return {
            "seq": self.seq,
            "from": self.sender,
            "text": self.text,
            "in_reply_to": self.in_reply_to,
            "received_at": iso(self.received_at),
        }


def check_phone(value: object, field: str) -> str:
    if not isinstance(value, str) or not PHONE.match(value):
        raise InvalidMessage(
            f"{field} must be a phone number in E.164 form ('+' and 8 to 15 digits, "
            f"e.g. +33612345678), got {value!r}"
        )
    return value


def check_text(value: object, field: str = "text") -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidMessage(f"{field} must be a non-empty string")
    if len(value) > MAX_TEXT_CHARS:
        raise InvalidMessage(
            f"{field} must be at most {MAX_TEXT_CHARS} characters, got {len(value)}"
        )
    return value


def check_sender(value: object) -> str:
    if value is None or value == "":
        return DEFAULT_SENDER
    if isinstance(value, str) and (SENDER.match(value) or PHONE.match(value)):
        return value
    raise InvalidMessage(
        f"from must be an E.164 number or an alphanumeric sender of at most 11 characters, got {value!r}"
    )


class SmsGateway:
    """Messages sent, phones' outboxes and replies. One event loop owns it (not thread-safe)."""

    def __init__(
        self,
        known_phones: Collection[str],
        rng: random.Random,
        delay_range_s: tuple[float, float] = DELAY_RANGE_S,
    ) -> None:
        low, high = delay_range_s
        if not 0 <= low <= high:
            raise ValueError(f"delay range must be 0 <= low <= high seconds, got {delay_range_s}")
        self.known_phones = frozenset(known_phones)
        self.rng = rng
        self.delay_range_s = delay_range_s
        self._messages: dict[str, Message] = {}
        self._due: list[tuple[float, int, str]] = []  # (due_at, order, id)
        self._order = 0
        self._outbox: list[Message] = []
        self._inbound: list[Inbound] = []

    @property
    def pending(self) -> int:
        return len(self._due)

    def send(
        self, to: object, text: object, sender: object, now: float, *, carrier_error: bool = False
    ) -> Message:
        """Accept a message (InvalidMessage names what is wrong); its fate is sealed now."""
        to = check_phone(to, "to")
        text = check_text(text)
        sender = check_sender(sender)
        error = None
        if to not in self.known_phones:
            error = UNKNOWN_NUMBER
        elif carrier_error:
            error = CARRIER_ERROR
        message = Message(
            id="SM" + secrets.token_hex(12),
            to=to,
            text=text,
            sender=sender,
            created_at=now,
            due_at=now + self.rng.uniform(*self.delay_range_s),
            error=error,
        )
        self._messages[message.id] = message
        self._order += 1
        heapq.heappush(self._due, (message.due_at, self._order, message.id))
        return message

    def advance(self, now: float) -> list[Message]:
        """Settle every message due by ``now``, in due order; the ones settled now."""
        settled: list[Message] = []
        while self._due and self._due[0][0] <= now:
            _, _, message_id = heapq.heappop(self._due)
            message = self._messages[message_id]
            message.final = True
            if message.error is None:
                message.seq = len(self._outbox) + 1
                self._outbox.append(message)
            settled.append(message)
        return settled

    def message(self, message_id: str) -> Message | None:
        return self._messages.get(message_id)

    def outbox(self, to: str | None, since: int, limit: int) -> list[Message]:
        """Delivered messages after ``since`` (all phones, or the one ``to``), oldest first."""
        found = [m for m in self._outbox[max(0, since) :] if to is None or m.to == to]
        return found[:limit]

    def receive(self, sender: object, text: object, in_reply_to: object, now: float) -> Inbound:
        """A phone's reply; ``in_reply_to`` is None or the id of a message sent to that phone."""
        sender = check_phone(sender, "from")
        text = check_text(text)
        reply_to: str | None = None
        if in_reply_to is not None:
            if not isinstance(in_reply_to, str) or in_reply_to not in self._messages:
                raise InvalidMessage(
                    f"in_reply_to must be null or the id of a message sent, got {in_reply_to!r}"
                )
            reply_to = in_reply_to
        reply = Inbound(len(self._inbound) + 1, sender, text, reply_to, now)
        self._inbound.append(reply)
        return reply

    def inbound(self, since: int, limit: int) -> list[Inbound]:
        return self._inbound[max(0, since) : max(0, since) + limit]
