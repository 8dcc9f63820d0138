"""The ENT application: CAS server and portal in one aiohttp app, run as N replica processes.

Replicas (``ent-1``, ``ent-2``, ...) are separate processes listening on the same port with
SO_REUSEPORT, so the kernel spreads connections across them and killing one is a real server
loss. Everything they must agree on lives in the shared store (see
:mod:`~entdrill.sandbox.ent.store`).

Besides CAS (:mod:`~entdrill.sandbox.ent.cas`) and the portal (:mod:`~entdrill.sandbox.ent.portal`),
every replica serves the sandbox endpoints of :mod:`entdrill.sandbox.faults` (``/_health``,
``/_admin/faults``, ``/metrics``, the consent token) and, with ``Authorization: Bearer
<admin_token>``::

    GET  /_admin/sessions        -> {"tgt": n, "ticket": n, "session": n}   (live entries)
    POST /_admin/sessions/flush  -> {"lost": n, "replica": "ent-1"}         (everyone logged out)

Every response carries ``X-Entdrill-Replica: <name>``, telling which replica answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from entdrill.sandbox import faults
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.ent import cas, portal
from entdrill.sandbox.ent.replica import Replica, build
from entdrill.sandbox.http import run_app

log = logging.getLogger(__name__)

REPLICA_HEADER = "X-Entdrill-Replica"
PURGE_EVERY_S = 30.0
REPLICA_KEY = web.AppKey("replica", Replica)


def make_app(ctx: ComponentContext) -> web.Application:
    """The ENT replica ``ctx.name`` as an application (opens the shared store)."""
    replica = build(ctx)
    app = web.Application()
    app[REPLICA_KEY] = replica

    async def health() -> dict[str, object]:
        return replica.health()

    faults.install(app, ctx, replica.faults, replica.metrics, health=health)
    cas.add_routes(app, replica)
    portal.add_routes(app, replica)
    app.router.add_get("/_admin/sessions", _admin_sessions)
    app.router.add_post("/_admin/sessions/flush", _admin_flush)

    async def tag(request: web.Request, response: web.StreamResponse) -> None:
        response.headers[REPLICA_HEADER] = ctx.name

    app.on_response_prepare.append(tag)
    app.cleanup_ctx.append(_lifetime)
    return app


async def _lifetime(app: web.Application) -> AsyncIterator[None]:
    """Open the portal's HTTP client and the purge task; close everything at shutdown."""
    replica = app[REPLICA_KEY]
    replica.client = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=100), timeout=aiohttp.ClientTimeout(total=30)
    )
    purge = asyncio.create_task(_purge_periodically(replica))
    try:
        yield
    finally:
        purge.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purge
        await replica.client.close()
        replica.client = None
        replica.close()


async def _purge_periodically(replica: Replica) -> None:
    while True:
        await asyncio.sleep(PURGE_EVERY_S)
        try:
            purged = replica.store.purge_expired()
            if purged:
                log.debug("%s: purged %d expired entries", replica.name, purged)
        except Exception:  # keep purging later; the store may come back
            log.exception("%s: cannot purge expired entries", replica.name)


def _require_admin(request: web.Request) -> Replica:
    replica = request.app[REPLICA_KEY]
    if not faults.admin_authorized(request, replica.ctx.secrets.admin_token):
        raise web.HTTPUnauthorized(
            text='{"error": "admin token missing or wrong"}', content_type="application/json"
        )
    return replica


async def _admin_sessions(request: web.Request) -> web.Response:
    replica = _require_admin(request)
    return web.json_response(replica.state.counts())


async def _admin_flush(request: web.Request) -> web.Response:
    replica = _require_admin(request)
    lost = replica.state.lose_sessions()
    replica.metrics.inc("ent_session_flushes_total", replica=replica.name)
    return web.json_response({"lost": lost, "replica": replica.name})


async def run(ctx: ComponentContext) -> None:
    """Serve ENT replica ``ctx.name`` on the shared ENT port until SIGTERM."""
    await run_app(make_app(ctx), ctx, reuse_port=True)
