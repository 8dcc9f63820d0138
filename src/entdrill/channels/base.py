"""The channel contract: a small base class every channel (and the memory fake) implements.

A channel is built for one drill from the plan's channel entry: its name, its audience (the
allow-list of people it may reach) and its settings. ``send`` refuses any recipient outside the
audience (a ``refused`` ledger event, nothing sent), adds the drill label when missing, and
returns the ledger events of the attempt; ``poll`` returns what was observed since (delivered,
acknowledged, failed). Neither raises for a channel failure (server down, bad token, 5xx): that
is a ``failed`` event with its cause, a finding in the record, never a crash.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, ClassVar

DRILL_LABEL = "EXERCICE / DRILL"


class LedgerState(enum.StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    FAILED = "failed"
    REFUSED = "refused"


@dataclass(frozen=True)
class Recipient:
    """One person a channel may reach, with the addresses the plan gives."""

    person_id: str
    name: str = ""
    slack_id: str = ""
    email: str = ""
    phone: str = ""
    matrix_id: str = ""


@dataclass(frozen=True)
class Message:
    """One notification of a drill. ``notification_id`` is unique per drill, channel and wave,
    so a retried send can be recognised (Slack metadata, Message-ID, SMS reference)."""

    drill_id: str
    notification_id: str
    subject: str
    text: str
    ack_requested: bool = True


@dataclass(frozen=True)
class LedgerEvent:
    """One fact of the communications ledger: person, channel, state, time, evidence."""

    person_id: str  # "" for a channel-wide fact (the status page shows the incident)
    channel: str
    state: LedgerState
    at: datetime
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "channel": self.channel,
            "state": self.state.value,
            "at": self.at.isoformat(),
            "evidence": dict(self.evidence),
        }


def now() -> datetime:
    return datetime.now(UTC)


def personalised(text: str, recipient: Recipient | None) -> str:
    """``text`` with the literal ``{name}`` replaced by the recipient's name (blank for none)."""
    return text.replace("{name}", recipient.name if recipient is not None else "")


def labelled(text: str) -> str:
    """``text`` with the drill label in front, unless it already carries it."""
    return text if DRILL_LABEL in text else f"[{DRILL_LABEL}] {text}"


class Channel(abc.ABC):
    """Base of every channel. Subclasses implement ``_send`` and ``poll``."""

    kind: ClassVar[str] = ""
    #: False for channels that publish rather than write to people (status page, video room).
    reaches_people: ClassVar[bool] = True

    def __init__(
        self, name: str, audience: Sequence[Recipient], settings: Mapping[str, Any] | None = None
    ):
        self.name = name
        self.audience = {r.person_id: r for r in audience}
        self.settings = dict(settings or {})

    def send(self, message: Message, recipients: Sequence[Recipient]) -> list[LedgerEvent]:
        """Send ``message`` to ``recipients``; those outside the audience are refused, not sent."""
        message = replace(message, text=labelled(message.text), subject=labelled(message.subject))
        allowed = [r for r in recipients if self.audience.get(r.person_id) == r]
        events = [
            self.event(
                r.person_id, LedgerState.REFUSED, cause="recipient outside the channel's audience"
            )
            for r in recipients
            if self.audience.get(r.person_id) != r
        ]
        if allowed or not self.reaches_people:
            events.extend(self._send(message, allowed))
        return events

    @abc.abstractmethod
    def _send(self, message: Message, recipients: Sequence[Recipient]) -> list[LedgerEvent]:
        """Send to recipients already checked against the audience."""

    @abc.abstractmethod
    def poll(self) -> list[LedgerEvent]:
        """Delivery and acknowledgement events observed since the previous poll."""

    def recover(self) -> dict[str, Any]:
        """Undo what the channel left standing (resolve an incident, end a room); what was done."""
        return {}

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def event(self, person_id: str, state: LedgerState, **evidence: Any) -> LedgerEvent:
        return LedgerEvent(person_id, self.name, state, now(), evidence)
