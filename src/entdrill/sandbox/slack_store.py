"""The state of the sandbox's Slack workspace: users, conversations, messages and reactions.

Plain in-memory data with the rules of Slack's Web API (who may see and post where, threads,
reactions, cursors). Every method raises :class:`SlackError` with Slack's error code; the HTTP
layer (``slack_api``) turns that into ``{"ok": false, "error": code}``. The clock is injected.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from entdrill.population import Person

BOT_USER_ID = "U0ENTDRILL"
BOT_ID = "B0ENTDRILL"
BOT_NAME = "entdrill"
DEFAULT_CHANNELS = ("continuite", "general")
MAX_TEXT = 40_000
MAX_BLOCKS = 50
REACTION_NAME = re.compile(r"^[a-z0-9_+'\-]{1,100}$")


class SlackError(Exception):
    """A Slack API error code (``channel_not_found``...), answered with ``ok: false``."""

    def __init__(self, code: str, *messages: str) -> None:
        super().__init__(code)
        self.code = code
        self.messages = list(messages)


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str
    real_name: str
    email: str = ""
    phone: str = ""
    title: str = ""
    is_bot: bool = False


@dataclass
class Conversation:
    id: str
    name: str  # "" for direct messages
    kind: str  # "channel", "im" or "mpim"
    members: list[str]
    created: int
    creator: str
    is_general: bool = False


@dataclass
class Message:
    seq: int
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str = ""  # set on replies, and on parents once replied to
    metadata: dict[str, Any] | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    replies: list[str] = field(default_factory=list)  # ts of the replies, for a parent
    posted_at: float = 0.0

    @property
    def is_reply(self) -> bool:
        return bool(self.thread_ts) and self.thread_ts != self.ts


def short_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256(":".join(parts).encode()).hexdigest().upper()
    return prefix + digest[:10]


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode()


def decode_cursor(cursor: str, prefix: str) -> str:
    """The value of a cursor this workspace issued; ``invalid_cursor`` otherwise."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise SlackError("invalid_cursor") from error
    if not text.startswith(prefix + ":"):
        raise SlackError("invalid_cursor")
    return text[len(prefix) + 1 :]


def page_by_id(
    items: list[Any], key: Callable[[Any], str], limit: int, cursor: str
) -> tuple[list[Any], str]:
    """One page of ``items`` (sorted by ``key``) after the cursor, and the next cursor or ""."""
    ordered = sorted(items, key=key)
    if cursor:
        after = decode_cursor(cursor, "after")
        ordered = [item for item in ordered if key(item) > after]
    if limit <= 0 or len(ordered) <= limit:
        return ordered, ""
    page = ordered[:limit]
    return page, encode_cursor("after:" + key(page[-1]))


def plain_text(message: Message) -> str:
    """Everything a person reads in a message: its text, block and attachment texts."""
    parts = [message.text]
    for item in [*message.blocks, *message.attachments]:
        parts.extend(_strings(item))
    return "\n".join(p for p in parts if p)


def _strings(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "fallback", "pretext", "title") and isinstance(value, str):
                yield value
            else:
                yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


class Workspace:
    """One Slack workspace (a "team"): the bot, the people and their conversations."""

    def __init__(
        self, domain: str, people: Iterable[Person], clock: Callable[[], float] = time.time
    ) -> None:
        self.clock = clock
        self.team_id = short_id("T", domain)
        self.team_name = f"{domain} (sandbox)"
        self.users: dict[str, SlackUser] = {
            BOT_USER_ID: SlackUser(id=BOT_USER_ID, name=BOT_NAME, real_name="entdrill", is_bot=True)
        }
        for p in people:
            if p.slack_id:
                self.users[p.slack_id] = SlackUser(
                    id=p.slack_id,
                    name=p.username,
                    real_name=p.name,
                    email=p.email.lower(),
                    phone=p.phone,
                    title=p.title,
                )
        self.by_email = {u.email: u for u in self.users.values() if u.email}
        self.conversations: dict[str, Conversation] = {}
        self.messages: dict[tuple[str, str], Message] = {}
        self.log: list[Message] = []  # every message in posting order (seq = index + 1)
        self._last_ts = 0.0
        created = int(clock())
        for name in DEFAULT_CHANNELS:
            cid = short_id("C", self.team_id, name)
            self.conversations[cid] = Conversation(
                id=cid,
                name=name,
                kind="channel",
                members=sorted(self.users),
                created=created,
                creator=BOT_USER_ID,
                is_general=name == "general",
            )

    # -- lookups --------------------------------------------------------------------------

    def user(self, user_id: str) -> SlackUser:
        try:
            return self.users[user_id]
        except KeyError:
            raise SlackError("user_not_found") from None

    def conversation(self, caller: str, ref: str) -> Conversation:
        """The conversation ``ref`` names (id, ``#name``, ``name``) as ``caller`` may see it."""
        ref = ref.strip()
        if not ref:
            raise SlackError("channel_not_found")
        found = self.conversations.get(ref)
        if found is None:
            name = ref.removeprefix("#")
            found = next(
                (c for c in self.conversations.values() if c.kind == "channel" and c.name == name),
                None,
            )
        if found is None or (found.kind != "channel" and caller not in found.members):
            raise SlackError("channel_not_found")
        return found

    def target(self, caller: str, ref: str) -> Conversation:
        """Where ``chat.postMessage`` posts: a conversation, or the DM with a user id."""
        if ref.startswith(("U", "W")) and ref in self.users:
            return self.open(caller, [ref])[0]
        return self.conversation(caller, ref)

    def open(self, caller: str, user_ids: list[str]) -> tuple[Conversation, bool]:
        """The DM (or group DM) of ``caller`` with ``user_ids``, and whether it already existed."""
        others = sorted({u for u in user_ids if u and u != caller})
        if not others and user_ids:
            others = [caller]  # a DM with oneself
        if not others:
            raise SlackError("users_list_not_supplied")
        for uid in others:
            if uid not in self.users:
                raise SlackError("user_not_found")
        members = sorted({caller, *others})
        kind = "im" if len(members) <= 2 else "mpim"
        if len(members) > 9:
            raise SlackError("too_many_users")
        cid = short_id("D" if kind == "im" else "G", self.team_id, *members)
        existing = self.conversations.get(cid)
        if existing is not None:
            return existing, True
        name = "" if kind == "im" else "mpdm-" + "--".join(self.users[m].name for m in members)
        conversation = Conversation(
            id=cid,
            name=name,
            kind=kind,
            members=members,
            created=int(self.clock()),
            creator=caller,
        )
        self.conversations[cid] = conversation
        return conversation, False

    def message(self, caller: str, channel_ref: str, ts: str) -> Message:
        conversation = self.conversation(caller, channel_ref)
        found = self.messages.get((conversation.id, ts))
        if found is None:
            raise SlackError("message_not_found")
        return found

    # -- writes ---------------------------------------------------------------------------

    def next_ts(self) -> str:
        now = round(self.clock(), 6)
        if now <= self._last_ts:
            now = round(self._last_ts + 0.000001, 6)
        self._last_ts = now
        return f"{now:.6f}"

    def post(
        self,
        caller: str,
        channel_ref: str,
        *,
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        thread_ts: str = "",
        metadata: dict[str, Any] | None = None,
    ) -> Message:
        conversation = self.target(caller, channel_ref)
        if caller not in conversation.members:
            raise SlackError("not_in_channel")
        if not text and not blocks and not attachments:
            raise SlackError("no_text")
        if len(text) > MAX_TEXT:
            raise SlackError("msg_too_long")
        parent: Message | None = None
        if thread_ts:
            parent = self.messages.get((conversation.id, thread_ts))
            if parent is None:
                raise SlackError("thread_not_found")
            if parent.is_reply:
                parent = self.messages[(conversation.id, parent.thread_ts)]
        message = Message(
            seq=len(self.log) + 1,
            channel=conversation.id,
            ts=self.next_ts(),
            user=caller,
            text=text,
            blocks=list(blocks or []),
            attachments=list(attachments or []),
            thread_ts=parent.ts if parent else "",
            metadata=metadata,
            posted_at=self.clock(),
        )
        if parent is not None:
            parent.thread_ts = parent.ts
            parent.replies.append(message.ts)
        self.messages[(conversation.id, message.ts)] = message
        self.log.append(message)
        return message

    def react(self, caller: str, channel_ref: str, ts: str, name: str) -> Message:
        name = name.strip().strip(":")
        if not REACTION_NAME.match(name):
            raise SlackError("invalid_name")
        message = self.message(caller, channel_ref, ts)
        users = message.reactions.setdefault(name, [])
        if caller in users:
            raise SlackError("already_reacted")
        users.append(caller)
        return message

    # -- reads ----------------------------------------------------------------------------

    def history(
        self,
        caller: str,
        channel_ref: str,
        *,
        oldest: str = "",
        latest: str = "",
        inclusive: bool = False,
        limit: int = 100,
        cursor: str = "",
    ) -> tuple[list[Message], bool, str]:
        """Top-level messages, newest first; (page, has_more, next_cursor)."""
        conversation = self.conversation(caller, channel_ref)
        low, high = _ts_bound(oldest, 0.0), _ts_bound(latest, float("inf"))
        if cursor:
            high, inclusive_high = float(decode_cursor(cursor, "next_ts")), False
        else:
            inclusive_high = inclusive
        selected = [
            m
            for m in reversed(self.log)
            if m.channel == conversation.id
            and not m.is_reply
            and (low < float(m.ts) or (inclusive and low == float(m.ts)))
            and (float(m.ts) < high or (inclusive_high and float(m.ts) == high))
        ]
        page = selected[:limit]
        has_more = len(selected) > limit
        return page, has_more, encode_cursor("next_ts:" + page[-1].ts) if has_more else ""

    def replies(
        self, caller: str, channel_ref: str, ts: str, *, limit: int = 100, cursor: str = ""
    ) -> tuple[list[Message], bool, str]:
        """A thread, parent first then replies oldest first; (page, has_more, next_cursor)."""
        conversation = self.conversation(caller, channel_ref)
        parent = self.messages.get((conversation.id, ts))
        if parent is None:
            raise SlackError("thread_not_found")
        if parent.is_reply:
            parent = self.messages[(conversation.id, parent.thread_ts)]
        thread = [parent, *(self.messages[(conversation.id, r)] for r in parent.replies)]
        if cursor:
            after = decode_cursor(cursor, "next_ts")
            thread = [m for m in thread[1:] if float(m.ts) > float(after)]
        page = thread[:limit]
        has_more = len(thread) > limit
        return page, has_more, encode_cursor("next_ts:" + page[-1].ts) if has_more else ""

    def visible_conversations(self, caller: str, types: set[str]) -> list[Conversation]:
        kinds = {"public_channel": "channel", "im": "im", "mpim": "mpim"}
        wanted = {kinds[t] for t in types if t in kinds}
        return [
            c
            for c in self.conversations.values()
            if c.kind in wanted and (c.kind == "channel" or caller in c.members)
        ]

    def lookup_email(self, email: str) -> SlackUser:
        found = self.by_email.get(email.strip().lower())
        if found is None:
            raise SlackError("users_not_found")
        return found

    def since(self, seq: int, limit: int) -> list[Message]:
        """Messages posted after ``seq``, oldest first (the admin feed)."""
        return self.log[max(0, seq) : max(0, seq) + limit]


def _ts_bound(value: str, default: float) -> float:
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise SlackError("invalid_ts_latest" if default else "invalid_ts_oldest") from None
