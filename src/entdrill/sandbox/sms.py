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


class SmsApi:
    """The gateway's HTTP handlers, over one simulated gateway and its fault store."""

    def __init__(
        self,
        ctx: ComponentContext,
        gateway: SmsGateway,
        store: faults.FaultStore,
        metrics: Metrics,
        *,
        carrier: random.Random,
        clock: Callable[[], float],
    ) -> None:
        self.ctx = ctx
        self.gateway = gateway
        self.store = store
        self.metrics = metrics
        self.carrier = carrier  # which sends suffer a carrier error
        self.clock = clock

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/messages", self.send),
            web.get("/v1/messages/{id}", self.get_message),
            web.get("/v1/outbox", self.outbox),
            web.post("/v1/inbound", self.reply),
            web.get("/v1/inbound", self.inbound),
        ]

    def advance(self) -> float:
        """Move the simulated deliveries to now, counting the messages that changed; now."""
        now = self.clock()
        for message in self.gateway.advance(now):
            self.metrics.inc("sms_messages_total", status=message.status(now))
        self.metrics.gauge("sms_pending", self.gateway.pending)
        return now

    async def send(self, request: web.Request) -> web.Response:
        json_api.require_bearer(request, self.ctx.secrets.sms_token, "SMS API")
        body = await json_api.read_object(request)
        now = self.advance()
        ratio = self.store.get().error_ratio
        try:
            message = self.gateway.send(
                body.get("to"),
                body.get("text"),
                body.get("from"),
                now,
                carrier_error=ratio > 0 and self.carrier.random() < ratio,
            )
        except InvalidMessage as error:
            raise json_api.error(400, str(error)) from None
        self.metrics.inc("sms_sends_total")
        self.metrics.gauge("sms_pending", self.gateway.pending)
        return web.json_response(message.view(now), status=201)

    async def get_message(self, request: web.Request) -> web.Response:
        json_api.require_bearer(request, self.ctx.secrets.sms_token, "SMS API")
        now = self.advance()
        message = self.gateway.message(request.match_info["id"])
        if message is None:
            raise json_api.error(404, f"no message with id {request.match_info['id']!r}")
        return web.json_response(message.view(now))

    async def outbox(self, request: web.Request) -> web.Response:
        json_api.require_bearer(request, self.ctx.secrets.admin_token, "admin")
        self.advance()
        to = request.query.get("to") or None
        found = self.gateway.outbox(to, _since(request), _limit(request))
        return web.json_response({"messages": [m.outbox_view() for m in found]})

    async def reply(self, request: web.Request) -> web.Response:
        json_api.require_bearer(request, self.ctx.secrets.admin_token, "admin")
        body = await json_api.read_object(request)
        now = self.advance()
        try:
            received = self.gateway.receive(
                body.get("from"), body.get("text"), body.get("in_reply_to"), now
            )
        except InvalidMessage as error:
            raise json_api.error(400, str(error)) from None
        self.metrics.inc("sms_inbound_total")
        return web.json_response({"seq": received.seq}, status=201)

    async def inbound(self, request: web.Request) -> web.Response:
        json_api.require_bearer(request, self.ctx.secrets.sms_token, "SMS API")
        found = self.gateway.inbound(_since(request), _limit(request))
        return web.json_response({"messages": [m.view() for m in found]})

    async def health(self) -> dict[str, Any]:
        self.advance()
        return {"pending": self.gateway.pending, "known_phones": len(self.gateway.known_phones)}

    async def settler(self, app: web.Application) -> AsyncIterator[None]:
        """Deliver due messages every 0.2 s while the app runs, not only when asked."""

        async def loop() -> None:
            while True:
                self.advance()
                await asyncio.sleep(0.2)

        task = asyncio.create_task(loop())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@web.middleware
async def mark_sends(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Tell :class:`SendAwareFaultStore` that the request is a send."""
    token = _SENDING.set(request.method == "POST" and request.path == "/v1/messages")
    try:
        return await handler(request)
    finally:
        _SENDING.reset(token)


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
    api = SmsApi(
        ctx, gateway, store, metrics, carrier=random.Random(ctx.config.seed + 1), clock=clock
    )
    app = web.Application(middlewares=[mark_sends])  # outermost: runs before the fault middleware
    faults.install(app, ctx, SendAwareFaultStore(store), metrics, health=api.health)
    app.cleanup_ctx.append(api.settler)
    app.add_routes(api.routes())
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
