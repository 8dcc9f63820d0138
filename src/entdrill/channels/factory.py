"""Building a drill's channels from its plan: ``build(plan_channel, audience, context)``.

The runner builds every channel before the drill starts (a missing setting is an
:class:`~entdrill.errors.InvalidConfig` naming it, before anything is sent), then sends with the
same :class:`~entdrill.channels.base.Recipient` values :func:`recipients` made for the audience
(a recipient that differs from the allow-list's entry is refused).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from entdrill import drill_plan as model
from entdrill.channels.base import Channel, Recipient
from entdrill.channels.context import ChannelContext
from entdrill.channels.email import EmailChannel
from entdrill.channels.mail_replies import ImapReplies, MaildirReplies, ReplyReader
from entdrill.channels.manual import ManualChannel
from entdrill.channels.matrix import MatrixChannel
from entdrill.channels.matrix_client import MatrixConnection, MatrixFailure
from entdrill.channels.slack import SlackChannel, connect
from entdrill.channels.sms import HttpSmsGateway, SmsChannel
from entdrill.channels.statuspage import StatusPageChannel
from entdrill.channels.video import VideoChannel
from entdrill.errors import InvalidConfig


def recipient(person: model.Person | Recipient) -> Recipient:
    """The channel-side view of a plan person."""
    if isinstance(person, Recipient):
        return person
    return Recipient(
        person_id=person.id,
        name=person.name,
        slack_id=person.slack,
        email=person.email,
        phone=person.phone,
        matrix_id=person.matrix,
    )


def recipients(people: Iterable[model.Person | Recipient]) -> list[Recipient]:
    return [recipient(p) for p in people]


def build(
    plan_channel: model.Channel,
    audience: Sequence[model.Person | Recipient],
    context: ChannelContext,
) -> Channel:
    """The channel ``plan_channel`` describes, allowed to reach ``audience`` only."""
    problems = context.missing(plan_channel)
    if problems:
        raise InvalidConfig("; ".join(problems))
    people = recipients(audience)
    settings = _settings(plan_channel)
    c = plan_channel
    if c.type == "slack":
        return SlackChannel(
            c.name,
            people,
            settings,
            connection=connect(context),
            drill_id=context.drill_id,
            post_in=c.post_in,
            direct=c.direct,
            thread_ts=context.announcement_ts if c.thread else "",
            ack_by=c.ack_by,
        )
    if c.type == "matrix":
        channel = MatrixChannel(
            c.name,
            people,
            settings,
            connection=connect_matrix(context, c.homeserver),
            drill_id=context.drill_id,
            room=c.room,
            direct=c.direct,
            ack_by=c.ack_by,
        )
        channel.check()  # a homeserver that is not one, a room that does not exist: refused now
        return channel
    if c.type == "email":
        assert context.smtp is not None  # checked by missing()
        return EmailChannel(
            c.name,
            people,
            settings,
            smtp=context.smtp,
            drill_id=context.drill_id,
            replies=reply_reader(context) if c.ack_by_reply else None,
            delivery_dir=context.mail_dir,
        )
    if c.type == "sms":
        gateway = HttpSmsGateway(
            context.sms_api_url, context.sms_token, timeout_s=context.timeout_s
        )
        return SmsChannel(c.name, people, settings, provider=gateway, ack_by_reply=c.ack_by_reply)
    if c.type == "video":
        url, secret = context.bridge(c.bridge)
        return VideoChannel(
            c.name,
            people,
            settings,
            bridge_url=url,
            secret=secret,
            drill_id=context.drill_id,
            room=c.room,
            title=c.message,
            timeout_s=context.timeout_s,
        )
    if c.type == "statuspage":
        return StatusPageChannel(
            c.name,
            people,
            settings,
            page_url=context.status_page_url,
            token=context.status_token,
            component=c.component,
            status=c.status,
            timeout_s=context.timeout_s,
        )
    confirmer = [] if not c.confirmed_by else [_person(c.confirmed_by, people, context)]
    return ManualChannel(
        c.name,
        people,
        settings,
        connection=connect(context),
        drill_id=context.drill_id,
        post_in=context.drill_channel,
        confirmers=confirmer,
    )


def connect_matrix(context: ChannelContext, homeserver: str = "") -> MatrixConnection:
    """A Matrix connection of the drill's context (the runner's too: announcement, STOP DRILL)."""
    return MatrixConnection(
        homeserver or context.matrix_url, context.matrix_token, timeout_s=context.timeout_s
    )


def check_matrix_room(context: ChannelContext, room: str) -> None:
    """Refuse, before the drill starts, an announcement room on no homeserver, on a homeserver
    that is not one, that does not exist, or (when the bot is already in it) that is end-to-end
    encrypted, where STOP DRILL cannot be read (:class:`InvalidConfig`, one sentence)."""
    if not context.matrix_url or not context.matrix_token:
        why = f" ({context.matrix_problem})" if context.matrix_problem else ""
        raise InvalidConfig(
            f"the announcement's Matrix room {room} needs the Matrix homeserver and its token "
            f"(the target's matrix_url, MATRIX_TOKEN), which are not configured{why}"
        )
    connection = connect_matrix(context)
    try:
        connection.check_server()
        encrypted = connection.is_encrypted(connection.resolve(room))
    except MatrixFailure as failure:
        raise InvalidConfig(f"the announcement's Matrix room: {failure.cause}") from None
    if encrypted:
        raise InvalidConfig(
            f"the announcement's Matrix room {room} is end-to-end encrypted, so STOP DRILL could "
            "not be read there: name a room without encryption (on Tchap, a forum)"
        )


def build_manual_step(
    step: model.ManualStep,
    audience: Sequence[model.Person | Recipient],
    context: ChannelContext,
) -> ManualChannel:
    """The channel of a plan's manual step: every recipient may confirm it."""
    people = recipients(audience)
    connection = connect(context) if context.slack_token else None
    return ManualChannel(
        step.name,
        people,
        {"instruction": step.instruction, "confirmed_share": step.confirmed_share},
        connection=connection,
        drill_id=context.drill_id,
        post_in=context.drill_channel,
    )


def reply_reader(context: ChannelContext) -> ReplyReader:
    """Where the drill address's replies are read: the sandbox's Maildir, else IMAP."""
    if context.mail_dir is not None and context.smtp is not None:
        return MaildirReplies(context.mail_dir, context.smtp.reply_to)
    if context.imap is not None:
        return ImapReplies(context.imap)
    raise InvalidConfig("email replies need the drill address's mailbox: set ENTDRILL_IMAP_URL")


def _person(person_id: str, people: Sequence[Recipient], context: ChannelContext) -> Recipient:
    for found in people:
        if found.person_id == person_id:
            return found
    if person_id in context.people:
        return context.people[person_id]
    raise InvalidConfig(
        f"confirmed_by names {person_id!r}, who is neither in the channel's audience nor in "
        "the context's people"
    )


def _settings(c: model.Channel) -> dict[str, object]:
    values: dict[str, object] = {"type": c.type, "activate": c.activate}
    for key in ("post_in", "direct", "thread", "ack_by", "subject", "ack_by_reply", "room"):
        value = getattr(c, key)
        if value:
            values[key] = list(value) if isinstance(value, tuple) else value
    if c.type == "video":
        values["bridge"] = c.bridge
    if c.homeserver:
        values["homeserver"] = c.homeserver
    if c.type == "statuspage":
        values.update(component=c.component, status=c.status)
    if c.confirmed_by:
        values["confirmed_by"] = c.confirmed_by
    return values
