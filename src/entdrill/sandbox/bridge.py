"""The sandbox video bridge: a BigBlueButton-API-compatible server (``bridge``, ``backup-bridge``).

API under ``/bigbluebutton/api/`` (every call signed, see :mod:`entdrill.bbb_checksum`):
``create``, ``join``, ``isMeetingRunning``, ``getMeetingInfo``, ``getMeetings``, ``end``; plain
``GET /bigbluebutton/api`` answers the version. ``join`` redirects (302) to the client page
``/html5client/join?sessionToken=...`` unless ``redirect=false``, which answers XML with the
``session_token`` and ``url``. Refreshing the client page keeps the participant in the meeting;
one not refreshed for ``userdata-entdrill_ttl_s`` seconds (default 60) has left.
``POST /html5client/leave?sessionToken=...`` leaves at once. A failed call answers XML
``FAILED`` (HTTP 200, as BigBlueButton does), also for a join asked to redirect.

Capacity: participants across all meetings are bounded by the component's capacity (the
``capacity`` fault overrides it). Joins slow down as the bridge fills and fail past it with
``maxParticipantsReached``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from entdrill import bbb_checksum
from entdrill.sandbox import bridge_xml, faults
from entdrill.sandbox.bridge_meetings import (
    PARTICIPANT_TTL_S,
    ApiFailure,
    Meetings,
    check_meeting_id,
    join_delay_s,
    resolve_role,
)
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.http import run_app
from entdrill.sandbox.metrics import Metrics

API_PREFIX = "/bigbluebutton/api"
CLIENT_JOIN_PATH = "/html5client/join"
CLIENT_LEAVE_PATH = "/html5client/leave"
TTL_PARAM = "userdata-entdrill_ttl_s"
XML = "text/xml"
_META_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


class Bridge:
    """The bridge's state and configuration, shared by its handlers."""

    def __init__(
        self,
        ctx: ComponentContext,
        store: faults.FaultStore,
        metrics: Metrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ctx = ctx
        self.store = store
        self.metrics = metrics
        self.clock = clock
        self.meetings = Meetings()

    @property
    def capacity(self) -> int:
        override = self.store.get().capacity
        return self.ctx.bridge_capacity if override is None else override

    def verify(self, call: str, request: web.Request) -> None:
        raw = request.rel_url.raw_query_string
        if not bbb_checksum.verify(call, raw, self.ctx.bridge_secret):
            raise ApiFailure("checksumError", "Checksums do not match")

    def publish(self) -> None:
        self.meetings.sweep(self.clock())
        self.metrics.gauge("bridge_meetings", len(self.meetings))
        self.metrics.gauge("bridge_participants", self.meetings.participant_count)
        self.metrics.gauge("bridge_capacity", self.capacity)
        self.metrics.gauge("bridge_participants_expired", self.meetings.expired_participants)

    async def health(self) -> dict[str, Any]:
        self.publish()
        return {
            "meetings": len(self.meetings),
            "participants": self.meetings.participant_count,
            "capacity": self.capacity,
        }

    def routes(self) -> list[web.RouteDef]:
        return [
            *(web.get(path, self.api) for path in (API_PREFIX, API_PREFIX + "/")),
            web.route("GET", API_PREFIX + "/{call}", self.api),
            web.route("POST", API_PREFIX + "/{call}", self.api),
            web.get(CLIENT_JOIN_PATH, self.client_join),
            web.post(CLIENT_LEAVE_PATH, self.client_leave),
        ]

    async def api(self, request: web.Request) -> web.StreamResponse:
        """One BigBlueButton API call: checksum verified, answered in XML (FAILED on failure)."""
        call = request.match_info.get("call", "")
        if not call:
            return web.Response(text=bridge_xml.version(), content_type=XML)
        handler = CALLS.get(call)
        if handler is None:
            return web.Response(
                text=bridge_xml.failure("unsupportedRequest", f"{call} is not a supported call"),
                content_type=XML,
                status=404,
            )
        self.metrics.inc("bridge_api_calls_total", call=call)
        try:
            self.verify(call, request)
            result = await handler(request, self)
        except ApiFailure as failure:
            if call == "join":
                self.metrics.inc("bridge_joins_total", outcome=failure.key)
            return web.Response(
                text=bridge_xml.failure(failure.key, failure.message), content_type=XML
            )
        if isinstance(result, str):
            return web.Response(text=result, content_type=XML)
        return result

    async def client_join(self, request: web.Request) -> web.Response:
        """The client page of a participant; loading it again keeps them in the meeting."""
        token = request.query.get("sessionToken", "")
        participant = self.meetings.touch(token, self.clock())
        meeting = self.meetings.get(participant.meeting_id) if participant else None
        if participant is None or meeting is None:
            return web.Response(
                text=bridge_xml.message_page(
                    "Session ended", "This session is not, or no longer, in a meeting."
                ),
                content_type="text/html",
                status=404,
            )
        leave = f"{CLIENT_LEAVE_PATH}?{urlencode({'sessionToken': token})}"
        return web.Response(
            text=bridge_xml.client_page(participant, meeting, leave), content_type="text/html"
        )

    async def client_leave(self, request: web.Request) -> web.Response:
        token = request.query.get("sessionToken", "")
        left = self.meetings.leave(token, self.clock())
        self.publish()
        title, status = ("You left the meeting", 200) if left else ("Session ended", 404)
        return web.Response(
            text=bridge_xml.message_page(title, "You can close this page."),
            content_type="text/html",
            status=status,
        )

    async def publisher(self, app: web.Application) -> AsyncIterator[None]:
        """Publish the bridge's gauges every second while the app runs."""

        async def loop() -> None:
            while True:
                self.publish()
                await asyncio.sleep(1.0)

        task = asyncio.create_task(loop())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def make_app(ctx: ComponentContext) -> web.Application:
    """The bridge application of component ``ctx.name`` (``bridge`` or ``backup-bridge``)."""
    store = faults.MemoryFaultStore()
    metrics = Metrics(ctx.name)
    bridge = Bridge(ctx, store, metrics)
    app = web.Application()
    faults.install(app, ctx, store, metrics, health=bridge.health)
    app.cleanup_ctx.append(bridge.publisher)
    app.add_routes(bridge.routes())
    return app


async def run(ctx: ComponentContext) -> None:
    await run_app(make_app(ctx), ctx)


# --- API calls -------------------------------------------------------------------------------


async def create(request: web.Request, bridge: Bridge) -> str:
    query = request.query
    meeting_id = check_meeting_id(query.get("meetingID", ""))
    metadata = {
        key[len("meta_") :]: value
        for key, value in query.items()
        if key.startswith("meta_") and _META_NAME.match(key[len("meta_") :])
    }
    meeting, new = bridge.meetings.create(
        meeting_id,
        query.get("name", "").strip(),
        bridge.clock(),
        attendee_pw=query.get("attendeePW", ""),
        moderator_pw=query.get("moderatorPW", ""),
        max_participants=_number(query.get("maxParticipants", "0"), "maxParticipants"),
        metadata=metadata,
    )
    bridge.publish()
    return bridge_xml.created(meeting, duplicate=not new)


async def join(request: web.Request, bridge: Bridge) -> web.StreamResponse | str:
    query = request.query
    full_name = query.get("fullName", "").strip()
    if not full_name:
        raise ApiFailure(
            "missingParamFullName", "You must specify a name for the attendee who will be joining."
        )
    meeting = bridge.meetings.require(check_meeting_id(query.get("meetingID", "")))
    role = resolve_role(meeting, query.get("role", ""), query.get("password", ""))
    ttl_s = _seconds(query.get(TTL_PARAM, ""), PARTICIPANT_TTL_S)
    await asyncio.sleep(join_delay_s(bridge.meetings.participant_count, bridge.capacity))
    participant = bridge.meetings.admit(
        meeting,
        full_name,
        role,
        bridge.clock(),
        capacity=bridge.capacity,
        ttl_s=ttl_s,
        user_id=query.get("userID", "").strip(),
    )
    bridge.metrics.inc("bridge_joins_total", outcome="joined")
    bridge.publish()
    client = f"{CLIENT_JOIN_PATH}?{urlencode({'sessionToken': participant.session_token})}"
    if query.get("redirect", "true").lower() != "false":
        return web.Response(status=302, headers={"Location": client})
    url = f"{request.scheme}://{request.host}{client}"
    return bridge_xml.joined(participant, meeting, url)


async def is_meeting_running(request: web.Request, bridge: Bridge) -> str:
    meeting_id = check_meeting_id(request.query.get("meetingID", ""))
    bridge.meetings.sweep(bridge.clock())
    meeting = bridge.meetings.get(meeting_id)
    return bridge_xml.running(meeting is not None and meeting.running)


async def get_meeting_info(request: web.Request, bridge: Bridge) -> str:
    meeting_id = check_meeting_id(request.query.get("meetingID", ""))
    bridge.meetings.sweep(bridge.clock())
    return bridge_xml.meeting_info(bridge.meetings.require(meeting_id))


async def get_meetings(request: web.Request, bridge: Bridge) -> str:
    bridge.meetings.sweep(bridge.clock())
    return bridge_xml.meetings(bridge.meetings.all())


async def end(request: web.Request, bridge: Bridge) -> str:
    meeting_id = check_meeting_id(request.query.get("meetingID", ""))
    meeting = bridge.meetings.require(meeting_id)
    password = request.query.get("password", "")
    if password and password != meeting.moderator_pw:
        raise ApiFailure("invalidPassword", "You must supply the moderator password for this call.")
    bridge.meetings.end(meeting_id)
    bridge.publish()
    return bridge_xml.ended()


CALLS: dict[str, Callable[[web.Request, Bridge], Awaitable[web.StreamResponse | str]]] = {
    "create": create,
    "join": join,
    "isMeetingRunning": is_meeting_running,
    "getMeetingInfo": get_meeting_info,
    "getMeetings": get_meetings,
    "end": end,
}


def _number(text: str, name: str) -> int:
    if not text.strip():
        return 0
    if not text.strip().isdigit():
        raise ApiFailure("validationError", f"{name} must be a whole number, got {text!r}")
    return int(text)


def _seconds(text: str, default: float) -> float:
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ApiFailure("validationError", f"{TTL_PARAM} must be seconds, got {text!r}") from None
    if not value > 0:
        raise ApiFailure("validationError", f"{TTL_PARAM} must be more than 0, got {text!r}")
    return value
