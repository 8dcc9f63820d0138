"""Fault injection shared by every HTTP component of the sandbox.

Each component keeps a :class:`FaultSettings` in a :class:`FaultStore` (in memory for a single
process; the ENT replicas share theirs through the ENT store). The middleware applies them to every
request except the sandbox's own endpoints (``/_health``, ``/_admin/...``, ``/metrics``), which
always answer so that a fault can be inspected and lifted.

Admin API (``Authorization: Bearer <admin_token>``)::

    GET    /_admin/faults    -> the settings as JSON
    PUT    /_admin/faults    <- a JSON object of the settings to change; -> the new settings
    DELETE /_admin/faults    -> back to no fault

``GET /.well-known/entdrill-consent`` answers the consent token as text (404 once withdrawn).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import json
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.metrics import Metrics

EXEMPT_PREFIXES = ("/_health", "/_admin/", "/metrics", "/.well-known/entdrill-consent")


@dataclass(frozen=True)
class FaultSettings:
    """The faults active on one component. The defaults are "no fault"."""

    latency_ms: float = 0.0  # added before answering
    error_ratio: float = 0.0  # share of requests answered 500
    hang: bool = False  # requests are held, unanswered, until the hang is lifted
    capacity: int | None = None  # component-specific limit (bridge participants, ENT logins)
    consent_withdrawn: bool = False  # the consent token is no longer served

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def is_clear(self) -> bool:
        return self == FaultSettings()

    def changed(self, updates: dict[str, Any]) -> FaultSettings:
        """A copy with ``updates`` applied; ValueError names a bad key or value."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(updates) - known)
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}")
        merged = {**self.to_dict(), **updates}
        latency, ratio = merged["latency_ms"], merged["error_ratio"]
        if isinstance(latency, bool) or not isinstance(latency, int | float) or not latency >= 0:
            raise ValueError(f"latency_ms must be a number of at least 0, got {latency!r}")
        if latency > 600_000:
            raise ValueError(f"latency_ms must be at most 600000 (10 minutes), got {latency!r}")
        if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
            raise ValueError(f"error_ratio must be between 0 and 1, got {ratio!r}")
        capacity = merged["capacity"]
        if capacity is not None and (
            isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0
        ):
            raise ValueError(
                f"capacity must be null or a whole number of at least 0, got {capacity!r}"
            )
        for flag in ("hang", "consent_withdrawn"):
            if not isinstance(merged[flag], bool):
                raise ValueError(f"{flag} must be true or false, got {merged[flag]!r}")
        if math.isnan(float(latency)) or math.isnan(float(ratio)):
            raise ValueError("latency_ms and error_ratio cannot be NaN")
        return FaultSettings(**merged)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultSettings:
        return cls().changed(data)


class FaultStore(Protocol):
    """Where a component's fault settings live."""

    def get(self) -> FaultSettings: ...

    def set(self, settings: FaultSettings) -> None: ...


class MemoryFaultStore:
    """Fault settings of a single-process component."""

    def __init__(self) -> None:
        self._settings = FaultSettings()

    def get(self) -> FaultSettings:
        return self._settings

    def set(self, settings: FaultSettings) -> None:
        self._settings = settings


def admin_authorized(request: web.Request, admin_token: str) -> bool:
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ").strip()
    return bool(given) and hmac.compare_digest(given.encode(), admin_token.encode())


def install(
    app: web.Application,
    ctx: ComponentContext,
    store: FaultStore,
    metrics: Metrics,
    *,
    health: Callable[[], Awaitable[dict[str, Any]]] | None = None,
) -> None:
    """Add the fault middleware and the sandbox endpoints (health, admin, consent, metrics)."""
    rng = random.Random()  # fault sampling, not security

    @web.middleware
    async def fault_middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        started = time.monotonic()
        path = request.path
        if path.startswith(EXEMPT_PREFIXES):
            return await handler(request)
        settings = store.get()
        status = 500
        try:
            while settings.hang:
                await asyncio.sleep(0.1)
                settings = store.get()
            if settings.latency_ms > 0:
                await asyncio.sleep(settings.latency_ms / 1000.0)
            if settings.error_ratio > 0 and rng.random() < settings.error_ratio:
                response: web.StreamResponse = web.Response(
                    status=500, text="injected fault: error_ratio\n"
                )
            else:
                response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            metrics.observe_request(request.method, status, time.monotonic() - started)

    app.middlewares.append(fault_middleware)

    async def get_health(request: web.Request) -> web.Response:
        body: dict[str, Any] = {"component": ctx.name, "ok": True}
        if health is not None:
            body.update(await health())
        return web.json_response(body)

    def require_admin(request: web.Request) -> None:
        if not admin_authorized(request, ctx.secrets.admin_token):
            raise web.HTTPUnauthorized(
                text='{"error": "admin token missing or wrong"}', content_type="application/json"
            )

    async def get_faults(request: web.Request) -> web.Response:
        require_admin(request)
        return web.json_response(store.get().to_dict())

    async def put_faults(request: web.Request) -> web.Response:
        require_admin(request)
        try:
            updates = await request.json()
            if not isinstance(updates, dict):
                raise ValueError("expected a JSON object of fault settings")
            settings = store.get().changed(updates)
        except (ValueError, json.JSONDecodeError) as error:
            return web.json_response({"error": str(error)}, status=400)
        store.set(settings)
        return web.json_response(settings.to_dict())

    async def delete_faults(request: web.Request) -> web.Response:
        require_admin(request)
        store.set(FaultSettings())
        return web.json_response(FaultSettings().to_dict())

    async def get_consent(request: web.Request) -> web.Response:
        if store.get().consent_withdrawn:
            raise web.HTTPNotFound(text="consent withdrawn\n")
        return web.Response(text=ctx.secrets.consent_token, content_type="text/plain")

    async def get_metrics(request: web.Request) -> web.Response:
        response = web.Response(text=metrics.render(), content_type="text/plain")
        # ENT replicas share a port: closing the connection after each scrape lets the kernel
        # pick a replica per scrape, instead of Prometheus's kept-alive connection reading one
        # replica's counters for ever (a flush or an error on the other would go unseen).
        response.force_close()
        return response

    app.router.add_get("/_health", get_health)
    app.router.add_get("/_admin/faults", get_faults)
    app.router.add_put("/_admin/faults", put_faults)
    app.router.add_delete("/_admin/faults", delete_faults)
    app.router.add_get("/.well-known/entdrill-consent", get_consent)
    app.router.add_get("/metrics", get_metrics)
