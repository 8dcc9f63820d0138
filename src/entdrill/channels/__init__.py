"""People channels: how a drill reaches staff (Slack, email, SMS, video room, status page, manual).

Each channel has *send* and *poll* (delivery and acknowledgement evidence) and writes nothing
itself: it returns :class:`~entdrill.channels.base.LedgerEvent` values the runner records.
"""

from entdrill.channels.base import (
    DRILL_LABEL,
    Channel,
    LedgerEvent,
    LedgerState,
    Message,
    Recipient,
    labelled,
)

__all__ = [
    "DRILL_LABEL",
    "Channel",
    "LedgerEvent",
    "LedgerState",
    "Message",
    "Recipient",
    "labelled",
]
