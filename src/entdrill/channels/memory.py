"""A channel that keeps everything in memory, for tests of whatever drives channels.

It records what was sent; a test acknowledges, delivers or fails people with the methods below,
and the next ``poll`` reports it, as a real channel would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from entdrill.channels.base import Channel, LedgerEvent, LedgerState, Message, Recipient


class MemoryChannel(Channel):
    kind = "memory"

    def __init__(
        self,
        name: str,
        audience: Sequence[Recipient],
        settings: Mapping[str, Any] | None = None,
        *,
        fail_with: str = "",
    ) -> None:
        super().__init__(name, audience, settings)
        self.sent: list[tuple[Message, Recipient]] = []
        self.fail_with = fail_with
        self._pending: list[LedgerEvent] = []

    def _send(self, message: Message, recipients: Sequence[Recipient]) -> list[LedgerEvent]:
        if self.fail_with:
            return [
                self.event(r.person_id, LedgerState.FAILED, cause=self.fail_with)
                for r in recipients
            ]
        events = []
        for recipient in recipients:
            self.sent.append((message, recipient))
            events.append(
                self.event(
                    recipient.person_id, LedgerState.SENT, notification=message.notification_id
                )
            )
        return events

    def poll(self) -> list[LedgerEvent]:
        events, self._pending = self._pending, []
        return events

    def deliver(self, person_id: str) -> None:
        self._pending.append(self.event(person_id, LedgerState.DELIVERED))

    def acknowledge(self, person_id: str, how: str = "reply") -> None:
        self._pending.append(self.event(person_id, LedgerState.ACKNOWLEDGED, how=how))

    def fail(self, person_id: str, cause: str) -> None:
        self._pending.append(self.event(person_id, LedgerState.FAILED, cause=cause))
