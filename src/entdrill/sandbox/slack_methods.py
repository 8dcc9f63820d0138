"""The Web API methods of the sandbox's Slack: arguments in, Slack-shaped JSON out.

Each method is a function ``(workspace, caller, args) -> dict`` over :mod:`slack_store`; the HTTP
layer authenticates the caller, applies rate limits and adds ``"ok": true``. Arguments arrive as
Slack sends them: form fields (strings, JSON-encoded ``blocks`` and ``metadata``) or a JSON body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from entdrill.sandbox.slack_store import (
    BOT_ID,
    BOT_USER_ID,
    Conversation,
    Message,
    SlackError,
    SlackUser,
    Workspace,
    page_by_id,
)

Args = dict[str, Any]
Method = Callable[[Workspace, str, Args], dict[str, Any]]


# -- arguments ------------------------------------------------------------------------------


def arg_str(args: Args, name: str, default: str = "") -> str:
    value = args.get(name, default)
    if value is None:
        return default
    return value if isinstance(value, str) else str(value)


def arg_required(args: Args, name: str) -> str:
    value = arg_str(args, name)
    if not value:
        raise SlackError("invalid_arguments", f"[ERROR] missing required field: {name}")
    return value


def arg_bool(args: Args, name: str) -> bool:
    value = args.get(name, False)
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def arg_int(args: Args, name: str, default: int, *, low: int, high: int) -> int:
    value = args.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(str(value))
    except ValueError:
        raise SlackError("invalid_arguments", f"[ERROR] {name} must be an integer") from None
    if number == 0 and low > 0:
        return default
    return max(low, min(high, number))


def arg_json(args: Args, name: str, error: str) -> Any:
    """A structured argument, given as JSON text (forms) or as a value (JSON bodies)."""
    value = args.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise SlackError(error) from None
    return value


# -- rendering ------------------------------------------------------------------------------


def user_json(ws: Workspace, user: SlackUser) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "real_name": user.real_name,
        "display_name": user.name,
        "title": user.title,
        "phone": user.phone,
        "email": user.email,
        "team": ws.team_id,
    }
    if user.is_bot:
        profile["bot_id"] = BOT_ID
    return {
        "id": user.id,
        "team_id": ws.team_id,
        "name": user.name,
        "deleted": False,
        "real_name": user.real_name,
        "tz": "Europe/Paris",
        "tz_label": "Central European Time",
        "tz_offset": 3600,
        "profile": profile,
        "is_admin": False,
        "is_owner": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
    }


def conversation_json(ws: Workspace, conv: Conversation, caller: str) -> dict[str, Any]:
    if conv.kind == "im":
        other = next((m for m in conv.members if m != caller), caller)
        return {"id": conv.id, "created": conv.created, "is_im": True, "user": other}
    topic = {"value": "", "creator": "", "last_set": 0}
    return {
        "id": conv.id,
        "name": conv.name,
        "name_normalized": conv.name,
        "is_channel": conv.kind == "channel",
        "is_group": False,
        "is_im": False,
        "is_mpim": conv.kind == "mpim",
        "is_private": conv.kind != "channel",
        "is_archived": False,
        "is_general": conv.is_general,
        "is_member": caller in conv.members,
        "created": conv.created,
        "creator": conv.creator,
        "num_members": len(conv.members),
        "topic": topic,
        "purpose": dict(topic),
    }


def message_json(
    ws: Workspace, message: Message, caller: str, *, with_metadata: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "message",
        "user": message.user,
        "text": message.text,
        "ts": message.ts,
        "team": ws.team_id,
    }
    if message.user == BOT_USER_ID:
        body["bot_id"] = BOT_ID
    if message.blocks:
        body["blocks"] = message.blocks
    if message.attachments:
        body["attachments"] = message.attachments
    if message.thread_ts:
        body["thread_ts"] = message.thread_ts
    if message.is_reply:
        parent = ws.messages[(message.channel, message.thread_ts)]
        body["parent_user_id"] = parent.user
    elif message.replies:
        repliers = [ws.messages[(message.channel, r)].user for r in message.replies]
        body["reply_count"] = len(message.replies)
        body["reply_users"] = sorted(set(repliers))
        body["reply_users_count"] = len(set(repliers))
        body["latest_reply"] = message.replies[-1]
    if message.reactions:
        body["reactions"] = [
            {"name": name, "users": list(users), "count": len(users)}
            for name, users in message.reactions.items()
        ]
    if message.metadata is not None and (with_metadata or message.user == caller):
        body["metadata"] = message.metadata
    return body


def next_cursor(cursor: str) -> dict[str, Any]:
    return {"response_metadata": {"next_cursor": cursor}}


# -- methods --------------------------------------------------------------------------------


def auth_test(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    user = ws.user(caller)
    body: dict[str, Any] = {
        "url": f"https://{ws.team_id.lower()}.slack.test/",
        "team": ws.team_name,
        "user": user.name,
        "team_id": ws.team_id,
        "user_id": user.id,
        "is_enterprise_install": False,
    }
    if user.is_bot:
        body["bot_id"] = BOT_ID
    return body


def chat_post_message(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    blocks = arg_json(args, "blocks", "invalid_blocks")
    if blocks is not None and (
        not isinstance(blocks, list)
        or len(blocks) > 50
        or not all(isinstance(b, dict) and b.get("type") for b in blocks)
    ):
        raise SlackError("invalid_blocks")
    attachments = arg_json(args, "attachments", "invalid_attachments")
    if attachments is not None and not (
        isinstance(attachments, list) and all(isinstance(a, dict) for a in attachments)
    ):
        raise SlackError("invalid_attachments")
    metadata = arg_json(args, "metadata", "invalid_metadata_format")
    if metadata is not None:
        if not (
            isinstance(metadata, dict)
            and isinstance(metadata.get("event_type"), str)
            and metadata["event_type"]
            and isinstance(metadata.get("event_payload", {}), dict)
        ):
            raise SlackError("invalid_metadata_format")
        metadata = {
            "event_type": metadata["event_type"],
            "event_payload": metadata.get("event_payload", {}),
        }
    message = ws.post(
        caller,
        arg_str(args, "channel"),
        text=arg_str(args, "text"),
        blocks=blocks,
        attachments=attachments,
        thread_ts=arg_str(args, "thread_ts"),
        metadata=metadata,
    )
    return {
        "channel": message.channel,
        "ts": message.ts,
        "message": message_json(ws, message, caller, with_metadata=True),
    }


def conversations_open(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    channel = arg_str(args, "channel")
    if channel:
        conversation, existed = ws.conversation(caller, channel), True
    else:
        users = [u.strip() for u in arg_str(args, "users").split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        conversation, existed = ws.open(caller, users)
    body: dict[str, Any] = {"channel": {"id": conversation.id}}
    if arg_bool(args, "return_im"):
        body["channel"] = conversation_json(ws, conversation, caller)
    if existed:
        body.update({"no_op": True, "already_open": True})
    return body


def conversations_history(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    page, has_more, cursor = ws.history(
        caller,
        arg_str(args, "channel"),
        oldest=arg_str(args, "oldest"),
        latest=arg_str(args, "latest"),
        inclusive=arg_bool(args, "inclusive"),
        limit=arg_int(args, "limit", 100, low=1, high=999),
        cursor=arg_str(args, "cursor"),
    )
    meta = arg_bool(args, "include_all_metadata")
    return {
        "messages": [message_json(ws, m, caller, with_metadata=meta) for m in page],
        "has_more": has_more,
        "pin_count": 0,
        **next_cursor(cursor),
    }


def conversations_replies(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    page, has_more, cursor = ws.replies(
        caller,
        arg_str(args, "channel"),
        arg_str(args, "ts") or arg_str(args, "thread_ts"),
        limit=arg_int(args, "limit", 1000, low=1, high=1000),
        cursor=arg_str(args, "cursor"),
    )
    meta = arg_bool(args, "include_all_metadata")
    return {
        "messages": [message_json(ws, m, caller, with_metadata=meta) for m in page],
        "has_more": has_more,
        **next_cursor(cursor),
    }


def conversations_list(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    types = {t.strip() for t in (arg_str(args, "types") or "public_channel").split(",")}
    unknown = types - {"public_channel", "private_channel", "mpim", "im"}
    if unknown:
        raise SlackError("invalid_types")
    page, cursor = page_by_id(
        ws.visible_conversations(caller, types),
        lambda c: c.id,
        arg_int(args, "limit", 100, low=1, high=1000),
        arg_str(args, "cursor"),
    )
    return {"channels": [conversation_json(ws, c, caller) for c in page], **next_cursor(cursor)}


def conversations_info(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    conversation = ws.conversation(caller, arg_str(args, "channel"))
    return {"channel": conversation_json(ws, conversation, caller)}


def conversations_members(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    conversation = ws.conversation(caller, arg_str(args, "channel"))
    page, cursor = page_by_id(
        list(conversation.members),
        lambda m: m,
        arg_int(args, "limit", 100, low=1, high=1000),
        arg_str(args, "cursor"),
    )
    return {"members": page, **next_cursor(cursor)}


def reactions_add(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    channel, ts = arg_str(args, "channel"), arg_str(args, "timestamp")
    if not channel or not ts:
        raise SlackError("no_item_specified")
    ws.react(caller, channel, ts, arg_required(args, "name"))
    return {}


def reactions_get(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    channel, ts = arg_str(args, "channel"), arg_str(args, "timestamp")
    if not channel or not ts:
        raise SlackError("no_item_specified")
    message = ws.message(caller, channel, ts)
    return {
        "type": "message",
        "channel": message.channel,
        "message": message_json(ws, message, caller, with_metadata=False),
    }


def users_list(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    page, cursor = page_by_id(
        list(ws.users.values()),
        lambda u: u.id,
        arg_int(args, "limit", 0, low=0, high=1000),
        arg_str(args, "cursor"),
    )
    return {
        "members": [user_json(ws, u) for u in page],
        "cache_ts": int(ws.clock()),
        **next_cursor(cursor),
    }


def users_info(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    return {"user": user_json(ws, ws.user(arg_required(args, "user")))}


def users_lookup_by_email(ws: Workspace, caller: str, args: Args) -> dict[str, Any]:
    return {"user": user_json(ws, ws.lookup_email(arg_required(args, "email")))}


METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "conversations.open": conversations_open,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "conversations.list": conversations_list,
    "conversations.info": conversations_info,
    "conversations.members": conversations_members,
    "reactions.add": reactions_add,
    "reactions.get": reactions_get,
    "users.list": users_list,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
}
