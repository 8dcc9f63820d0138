"""A stand-in for the sandbox's SMS gateway: just the two endpoints the simulated staff use.

The real gateway is built elsewhere (``entdrill.sandbox.sms``); this keeps the staff's tests
independent of it, implementing the agreed contract::

    GET  /v1/outbox?to=<phone>&since=<seq>   (Bearer admin_token)
         -> {"messages": [{"seq", "id", "to", "text", "from", "status", "created_at"}]}
    POST /v1/inbound  {"from", "text", "in_reply_to"}   (Bearer admin_token) -> 201
"""

from __future__ import annotations

import threading
import time
from typing import Any

from aiohttp import web


class StandInSms:
    def __init__(self, admin_token: str) -> None:
        self.admin_token = admin_token
        self.outbox: list[dict[str, Any]] = []
        self.inbound: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def send(self, to: str, text: str) -> dict[str, Any]:
        """Queue an outbound SMS, as the gateway does when a drill sends one."""
        with self._lock:
            seq = len(self.outbox) + 1
            sms = {
                "seq": seq,
                "id": f"sms-{seq}",
                "to": to,
                "text": text,
                "from": "ENTDRILL",
                "status": "delivered",
                "created_at": time.time(),
            }
            self.outbox.append(sms)
            return sms

    def replies(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.inbound)

    def app(self) -> web.Application:
        def check(request: web.Request) -> None:
            if request.headers.get("Authorization") != f"Bearer {self.admin_token}":
                raise web.HTTPUnauthorized()

        async def outbox(request: web.Request) -> web.Response:
            check(request)
            to, since = request.query["to"], int(request.query.get("since", "0"))
            with self._lock:
                found = [m for m in self.outbox if m["to"] == to and m["seq"] > since]
            return web.json_response({"messages": found})

        async def inbound(request: web.Request) -> web.Response:
            check(request)
            body = await request.json()
            with self._lock:
                self.inbound.append({**body, "received_at": time.time()})
            return web.json_response({"ok": True}, status=201)

        app = web.Application()
        app.router.add_get("/v1/outbox", outbox)
        app.router.add_post("/v1/inbound", inbound)
        return app
