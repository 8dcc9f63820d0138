"""The CAS server: ``/cas/login``, ``/cas/serviceValidate``, ``/cas/p3/serviceValidate``, ``/cas/logout``.

Behaviour follows the CAS 3.0 protocol as Apereo CAS implements it:

- ``GET /cas/login?service=URL``: the login form with a fresh single-use ``execution``; with a
  valid ``TGC`` cookie, a redirect straight to ``URL?ticket=ST-...`` (single sign-on; ``renew=true``
  forces the form, ``gateway=true`` without a TGC redirects to the service without a ticket).
- ``POST /cas/login``: 302 to the service with a ticket and a ``TGC`` cookie (HttpOnly, path
  ``/cas``), or a "Log In Successful" page without a service; wrong credentials: **401** and the
  form again with an error and a new execution; unknown, used or expired execution: 200 and the
  form again with an error; more logins than the replica admits: **503** with ``Retry-After``.
- A service outside the registry is refused with 403 ("Application Not Authorized to Use CAS").
- Validation answers 200 with a ``<cas:serviceResponse>``; failures ``INVALID_REQUEST``,
  ``INVALID_TICKET`` (unknown, used, expired: tickets are single use, consumed atomically across
  replicas), ``INVALID_SERVICE`` (the ticket is consumed too, as the protocol requires).
- ``GET /cas/logout``: destroys the TGT and, single logout for this origin, the portal session;
  redirects to ``service`` when it is registered.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp import web

from entdrill.sandbox.ent import pages, validation
from entdrill.sandbox.ent.admission import Overloaded
from entdrill.sandbox.ent.replica import Replica
from entdrill.sandbox.ent.services import with_ticket

log = logging.getLogger(__name__)

TGC_COOKIE = "TGC"
TGC_PATH = "/cas"
SESSION_COOKIE = "ENTSESSION"  # the portal's; CAS logout ends it too
XML = "application/xml"
TRUE = ("true", "1", "yes")


def html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def redirect(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location, "Cache-Control": "no-store"})


def form_action(service: str) -> str:
    return "/cas/login" + (f"?service={quote(service, safe='')}" if service else "")


class CasServer:
    """The CAS endpoints of one replica."""

    def __init__(self, replica: Replica) -> None:
        self.r = replica

    def form(
        self, service: str, *, status: int = 200, username: str = "", error: str = ""
    ) -> web.Response:
        execution = self.r.state.new_execution()
        body = pages.login_form(form_action(service), execution, username=username, error=error)
        response = html(body, status)
        response.headers["Cache-Control"] = "no-store"
        return response

    def refuse_service(self, service: str) -> web.Response:
        log.info("%s: refused unregistered service %r", self.r.name, service)
        return html(pages.unauthorized_service(service), 403)

    async def login_get(self, request: web.Request) -> web.Response:
        service = request.query.get("service", "")
        if service and not self.r.registry.authorized(service):
            return self.refuse_service(service)
        tgt = request.cookies.get(TGC_COOKIE, "")
        user = self.r.state.user_of_tgt(tgt) if tgt else None
        if user is not None and request.query.get("renew", "").lower() not in TRUE:
            if not service:
                person = self.r.people.get(user)
                return html(pages.logged_in(person.name if person else user))
            ticket = self.r.state.new_ticket(user, service, new_login=False)
            return redirect(with_ticket(service, ticket))
        if service and request.query.get("gateway", "").lower() in TRUE:
            return redirect(service)
        response = self.form(service)
        if tgt and user is None:
            response.del_cookie(TGC_COOKIE, path=TGC_PATH)
        return response

    async def login_post(self, request: web.Request) -> web.Response:
        form = await request.post()
        service = request.query.get("service", "") or str(form.get("service", ""))
        if service and not self.r.registry.authorized(service):
            return self.refuse_service(service)
        username = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        try:
            self.r.pool.check()  # refuse before consuming the execution: the client may retry
        except Overloaded as overloaded:
            return self.overloaded(overloaded)
        if not self.r.state.use_execution(str(form.get("execution", ""))):
            self.r.count_login("invalid_execution")
            return self.form(service, username=username, error=pages.FLOW_EXPIRED)
        if not username or not password:
            self.r.count_login("rejected")
            return self.form(
                service, status=401, username=username, error=pages.INVALID_CREDENTIALS
            )
        try:
            accepted = await self.r.pool.run(self.r.verifier.check, username, password)
        except Overloaded as overloaded:
            return self.overloaded(overloaded)
        if not accepted:
            self.r.count_login("rejected")
            return self.form(
                service, status=401, username=username, error=pages.INVALID_CREDENTIALS
            )
        self.r.count_login("success")
        old_tgt = request.cookies.get(TGC_COOKIE, "")
        if old_tgt:
            self.r.state.destroy_tgt(old_tgt)
        tgt = self.r.state.new_tgt(username)
        if service:
            ticket = self.r.state.new_ticket(username, service, new_login=True)
            response = redirect(with_ticket(service, ticket))
        else:
            response = html(pages.logged_in(self.r.people[username].name))
        response.set_cookie(TGC_COOKIE, tgt, path=TGC_PATH, httponly=True, samesite="Lax")
        return response

    def overloaded(self, error: Overloaded) -> web.Response:
        self.r.count_login("overloaded")
        response = html(pages.overloaded(error.retry_after_s), 503)
        response.headers["Retry-After"] = str(error.retry_after_s)
        return response

    async def service_validate(self, request: web.Request) -> web.Response:
        """CAS 2.0 validation: the user, no attributes."""
        return self.validate(request, with_attributes=False)

    async def p3_service_validate(self, request: web.Request) -> web.Response:
        """CAS 3.0 validation: the user and the released attributes."""
        return self.validate(request, with_attributes=True)

    def validate(self, request: web.Request, *, with_attributes: bool) -> web.Response:
        ticket = request.query.get("ticket", "")
        service = request.query.get("service", "")
        if not ticket or not service:
            return self.failure(
                validation.INVALID_REQUEST, "'service' and 'ticket' parameters are both required"
            )
        record = self.r.state.take_ticket(ticket)
        if record is None:
            return self.failure(validation.INVALID_TICKET, f"Ticket '{ticket}' not recognized")
        if record.service != service:
            return self.failure(
                validation.INVALID_SERVICE,
                f"Ticket '{ticket}' does not match supplied service. The original service was "
                f"'{record.service}' and the supplied service was '{service}'.",
            )
        attributes = None
        if with_attributes:
            person = self.r.people.get(record.user)
            attributes = (
                {
                    "role": person.role,
                    "school": person.school,
                    "email": person.email,
                    "name": person.name,
                }
                if person
                else {}
            )
        self.r.count_validation("success")
        body = validation.success_xml(
            record.user, attributes, issued_at=record.issued_at, new_login=record.new_login
        )
        return web.Response(text=body, content_type=XML, charset="utf-8")

    def failure(self, code: str, message: str) -> web.Response:
        self.r.count_validation(code)
        body = validation.failure_xml(code, message)
        return web.Response(text=body, content_type=XML, charset="utf-8")

    async def logout(self, request: web.Request) -> web.Response:
        self.r.state.destroy_tgt(request.cookies.get(TGC_COOKIE, ""))
        self.r.state.destroy_session(request.cookies.get(SESSION_COOKIE, ""))
        service = request.query.get("service", "") or request.query.get("url", "")
        if service and self.r.registry.authorized(service):
            response = redirect(service)
        else:
            response = html(pages.logged_out())
        response.del_cookie(TGC_COOKIE, path=TGC_PATH)
        response.del_cookie(SESSION_COOKIE, path="/")
        return response


def add_routes(app: web.Application, replica: Replica) -> None:
    cas = CasServer(replica)
    app.router.add_get("/cas/login", cas.login_get)
    app.router.add_post("/cas/login", cas.login_post)
    app.router.add_get("/cas/serviceValidate", cas.service_validate)
    app.router.add_get("/cas/p3/serviceValidate", cas.p3_service_validate)
    app.router.add_get("/cas/logout", cas.logout)
