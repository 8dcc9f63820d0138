"""People channels: how a drill reaches staff (Slack, email, SMS, video room, status page, manual).

Each channel has *send* and *poll* (delivery and acknowledgement evidence) and writes nothing
itself: it returns :class:`~entdrill.channels.base.LedgerEvent` values the runner records.
:func:`build` makes one from a plan channel, its audience and a
:class:`~entdrill.channels.context.ChannelContext` (endpoints and secrets); the channel modules
are imported only then, so importing this package connects to nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from entdrill.channels.base import (
    DRILL_LABEL,
    Channel,
    LedgerEvent,
    LedgerState,
    Message,
    Recipient,
    labelled,
    personalised,
)
from entdrill.channels.context import ChannelContext

if TYPE_CHECKING:
    from entdrill import drill_plan as model

__all__ = [
    "DRILL_LABEL",
    "Channel",
    "ChannelContext",
    "LedgerEvent",
    "LedgerState",
    "Message",
    "Recipient",
    "build",
    "labelled",
    "personalised",
    "recipients",
]


def build(
    plan_channel: model.Channel,
    audience: Sequence[model.Person | Recipient],
    context: ChannelContext,
) -> Channel:
    """The channel ``plan_channel`` describes, allowed to reach ``audience`` only."""
    from entdrill.channels import factory

    return factory.build(plan_channel, audience, context)


def recipients(people: Sequence[model.Person | Recipient]) -> list[Recipient]:
    """The recipients of plan people, equal to the ones :func:`build` puts in the allow-list."""
    from entdrill.channels import factory

    return factory.recipients(people)
