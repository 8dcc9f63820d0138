"""A drill's people channels: built before it starts, activated, escalated, polled, undone.

:class:`Fallbacks` holds one channel per plan channel and per manual step, each allowed to reach
its audience only. It never raises for a channel that fails: a send that blows up becomes a
``failed`` ledger event for each recipient, with the cause. Messages are rendered from the
plan's templates with ``{drill}``, ``{room_link}``, ``{status_page}`` and ``{within}``; ``{name}``
is left for each channel to fill per recipient. Notification ids say which channel and which
wave (``staff-slack:start``, ``staff-sms:escalation``, ``staff-slack:stopped``), so a retried
send is recognised and never posted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from entdrill import channels as channel_api
from entdrill import drill_plan as model
from entdrill import redact
from entdrill.channels import ChannelContext, LedgerEvent, LedgerState, Message, Recipient
from entdrill.channels.base import Channel, now
from entdrill.channels.manual import ManualChannel
from entdrill.channels.matrix import MatrixChannel
from entdrill.channels.matrix_client import MatrixConnection
from entdrill.channels.slack import SlackChannel
from entdrill.channels.slack_client import SlackConnection
from entdrill.channels.video import VideoChannel
from entdrill.drill.duration import format_duration
from entdrill.drill.message import render

log = logging.getLogger(__name__)

#: Reads (``conversations.history``) a Slack channel may make per poll: Slack allows about 50
#: a minute per app, shared by every channel of the drill and the kill switch.
SLACK_READS_PER_POLL = 3

Builder = Callable[[model.Channel, Sequence[Recipient], ChannelContext], Channel]


@dataclass
class Lane:
    """One plan channel or manual step, its built channel and what happened on it."""

    name: str
    kind: str  # the channel type, or "manual_step"
    channel: Channel
    audience: dict[str, Recipient]
    within_s: float
    template: str
    subject: str = ""
    plan_channel: model.Channel | None = None
    activated_at: datetime | None = None
    used: set[str] = field(default_factory=set)  # people something was sent to

    @property
    def threaded(self) -> bool:
        return self.plan_channel is not None and self.plan_channel.thread


class Fallbacks:
    """Every channel of one drill."""

    def __init__(
        self,
        plan: model.Plan,
        context: ChannelContext,
        audiences: dict[str, list[model.Person]],
        *,
        build: Builder | None = None,
    ) -> None:
        self.plan = plan
        self.context = context
        self.build = build or channel_api.build
        self.lanes: dict[str, Lane] = {}
        for plan_channel in plan.channels:
            people = channel_api.recipients(audiences[plan_channel.name])
            self.lanes[plan_channel.name] = Lane(
                name=plan_channel.name,
                kind=plan_channel.type,
                channel=self.build(plan_channel, people, context),
                audience={r.person_id: r for r in people},
                within_s=plan_channel.expect.within_s,
                template=plan_channel.message,
                subject=plan_channel.subject,
                plan_channel=plan_channel,
            )
        from entdrill.channels.factory import build_manual_step

        for step in plan.manual_steps:
            people = channel_api.recipients(audiences[step.name])
            self.lanes[step.name] = Lane(
                name=step.name,
                kind="manual_step",
                channel=build_manual_step(step, people, context),
                audience={r.person_id: r for r in people},
                within_s=step.within_s,
                template=step.instruction,
            )

        self._turn = 0
        self.slack: SlackConnection | None = None

    # -- context ------------------------------------------------------------------------

    def share_slack(
        self, connection: SlackConnection, read_budget: int = SLACK_READS_PER_POLL
    ) -> None:
        """Make every Slack-reading channel use ``connection`` (the runner's): one rate limit,
        one ``Retry-After``, and a small read budget per poll, so no channel starves another."""
        self.slack = connection
        for lane in self.lanes.values():
            if isinstance(lane.channel, SlackChannel | ManualChannel):
                lane.channel.connection = connection
            if isinstance(lane.channel, SlackChannel):
                lane.channel.read_budget = read_budget

    def share_matrix(self, connection: MatrixConnection) -> None:
        """Make every Matrix channel on ``connection``'s homeserver use it (the runner's): one
        ``/sync`` stream for every channel and STOP DRILL, one rate limit."""
        for lane in self.lanes.values():
            channel = lane.channel
            if (
                isinstance(channel, MatrixChannel)
                and channel.connection.homeserver == connection.homeserver
            ):
                channel.connection = connection

    @property
    def on_matrix(self) -> bool:
        return any(isinstance(lane.channel, MatrixChannel) for lane in self.lanes.values())

    def announced(self, announcement_ts: str) -> None:
        """Rebuild the threaded Slack channels now that the announcement's ``ts`` is known."""
        self.context = replace(self.context, announcement_ts=announcement_ts)
        for lane in self.lanes.values():
            if lane.threaded and lane.plan_channel is not None:
                lane.channel = self.build(
                    lane.plan_channel, list(lane.audience.values()), self.context
                )
        if self.slack is not None:
            self.share_slack(self.slack)

    @property
    def room(self) -> VideoChannel | None:
        for lane in self.lanes.values():
            if isinstance(lane.channel, VideoChannel):
                return lane.channel
        return None

    def values(self, lane: Lane | None = None) -> dict[str, str]:
        """The placeholder values of a message (``{name}`` is filled per recipient later)."""
        room = self.room
        page = any(lane_.kind == "statuspage" for lane_ in self.lanes.values())
        return {
            "drill": self.plan.name,
            "room_link": room.join_link if room is not None else "",
            "status_page": self.context.status_page_url if page else "",
            "within": format_duration(lane.within_s) if lane is not None else "",
            "name": "{name}",
        }

    def render(self, template: str, lane: Lane | None = None) -> str:
        return render(template, self.values(lane))

    # -- sending ------------------------------------------------------------------------

    def open_room(self) -> list[LedgerEvent]:
        """Create the backup room first, so ``{room_link}`` leads somewhere that exists."""
        room = self.room
        if room is None:
            return []
        return _safely(room.open_room, "the backup room", [], "")

    def activate(self, name: str, people: Sequence[str] | None = None) -> list[LedgerEvent]:
        """Send the lane's message to ``people`` (default: its whole audience)."""
        lane = self.lanes[name]
        if lane.activated_at is None:
            lane.activated_at = now()
        wave = "start" if people is None else "escalation"
        chosen = list(lane.audience) if people is None else list(people)
        recipients = [lane.audience[p] for p in chosen if p in lane.audience]
        lane.used.update(r.person_id for r in recipients)
        return self._send(lane, self.render(lane.template, lane), recipients, wave)

    def _send(
        self, lane: Lane, text: str, recipients: list[Recipient], wave: str, ack: bool = True
    ) -> list[LedgerEvent]:
        subject = render(lane.subject or f"{self.plan.name}: {lane.name}", self.values(lane))
        message = Message(
            drill_id=self.context.drill_id,
            notification_id=f"{lane.name}:{wave}",
            subject=subject,
            text=text,
            ack_requested=ack,
        )
        people = [r.person_id for r in recipients] if lane.channel.reaches_people else [""]
        return _safely(lambda: lane.channel.send(message, recipients), lane.name, people, lane.name)

    def poll(self, *, slack: bool = True) -> list[LedgerEvent]:
        """What every activated lane observed since the last poll (each poll starts with the
        next lane, so reads cut short by a rate limit are shared fairly); ``slack=False``
        leaves the lanes that read Slack for later."""
        events: list[LedgerEvent] = []
        lanes = [
            lane
            for lane in self.lanes.values()
            if lane.activated_at is not None
            and (slack or not isinstance(lane.channel, SlackChannel | ManualChannel))
        ]
        if lanes:
            self._turn = (self._turn + 1) % len(lanes)
            lanes = lanes[self._turn :] + lanes[: self._turn]
        for lane in lanes:
            events += _safely(lane.channel.poll, lane.name, [], lane.name)
        return events

    def confirm(self, step: str, person_id: str, evidence: dict[str, Any]) -> bool:
        """An external confirmation of a manual step (``entdrill drill confirm``)."""
        lane = self.lanes.get(step)
        if lane is None or not isinstance(lane.channel, ManualChannel):
            return False
        return lane.channel.confirm(person_id, evidence)

    def tell_stopped(self, reason: str) -> dict[str, dict[str, Any]]:
        """Tell everyone who was sent something that the drill is over, on the same channel.

        Returns, per channel, how many were told and why some could not be (the notice is not
        a notification to acknowledge: it does not enter the ledger).
        """
        told: dict[str, dict[str, Any]] = {}
        text = render(
            f"The drill {{drill}} is stopped ({reason}). Nothing more to do; thank you.",
            self.values(),
        )
        for lane in self.lanes.values():
            if not lane.used or not lane.channel.reaches_people or lane.kind == "manual_step":
                continue
            recipients = [lane.audience[p] for p in sorted(lane.used)]
            events = self._send(lane, text, recipients, "stopped", ack=False)
            sent = {e.person_id for e in events if e.state is LedgerState.SENT}
            failed = {
                e.person_id: str(e.evidence.get("cause", ""))
                for e in events
                if e.state is LedgerState.FAILED and e.person_id not in sent
            }
            told[lane.name] = {
                "told": len(sent),
                "failed": len(failed),
                "causes": sorted(set(failed.values()))[:3],
            }
        return told

    def recover(self) -> dict[str, Any]:
        """Resolve the incident and end the room (as the plan's ``recover`` says)."""
        done: dict[str, Any] = {}
        for lane in self.lanes.values():
            if lane.activated_at is None:
                continue
            if lane.kind == "statuspage" and not self.plan.recover.close_incident:
                continue
            if lane.kind == "video" and not self.plan.recover.end_room:
                continue
            try:
                result = lane.channel.recover()
            except Exception as error:  # a channel never crashes the drill
                result = {"error": redact.redact(f"{type(error).__name__}: {error}")}
            if result:
                done[lane.name] = result
        return done

    def close(self) -> None:
        for lane in self.lanes.values():
            try:
                lane.channel.close()
            except Exception as error:  # closing is best effort
                log.debug("closing %s: %s", lane.name, error)


def _safely(
    call: Callable[[], list[LedgerEvent]], what: str, people: Sequence[str], channel: str
) -> list[LedgerEvent]:
    """``call()``, or a ``failed`` event per person if it raised (a finding, not a crash)."""
    try:
        return call()
    except Exception as error:  # a channel that fails is a finding, never a crash
        cause = redact.redact(f"{type(error).__name__}: {error}")
        log.warning("%s failed: %s", what, cause)
        return [
            LedgerEvent(p, channel, LedgerState.FAILED, now(), {"cause": cause}) for p in people
        ]
