"""The sandbox's Slack-compatible Web API, for ``slack_sdk.WebClient(base_url=...)``.

``POST|GET /api/<method>`` with a form or JSON body and ``Authorization: Bearer <token>`` (or a
``token`` field) answers like Slack: ``{"ok": true, ...}`` or ``{"ok": false, "error": "..."}``,
HTTP 429 with ``Retry-After`` past a method's rate limit (see :mod:`slack_limits`).

Tokens: the bot's (``secrets.slack_token``) and one user token per person on Slack,
:func:`user_token`, with which the simulated staff and the tests act as that person.

Admin API (``Authorization: Bearer <admin_token>``), for tests and the simulated staff::

    POST   /_admin/slack/force     {"method", "count", "status": 429|500|502|503, "retry_after"}
                                   or {"method", "count", "mode": "accept_then_fail"|"accept_then_drop"}
    GET    /_admin/slack/force     -> {"pending": [...]}
    DELETE /_admin/slack/force     clear every queued forced failure
    GET    /_admin/slack/messages?channel=<id|name>   every message posted there (all if omitted)
    GET    /_admin/slack/feed?since=<seq>&limit=<n>   messages after seq, with the members reached
    PUT    /_admin/slack/limits    {"enabled": false} turns rate limiting off (true: back on)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from entdrill.population import Person, read_csv
from entdrill.sandbox import faults
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.config import SandboxSecrets
from entdrill.sandbox.http import run_app
from entdrill.sandbox.metrics import Metrics
from entdrill.sandbox.slack_limits import ForcedFailures, RateLimiter, parse_force
from entdrill.sandbox.slack_methods import METHODS, Args
from entdrill.sandbox.slack_store import BOT_USER_ID, Message, SlackError, Workspace, plain_text

log = logging.getLogger(__name__)


def user_token(secrets: SandboxSecrets, slack_id: str) -> str:
    """The Slack user token (``xoxp-<slack_id>-<hmac>``) of the person with ``slack_id``."""
    digest = hmac.new(secrets.user_token_key.encode(), slack_id.encode(), hashlib.sha256)
    return f"xoxp-{slack_id}-{digest.hexdigest()[:32]}"


class SlackService:
    """The workspace, its tokens, limits and forced failures, behind the HTTP handlers."""

    def __init__(
        self,
        ctx: ComponentContext,
        people: list[Person],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.workspace = Workspace(ctx.config.school_domain, people, clock)
        self.user_tokens = {
            uid: user_token(ctx.secrets, uid) for uid in self.workspace.users if uid != BOT_USER_ID
        }
        self.limiter = RateLimiter()
        self.forced = ForcedFailures()
        self.metrics = Metrics(ctx.name)

    def caller(self, request: web.Request, args: Args) -> str:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        token = token or str(args.pop("token", "") or "")
        if not token:
            raise SlackError("not_authed")
        if hmac.compare_digest(token.encode(), self.ctx.secrets.slack_token.encode()):
            return BOT_USER_ID
        uid = token.split("-")[1] if token.startswith("xoxp-") and token.count("-") == 2 else ""
        expected = self.user_tokens.get(uid)
        if expected is not None and hmac.compare_digest(token.encode(), expected.encode()):
            return uid
        raise SlackError("invalid_auth")

    def rate_key_channel(self, caller: str, args: Args) -> str:
        ref = str(args.get("channel") or "").strip()
        if ref in self.workspace.users:
            return "dm:" + ":".join(sorted({caller, ref}))
        try:
            return self.workspace.conversation(caller, ref).id
        except SlackError:
            return ref

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        try:
            args = await read_args(request)
        except ValueError:
            return answer(method, {"ok": False, "error": "invalid_json"})
        implementation = METHODS.get(method)
        if implementation is None:
            return answer(method, {"ok": False, "error": "unknown_method", "req_method": method})
        try:
            caller = self.caller(request, args)
        except SlackError as error:
            self.metrics.inc("slack_calls_total", method=method, result=error.code)
            return answer(method, {"ok": False, "error": error.code})
        force = self.forced.take(method)
        if force is not None and force.mode == "fail":
            self.metrics.inc("slack_calls_total", method=method, result=f"forced_{force.status}")
            return failure(method, force.status, force.retry_after)
        channel = self.rate_key_channel(caller, args) if method == "chat.postMessage" else ""
        wait = self.limiter.check(caller, method, self.clock(), channel=channel)
        if wait:
            self.metrics.inc("slack_calls_total", method=method, result="ratelimited")
            return failure(method, 429, wait)
        try:
            body = {"ok": True, **implementation(self.workspace, caller, args)}
        except SlackError as error:
            self.metrics.inc("slack_calls_total", method=method, result=error.code)
            body = {"ok": False, "error": error.code}
            if error.messages:
                body["response_metadata"] = {"messages": error.messages}
            return answer(method, body)
        self.metrics.inc("slack_calls_total", method=method, result="ok")
        if force is not None and force.mode == "accept_then_fail":
            log.info("forced failure after carrying out %s", method)
            return failure(method, force.status, force.retry_after)
        if force is not None and force.mode == "accept_then_drop":
            log.info("connection dropped after carrying out %s", method)
            if request.transport is not None:
                request.transport.abort()
            return answer(method, body)  # never reaches the client
        return answer(method, body)

    def admin_message(self, message: Message) -> dict[str, Any]:
        conversation = self.workspace.conversations[message.channel]
        return {
            "seq": message.seq,
            "channel": message.channel,
            "channel_name": conversation.name,
            "channel_kind": conversation.kind,
            "members": list(conversation.members),
            "ts": message.ts,
            "thread_ts": message.thread_ts,
            "user": message.user,
            "text": message.text,
            "plain_text": plain_text(message),
            "blocks": message.blocks,
            "attachments": message.attachments,
            "metadata": message.metadata,
            "reactions": {name: list(users) for name, users in message.reactions.items()},
            "reply_count": len(message.replies),
            "posted_at": message.posted_at,
        }


async def read_args(request: web.Request) -> Args:
    """Query string and body (form or JSON) arguments; ValueError on a malformed JSON body."""
    args: Args = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return args
    if request.content_type == "application/json":
        data = json.loads(await request.text() or "{}")
        if not isinstance(data, dict):
            raise ValueError("a JSON body must be an object")
        args.update(data)
    else:
        form = await request.post()
        args.update({k: v for k, v in form.items() if isinstance(v, str)})
    return args


def answer(method: str, body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


def failure(method: str, status: int, retry_after: int) -> web.Response:
    if status == 429:
        response = answer(method, {"ok": False, "error": "ratelimited"}, status)
        response.headers["Retry-After"] = str(retry_after)
        return response
    return answer(method, {"ok": False, "error": "internal_error"}, status)


SERVICE = web.AppKey("slack_service", SlackService)


class SlackAdmin:
    """The admin side of the sandbox Slack (``/_admin/slack/...``, admin token): forced failures,
    the messages posted, their feed, and the rate limits switched on or off."""

    def __init__(self, ctx: ComponentContext, service: SlackService) -> None:
        self.ctx = ctx
        self.service = service

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/_admin/slack/force", self.post_force),
            web.get("/_admin/slack/force", self.get_force),
            web.delete("/_admin/slack/force", self.delete_force),
            web.get("/_admin/slack/messages", self.get_messages),
            web.get("/_admin/slack/feed", self.get_feed),
            web.put("/_admin/slack/limits", self.put_limits),
        ]

    def require_admin(self, request: web.Request) -> None:
        if not faults.admin_authorized(request, self.ctx.secrets.admin_token):
            raise web.HTTPUnauthorized(
                text='{"error": "admin token missing or wrong"}', content_type="application/json"
            )

    async def post_force(self, request: web.Request) -> web.Response:
        self.require_admin(request)
        try:
            force = parse_force(await request.json(), set(METHODS))
        except (ValueError, json.JSONDecodeError) as error:
            return web.json_response({"error": str(error)}, status=400)
        self.service.forced.add(force)
        return web.json_response({"pending": self.service.forced.pending()})

    async def get_force(self, request: web.Request) -> web.Response:
        self.require_admin(request)
        return web.json_response({"pending": self.service.forced.pending()})

    async def delete_force(self, request: web.Request) -> web.Response:
        self.require_admin(request)
        self.service.forced.clear()
        return web.json_response({"pending": []})

    async def get_messages(self, request: web.Request) -> web.Response:
        self.require_admin(request)
        workspace = self.service.workspace
        ref = request.query.get("channel", "")
        messages = workspace.log
        if ref:
            found = next(
                (
                    c
                    for c in workspace.conversations.values()
                    if ref in (c.id, c.name, "#" + c.name)
                ),
                None,
            )
            if found is None:
                return web.json_response({"error": f"no channel {ref!r}"}, status=404)
            messages = [m for m in messages if m.channel == found.id]
        return web.json_response({"messages": [self.service.admin_message(m) for m in messages]})

    async def get_feed(self, request: web.Request) -> web.Response:
        self.require_admin(request)
        try:
            since = int(request.query.get("since", "0"))
            limit = int(request.query.get("limit", "1000"))
        except ValueError:
            return web.json_response({"error": "since and limit must be integers"}, status=400)
        page = self.service.workspace.since(since, max(1, min(limit, 10_000)))
        return web.json_response(
            {
                "events": [self.service.admin_message(m) for m in page],
                "last_seq": len(self.service.workspace.log),
            }
        )

    async def put_limits(self, request: web.Request) -> web.Response:
        self.require_admin(request)
        try:
            data = await request.json()
        except json.JSONDecodeError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("enabled"), bool):
            return web.json_response({"error": 'expected {"enabled": true|false}'}, status=400)
        self.service.limiter.enabled = data["enabled"]
        return web.json_response({"enabled": self.service.limiter.enabled})

    async def health(self) -> dict[str, Any]:
        return {
            "users": len(self.service.workspace.users),
            "messages": len(self.service.workspace.log),
        }


def make_app(ctx: ComponentContext, *, clock: Callable[[], float] = time.time) -> web.Application:
    """The Slack API application of a sandbox (population read from its directory)."""
    service = SlackService(ctx, read_csv(ctx.population_csv), clock=clock)
    admin = SlackAdmin(ctx, service)
    app = web.Application()
    app[SERVICE] = service
    app.add_routes(
        [
            web.route("POST", "/api/{method}", service.handle),
            web.route("GET", "/api/{method}", service.handle),
            *admin.routes(),
        ]
    )
    faults.install(app, ctx, faults.MemoryFaultStore(), service.metrics, health=admin.health)
    return app


async def run(ctx: ComponentContext) -> None:
    """Serve the Slack API on ``ctx.config.slack_port`` until SIGTERM."""
    await run_app(make_app(ctx), ctx)
