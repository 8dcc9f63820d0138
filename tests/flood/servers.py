"""Real HTTP servers for flood and guard tests: aiohttp apps served from a thread on a free port.

``LiveServer`` records every request it receives (path and monotonic time), so tests assert on
what the target really saw. ``cas_app`` is a small Apereo-like CAS server with a portal behind
it; ``bbb_app`` a BigBlueButton API that checks checksums.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from entdrill.testing import free_port

CONSENT_PATH = "/.well-known/entdrill-consent"


@dataclass
class Seen:
    method: str
    path: str
    at: float
    cookies: dict[str, str]
    client_port: int = 0  # the client's end of the connection the request came on
    authorization: str = ""  # the Authorization header (a target URL's user and password)


@dataclass
class ServerState:
    """What a test server saw, and the knobs a test turns (consent token, stall)."""

    consent_token: str | None = "consent-token-for-tests"
    seen: list[Seen] = field(default_factory=list)
    stall_until: float = 0.0  # monotonic time before which answers wait
    in_progress: int = 0  # requests being answered now (consent checks aside)
    most_in_progress: int = 0

    def load(self) -> list[Seen]:
        """Requests other than consent checks."""
        return [s for s in self.seen if s.path != CONSENT_PATH]


STATE = web.AppKey("state", ServerState)
LOGINS = web.AppKey("logins", list)
JOINS = web.AppKey("joins", list)


def base_app(state: ServerState, *, root: bool = True) -> web.Application:
    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        state.seen.append(
            Seen(
                request.method,
                request.path,
                time.monotonic(),
                dict(request.cookies),
                peer[1] if peer else 0,
                request.headers.get("Authorization", ""),
            )
        )
        if request.path == CONSENT_PATH:
            return await handler(request)
        state.in_progress += 1
        state.most_in_progress = max(state.most_in_progress, state.in_progress)
        try:
            delay = state.stall_until - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            return await handler(request)
        finally:
            state.in_progress -= 1

    async def consent(request: web.Request) -> web.Response:
        if state.consent_token is None:
            return web.Response(status=404, text="no consent")
        return web.Response(text=state.consent_token + "\n")

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    async def redirect_out(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://ent.example.invalid/")

    app = web.Application(middlewares=[record])
    app[STATE] = state
    app.router.add_get(CONSENT_PATH, consent)
    if root:
        app.router.add_get("/", hello)
    app.router.add_get("/away", redirect_out)
    return app


class LiveServer:
    """Serve an aiohttp app on 127.0.0.1 from a background thread."""

    def __init__(self, app: web.Application, *, keepalive_timeout: float = 75.0) -> None:
        self.app = app
        self.keepalive_timeout = keepalive_timeout  # idle keep-alive connections closed after
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def state(self) -> ServerState:
        return self.app[STATE]

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._runner = web.AppRunner(
            self.app, access_log=None, keepalive_timeout=self.keepalive_timeout
        )
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, backlog=1024)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    def __enter__(self) -> LiveServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("test server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._runner is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


# -- a small Apereo-like CAS server with a portal ---------------------------------------------

LOGIN_FORM = """<!DOCTYPE html><html><body><h1>CAS</h1>{error}
<form id="fm1" method="post" action="login?service={service}">
<input id="username" name="{user_field}" type="text" value="">
<input id="password" name="{password_field}" type="password" value="">
<input type="hidden" name="execution" value="{execution}">
<input type="hidden" name="_eventId" value="submit">
<button name="submit" type="submit" value="LOGIN">Se connecter</button>
</form></body></html>"""


def cas_app(
    state: ServerState,
    people: dict[str, str],
    *,
    user_field: str = "username",
    password_field: str = "password",
    portal_redirect: str = "",
) -> web.Application:
    """CAS under /cas, a portal at / and /homework. Field names are configurable on purpose."""
    app = base_app(state, root=False)
    executions: dict[str, str] = {}  # execution -> flow cookie it belongs to
    tickets: dict[str, tuple[str, str]] = {}  # ST -> (service, user)
    sessions: dict[str, str] = {}
    app[LOGINS] = []

    def form(service: str, flow: str, status: int = 200, error: str = "") -> web.Response:
        execution = secrets.token_hex(8)
        executions[execution] = flow
        body = LOGIN_FORM.format(
            error=error,
            service=urllib.parse.quote(service, safe=""),
            execution=execution,
            user_field=user_field,
            password_field=password_field,
        )
        response = web.Response(status=status, text=body, content_type="text/html")
        response.set_cookie("JSESSIONID", flow, path="/cas")
        return response

    async def login_get(request: web.Request) -> web.Response:
        flow = request.cookies.get("JSESSIONID") or secrets.token_hex(8)
        return form(request.query.get("service", ""), flow)

    async def login_post(request: web.Request) -> web.StreamResponse:
        data = await request.post()
        service = request.query.get("service", "")
        flow = request.cookies.get("JSESSIONID", "")
        if executions.pop(str(data.get("execution", "")), None) != flow or not flow:
            return form(service, flow or secrets.token_hex(8), 401, "<p>flow expired</p>")
        user, password = str(data.get(user_field, "")), str(data.get(password_field, ""))
        if data.get("_eventId") != "submit" or people.get(user) != password:
            return form(service, flow, 401, "<p>Authentication failed</p>")
        ticket = "ST-" + secrets.token_hex(12)
        tickets[ticket] = (service, user)
        app[LOGINS].append(user)
        sep = "&" if "?" in service else "?"
        raise web.HTTPFound(f"{service}{sep}ticket={ticket}")

    async def service_validate(request: web.Request) -> web.Response:
        found = tickets.pop(request.query.get("ticket", ""), None)
        if found is None or found[0] != request.query.get("service"):
            body = "<cas:serviceResponse><cas:authenticationFailure code='INVALID_TICKET'/></cas:serviceResponse>"
        else:
            body = f"<cas:serviceResponse><cas:authenticationSuccess><cas:user>{found[1]}</cas:user></cas:authenticationSuccess></cas:serviceResponse>"
        return web.Response(text=body, content_type="application/xml")

    def service_url(request: web.Request) -> str:
        return f"http://{request.host}/"

    async def portal(request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket")
        if ticket:
            found = tickets.pop(ticket, None)
            if found is None or found[0] != service_url(request):
                return web.Response(status=403, text="invalid ticket")
            session = secrets.token_hex(8)
            sessions[session] = found[1]
            response = web.HTTPFound(portal_redirect or "/")
            response.set_cookie("PORTAL", session)
            raise response
        user = sessions.get(request.cookies.get("PORTAL", ""))
        if user is None:
            service = urllib.parse.quote(service_url(request), safe="")
            raise web.HTTPFound(f"/cas/login?service={service}")
        return web.Response(text=f"<html>Bonjour {user}</html>", content_type="text/html")

    async def homework(request: web.Request) -> web.StreamResponse:
        user = sessions.get(request.cookies.get("PORTAL", ""))
        if user is None:
            raise web.HTTPFound("/cas/login")
        return web.json_response({"user": user, "homework": []})

    app.router.add_get("/cas/login", login_get)
    app.router.add_post("/cas/login", login_post)
    app.router.add_get("/cas/serviceValidate", service_validate)
    app.router.add_get("/", portal)
    app.router.add_get("/homework", homework)
    return app


# -- a BigBlueButton API that checks checksums ------------------------------------------------


def bbb_app(state: ServerState, secret: str) -> web.Application:
    app = base_app(state)
    meetings: set[str] = set()
    app[JOINS] = []

    def answer(code: str, key: str = "", extra: str = "") -> web.Response:
        body = f"<response><returncode>{code}</returncode><messageKey>{key}</messageKey>{extra}</response>"
        return web.Response(text=body, content_type="text/xml")

    def checked(request: web.Request, call: str) -> bool:
        query = request.rel_url.raw_query_string
        plain, _, digest = query.rpartition("&checksum=")
        return hashlib.sha1((call + plain + secret).encode()).hexdigest() == digest  # noqa: S324

    async def create(request: web.Request) -> web.Response:
        if not checked(request, "create"):
            return answer("FAILED", "checksumError")
        meetings.add(request.query["meetingID"])
        return answer("SUCCESS")

    async def join(request: web.Request) -> web.Response:
        if not checked(request, "join"):
            return answer("FAILED", "checksumError")
        if request.query["meetingID"] not in meetings:
            return answer("FAILED", "notFound")
        app[JOINS].append(request.query["fullName"])
        return answer("SUCCESS", extra="<url>http://127.0.0.1/client</url>")

    app.router.add_get("/bigbluebutton/api/create", create)
    app.router.add_get("/bigbluebutton/api/join", join)
    return app
