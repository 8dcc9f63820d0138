"""The sandbox SMS gateway: an HTTP JSON API, with simulated delivery and the phones' side.

Gateway API (``Authorization: Bearer <sms_token>``)::

    POST /v1/messages        {"to": "+33...", "text": "...", "from": "optional sender"}
                             -> 201 {"id", "to", "text", "status": "queued", "error": null,
                                     "created_at", "delivered_at": null}
    GET  /v1/messages/{id}   -> {"id", "to", "text", "status": queued|sent|delivered|failed,
                                 "error": null|"unknown number"|"carrier error",
                                 "created_at", "delivered_at"}
    GET  /v1/inbound?since=N -> {"messages": [{"seq", "from", "text", "in_reply_to", "received_at"}]}

Phones' side (``Authorization: Bearer <admin_token>``), used by the simulated staff::

    GET  /v1/outbox?to=+33...&since=N  -> {"messages": [{"seq", "id", "to", "text", "from",
                                           "status", "created_at", "delivered_at"}]}
    POST /v1/inbound   {"from": "+33...", "text": "OK", "in_reply_to": "<id>"|null} -> 201 {"seq"}

Errors are JSON ``{"error": "<sentence>"}``: 401 for a wrong token, 400 for bad input, 404 for an
unknown message. Times are ISO 8601 UTC. Listings take ``limit`` (default 1000, at most 5000).
The ``error_ratio`` fault never fails a send with a 500: that share of messages fails with
``carrier error`` instead; every other fault applies as on any component.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from entdrill.population import read_csv
from entdrill.sandbox import faults, json_api
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.http import run_app
from entdrill.sandbox.metrics import Metrics
from entdrill.sandbox.sms_messages import DELAY_RANGE_S, InvalidMessage, SmsGateway

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000

_SENDING: contextvars.ContextVar[bool] = contextvars.ContextVar("sms_sending", default=False)


class SendAwareFaultStore:
    """The fault store as the shared middleware sees it: no injected 500 on a send.

    A send under ``error_ratio`` is accepted and the message fails at the carrier instead, as a
    real gateway reports it; the handler reads the true ratio from the inner store.
    """

    def __init__(self, inner: faults.FaultStore) -> None:
        self.inner = inner

    def get(self) -> faults.FaultSettings:
        settings = self.inner.get()
        if _SENDING.get() and settings.error_ratio:
            return dataclasses.replace(settings, error_ratio=0.0)
        return settings

    def set(self, settings: faults.FaultSettings) -> None:
        self.inner.set(settings)


def make_app(
    ctx: ComponentContext,
    *,
    delay_range_s: tuple[float, float] = DELAY_RANGE_S,
    clock: Callable[[], float] = time.time,
) -> web.Application:
    """The SMS gateway; ``delay_range_s`` bounds the simulated delivery delay."""
    store = faults.MemoryFaultStore()
    metrics = Metrics(ctx.name)
    phones = {p.phone for p in read_csv(ctx.population_csv) if p.phone}
    gateway = SmsGateway(phones, random.Random(ctx.config.seed), delay_range_s)
    carrier = random.Random(ctx.config.seed + 1)  # which sends suffer a carrier error

    def advance() -> float:
        now = clock()
        for message in gateway.advance(now):
            metrics.inc("sms_messages_total", status=message.status(now))
        metrics.gauge("sms_pending", gateway.pending)
        return now

    async def send(request: web.Request) -> web.Response:
        json_api.require_bearer(request, ctx.secrets.sms_token, "SMS API")
        body = await json_api.read_object(request)
        now = advance()
        ratio = store.get().error_ratio
        try:
            message = gateway.send(
                body.get("to"),
                body.get("text"),
                body.get("from"),
                now,
                carrier_error=ratio > 0 and carrier.random() < ratio,
            )
        except InvalidMessage as error:
            raise json_api.error(400, str(error)) from None
        metrics.inc("sms_sends_total")
        metrics.gauge("sms_pending", gateway.pending)
        return web.json_response(message.view(now), status=201)

    async def get_message(request: web.Request) -> web.Response:
        json_api.require_bearer(request, ctx.secrets.sms_token, "SMS API")
        now = advance()
        message = gateway.message(request.match_info["id"])
        if message is None:
            raise json_api.error(404, f"no message with id {request.match_info['id']!r}")
        return web.json_response(message.view(now))

    async def outbox(request: web.Request) -> web.Response:
        json_api.require_bearer(request, ctx.secrets.admin_token, "admin")
        advance()
        to = request.query.get("to") or None
        since, limit = _since(request), _limit(request)
        found = gateway.outbox(to, since, limit)
        return web.json_response({"messages": [m.outbox_view() for m in found]})

    async def reply(request: web.Request) -> web.Response:
        json_api.require_bearer(request, ctx.secrets.admin_token, "admin")
        body = await json_api.read_object(request)
        now = advance()
        try:
            received = gateway.receive(
                body.get("from"), body.get("text"), body.get("in_reply_to"), now
            )
        except InvalidMessage as error:
            raise json_api.error(400, str(error)) from None
        metrics.inc("sms_inbound_total")
        return web.json_response({"seq": received.seq}, status=201)

    async def inbound(request: web.Request) -> web.Response:
        json_api.require_bearer(request, ctx.secrets.sms_token, "SMS API")
        found = gateway.inbound(_since(request), _limit(request))
        return web.json_response({"messages": [m.view() for m in found]})

    async def health() -> dict[str, Any]:
        advance()
        return {"pending": gateway.pending, "known_phones": len(gateway.known_phones)}

    @web.middleware
    async def mark_sends(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        token = _SENDING.set(request.method == "POST" and request.path == "/v1/messages")
        try:
            return await handler(request)
        finally:
            _SENDING.reset(token)

    async def settler(app: web.Application) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                advance()
                await asyncio.sleep(0.2)

        task = asyncio.create_task(loop())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app = web.Application(middlewares=[mark_sends])  # outermost: runs before the fault middleware
    faults.install(app, ctx, SendAwareFaultStore(store), metrics, health=health)
    app.cleanup_ctx.append(settler)
    app.router.add_post("/v1/messages", send)
    app.router.add_get("/v1/messages/{id}", get_message)
    app.router.add_get("/v1/outbox", outbox)
    app.router.add_post("/v1/inbound", reply)
    app.router.add_get("/v1/inbound", inbound)
    return app


async def run(ctx: ComponentContext) -> None:
    await run_app(make_app(ctx), ctx)


def _since(request: web.Request) -> int:
    text = request.query.get("since", "0")
    if not text.isdigit():
        raise json_api.error(400, f"since must be a whole number of at least 0, got {text!r}")
    return int(text)


def _limit(request: web.Request) -> int:
    text = request.query.get("limit", str(DEFAULT_LIMIT))
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise json_api.error(
            400, f"limit must be a whole number from 1 to {MAX_LIMIT}, got {text!r}"
        )
    return int(text)
