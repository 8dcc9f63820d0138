"""The sandbox status page: incidents posted by operators (or a drill), shown to everyone.

API::

    POST  /api/incidents       (Bearer status_token)  {"title", "body", "status", "components"}
                               -> 201 the incident
    PATCH /api/incidents/{id}  (Bearer status_token)  any of {"title", "body", "status", "components"}
                               -> 200 the incident; "resolved" takes it off the active list
    GET   /api/incidents       (public) -> {"active": [...], "recent": [...resolved lately]}
    GET   /api/incidents/{id}  (public) -> the incident
    GET   /                    (public) HTML page listing the active incidents

An incident is ``{"id", "title", "body", "status", "components", "created_at", "updated_at",
"resolved_at", "updates": [{"status", "body", "at"}]}``; ``status`` is one of investigating,
identified, monitoring, resolved (default investigating). Errors are JSON ``{"error": "..."}``.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web

from entdrill.sandbox import faults, json_api
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.http import run_app
from entdrill.sandbox.json_api import iso
from entdrill.sandbox.metrics import Metrics

STATUSES = ("investigating", "identified", "monitoring", "resolved")
MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 10_000
MAX_COMPONENTS = 50
RECENT_S = 7 * 86_400.0  # resolved incidents listed as recent for a week
MAX_RECENT = 20


class InvalidIncident(ValueError):
    """An incident or update the page refuses (HTTP 400)."""


@dataclass
class Update:
    status: str
    body: str
    at: str


@dataclass
class Incident:
    id: str
    title: str
    body: str
    status: str
    components: list[str]
    created_at: str
    updated_at: str
    resolved_at: str | None = None
    updates: list[Update] = field(default_factory=list)
    resolved_at_s: float | None = field(default=None, repr=False)

    @property
    def active(self) -> bool:
        return self.status != "resolved"

    def view(self) -> dict[str, Any]:
        view = asdict(self)
        del view["resolved_at_s"]
        return view


class Incidents:
    """Every incident of the page, newest first. One event loop owns it."""

    def __init__(self) -> None:
        self._incidents: dict[str, Incident] = {}
        self._next = 1

    def open(self, data: dict[str, Any], now: float) -> Incident:
        fields = checked(data, partial=False)
        stamp = iso(now)
        incident = Incident(
            id=f"inc-{self._next}",
            title=fields["title"],
            body=fields.get("body", ""),
            status=fields.get("status", "investigating"),
            components=fields.get("components", []),
            created_at=stamp,
            updated_at=stamp,
        )
        self._next += 1
        incident.updates.append(Update(incident.status, incident.body, stamp))
        self._resolve_if_done(incident, now)
        self._incidents[incident.id] = incident
        return incident

    def update(self, incident_id: str, data: dict[str, Any], now: float) -> Incident | None:
        incident = self._incidents.get(incident_id)
        if incident is None:
            return None
        fields = checked(data, partial=True)
        for name, value in fields.items():
            setattr(incident, name, value)
        incident.updated_at = iso(now)
        incident.updates.append(
            Update(incident.status, fields.get("body", ""), incident.updated_at)
        )
        self._resolve_if_done(incident, now)
        return incident

    def get(self, incident_id: str) -> Incident | None:
        return self._incidents.get(incident_id)

    def active(self) -> list[Incident]:
        return [i for i in reversed(self._incidents.values()) if i.active]

    def recent(self, now: float) -> list[Incident]:
        resolved = [
            i
            for i in self._incidents.values()
            if i.resolved_at_s is not None and now - i.resolved_at_s <= RECENT_S
        ]
        resolved.sort(key=lambda i: i.resolved_at_s or 0.0, reverse=True)
        return resolved[:MAX_RECENT]

    @staticmethod
    def _resolve_if_done(incident: Incident, now: float) -> None:
        if incident.active:
            incident.resolved_at, incident.resolved_at_s = None, None
        elif incident.resolved_at_s is None:
            incident.resolved_at, incident.resolved_at_s = iso(now), now


def checked(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """The known fields of ``data``, validated; InvalidIncident names the first wrong one."""
    unknown = sorted(set(data) - {"title", "body", "status", "components"})
    if unknown:
        raise InvalidIncident(
            f"unknown field(s) {', '.join(unknown)}; expected title, body, status, components"
        )
    if not partial and "title" not in data:
        raise InvalidIncident("title is required")
    fields: dict[str, Any] = {}
    if "title" in data:
        title = data["title"]
        if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE_CHARS:
            raise InvalidIncident(
                f"title must be a non-empty string of at most {MAX_TITLE_CHARS} characters"
            )
        fields["title"] = title.strip()
    if "body" in data:
        body = data["body"]
        if not isinstance(body, str) or len(body) > MAX_BODY_CHARS:
            raise InvalidIncident(f"body must be a string of at most {MAX_BODY_CHARS} characters")
        fields["body"] = body
    if "status" in data:
        if data["status"] not in STATUSES:
            raise InvalidIncident(
                f"status must be one of {', '.join(STATUSES)}, got {data['status']!r}"
            )
        fields["status"] = data["status"]
    if "components" in data:
        components = data["components"]
        if (
            not isinstance(components, list)
            or len(components) > MAX_COMPONENTS
            or not all(isinstance(c, str) and 0 < len(c) <= 100 for c in components)
        ):
            raise InvalidIncident(f"components must be a list of at most {MAX_COMPONENTS} names")
        fields["components"] = list(components)
    return fields


def render_page(active: list[Incident]) -> str:
    """The public page: every active incident with its title, status, body and components."""
    if active:
        items = "\n".join(_render_incident(i) for i in active)
        summary = f"{len(active)} incident(s) en cours"
    else:
        items = ""
        summary = "Tous les services fonctionnent normalement"
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="30">
<title>État des services</title>
<style>body{{font-family:sans-serif;max-width:48rem;margin:auto}}.body{{white-space:pre-wrap}}</style>
</head>
<body>
<h1>État des services</h1>
<p id="summary">{summary}</p>
<main id="active">
{items}
</main>
</body>
</html>
"""


def _render_incident(incident: Incident) -> str:
    components = ", ".join(html.escape(c) for c in incident.components) or "—"
    return (
        f'<article class="incident {incident.status}" id="{html.escape(incident.id)}">'
        f"<h2>{html.escape(incident.title)}</h2>"
        f'<p class="status">{incident.status}</p>'
        f'<p class="body">{html.escape(incident.body)}</p>'
        f'<p class="components">Services concernés : {components}</p>'
        f'<p class="time">Mis à jour <time>{incident.updated_at}</time></p></article>'
    )


class StatusPageApi:
    """The status page's HTTP handlers, over its incidents."""

    def __init__(self, ctx: ComponentContext, metrics: Metrics, clock: Callable[[], float]) -> None:
        self.ctx = ctx
        self.metrics = metrics
        self.clock = clock
        self.incidents = Incidents()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/incidents", self.create),
            web.patch("/api/incidents/{id}", self.update),
            web.get("/api/incidents", self.listing),
            web.get("/api/incidents/{id}", self.one),
            web.get("/", self.page),
        ]

    def require(self, request: web.Request) -> None:
        json_api.require_bearer(request, self.ctx.secrets.status_token, "status page")

    def publish(self) -> None:
        self.metrics.gauge("status_incidents_active", len(self.incidents.active()))

    async def create(self, request: web.Request) -> web.Response:
        self.require(request)
        try:
            incident = self.incidents.open(await json_api.read_object(request), self.clock())
        except InvalidIncident as error:
            raise json_api.error(400, str(error)) from None
        self.metrics.inc("status_incidents_total")
        self.publish()
        return web.json_response(incident.view(), status=201)

    async def update(self, request: web.Request) -> web.Response:
        self.require(request)
        try:
            incident = self.incidents.update(
                request.match_info["id"], await json_api.read_object(request), self.clock()
            )
        except InvalidIncident as error:
            raise json_api.error(400, str(error)) from None
        if incident is None:
            raise json_api.error(404, f"no incident {request.match_info['id']!r}")
        self.publish()
        return web.json_response(incident.view())

    async def listing(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "active": [i.view() for i in self.incidents.active()],
                "recent": [i.view() for i in self.incidents.recent(self.clock())],
            }
        )

    async def one(self, request: web.Request) -> web.Response:
        incident = self.incidents.get(request.match_info["id"])
        if incident is None:
            raise json_api.error(404, f"no incident {request.match_info['id']!r}")
        return web.json_response(incident.view())

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(text=render_page(self.incidents.active()), content_type="text/html")

    async def health(self) -> dict[str, Any]:
        return {"active_incidents": len(self.incidents.active())}


def make_app(ctx: ComponentContext, *, clock: Callable[[], float] = time.time) -> web.Application:
    store = faults.MemoryFaultStore()
    metrics = Metrics(ctx.name)
    api = StatusPageApi(ctx, metrics, clock)
    app = web.Application()
    faults.install(app, ctx, store, metrics, health=api.health)
    app.add_routes(api.routes())
    return app


async def run(ctx: ComponentContext) -> None:
    await run_app(make_app(ctx), ctx)
