"""The ENT portal: home, homework log, messages, behind CAS like a real CAS client.

Every page follows the same rule. With ``?ticket=ST-...`` the portal validates the ticket
**server to server over HTTP** (``GET <ent_url>/cas/p3/serviceValidate``, which may land on any
replica), opens a session (cookie ``ENTSESSION``, HttpOnly, path ``/``) and redirects to the page's
clean URL; a rejected ticket answers 403 naming the CAS failure code. With a live session it
answers the page. Otherwise it redirects (302) to ``/cas/login?service=<the page's URL>``.

``/homework`` and ``/messages`` answer JSON with ``Accept: application/json`` or ``?format=json``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from entdrill.population import Person
from entdrill.sandbox.ent import pages, school, validation
from entdrill.sandbox.ent.cas import SESSION_COOKIE, html, redirect
from entdrill.sandbox.ent.replica import Replica
from entdrill.sandbox.ent.services import login_url, without_ticket
from entdrill.sandbox.ent.sessions import PortalSession

log = logging.getLogger(__name__)

VALIDATION_TIMEOUT_S = 10.0

Page = Callable[[web.Request, PortalSession], Awaitable[web.Response]]


def wants_json(request: web.Request) -> bool:
    return request.query.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )


class Portal:
    """The portal pages of one replica."""

    def __init__(self, replica: Replica) -> None:
        self.r = replica

    async def validate(self, service: str, ticket: str) -> validation.Validation:
        """Ask the CAS (over HTTP, on the ENT's port) who ``ticket`` is for."""
        if self.r.client is None:
            raise RuntimeError("the portal's HTTP client is opened at application start-up")
        url = f"{self.r.ctx.config.ent_url}/cas/p3/serviceValidate"
        timeout = aiohttp.ClientTimeout(total=VALIDATION_TIMEOUT_S)
        try:
            async with self.r.client.get(
                url, params={"service": service, "ticket": ticket}, timeout=timeout
            ) as response:
                text = await response.text()
                if response.status != 200:
                    return validation.Validation(
                        code=f"HTTP_{response.status}", message=text[:200].strip()
                    )
        except (TimeoutError, aiohttp.ClientError) as error:
            return validation.Validation(
                code="CAS_UNREACHABLE", message=f"{type(error).__name__}: {error}"
            )
        return validation.parse(text)

    async def open_session(self, request: web.Request) -> web.Response:
        service = self.r.registry.portal_page(request.path_qs)
        result = await self.validate(service, request.query["ticket"])
        if not result.ok:
            log.info("%s: ticket refused: %s %s", self.r.name, result.code, result.message)
            status = (
                502
                if result.code in ("CAS_UNREACHABLE",) or result.code.startswith("HTTP_")
                else 403
            )
            detail = f"{result.code}: {result.message}"
            retry = login_url(self.r.ctx.config.ent_url, service)
            return html(
                pages.portal_error("Authentification refusée", detail, retry_url=retry), status
            )
        person = self.r.people.get(result.user)
        attributes = result.attributes
        session = PortalSession(
            user=result.user,
            name=attributes.get("name") or (person.name if person else result.user),
            role=attributes.get("role") or (person.role if person else ""),
            school=attributes.get("school") or (person.school if person else ""),
            email=attributes.get("email") or (person.email if person else ""),
        )
        session_id = self.r.state.new_session(session)
        response = redirect(without_ticket(str(request.rel_url)))
        response.set_cookie(SESSION_COOKIE, session_id, path="/", httponly=True, samesite="Lax")
        return response

    def guarded(self, name: str, page: Page) -> Callable[[web.Request], Awaitable[web.Response]]:
        """``page`` behind the portal's rule: ticket → session, session → page, else → CAS."""

        async def handler(request: web.Request) -> web.Response:
            if "ticket" in request.query:
                return await self.open_session(request)
            session = self.r.state.session(request.cookies.get(SESSION_COOKIE, ""))
            if session is None:
                service = self.r.registry.portal_page(request.path_qs)
                response = redirect(login_url(self.r.ctx.config.ent_url, service))
                if SESSION_COOKIE in request.cookies:
                    response.del_cookie(SESSION_COOKIE, path="/")
                return response
            self.r.count_page(name)
            return await page(request, session)

        return handler

    def person_of(self, session: PortalSession) -> Person:
        person = self.r.people.get(session.user)
        if person is not None:
            return person
        return Person(
            username=session.user,
            password="",
            role=session.role,
            school=session.school,
            email=session.email,
            name=session.name,
        )

    async def home(self, request: web.Request, session: PortalSession) -> web.Response:
        today = dt.date.today()
        messages = school.messages_for(
            self.person_of(session), self.r.school_staff.get(session.school, []), today
        )
        homework = school.homework_log(
            session.school, self.r.teachers.get(session.school, []), today
        )
        return html(pages.portal_home(session, messages, len(homework)))

    async def homework(self, request: web.Request, session: PortalSession) -> web.Response:
        entries = school.homework_log(
            session.school, self.r.teachers.get(session.school, []), dt.date.today()
        )
        if wants_json(request):
            return web.json_response(
                {**self.identity(session), "homework": [dataclasses.asdict(e) for e in entries]}
            )
        return html(pages.portal_homework(session, entries))

    async def messages(self, request: web.Request, session: PortalSession) -> web.Response:
        messages = school.messages_for(
            self.person_of(session), self.r.school_staff.get(session.school, []), dt.date.today()
        )
        if wants_json(request):
            return web.json_response(
                {**self.identity(session), "messages": [dataclasses.asdict(m) for m in messages]}
            )
        return html(pages.portal_messages(session, messages))

    @staticmethod
    def identity(session: PortalSession) -> dict[str, str]:
        return {
            "user": session.user,
            "name": session.name,
            "role": session.role,
            "school": session.school,
        }


def add_routes(app: web.Application, replica: Replica) -> None:
    portal = Portal(replica)
    app.router.add_get("/", portal.guarded("home", portal.home))
    app.router.add_get("/homework", portal.guarded("homework", portal.homework))
    app.router.add_get("/messages", portal.guarded("messages", portal.messages))
