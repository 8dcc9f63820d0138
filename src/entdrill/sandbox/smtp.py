"""The sandbox's mail server: aiosmtpd for the school's domain, and its HTTP admin app.

SMTP on ``config.smtp_port``: ``RCPT TO`` an address of the population or a service address
(``drill@``, ``continuite@``, ``noreply@``, ``postmaster@`` the school domain) is accepted, any
other gets ``550 5.1.1``. STARTTLS is offered with the sandbox's self-signed certificate
(``<sandbox>/tls/cert.pem``); AUTH PLAIN and LOGIN are offered once TLS is on and check
``smtp_user``/``smtp_password`` (``535 5.7.8`` when wrong). Authentication is optional for
clients on loopback (the only place the server listens) and required from anywhere else.
Mail is kept in one Maildir per recipient (:mod:`mailstore`).

The component's fault settings apply to SMTP too: ``latency_ms`` delays every reply, ``hang``
holds them, ``error_ratio`` answers ``451 4.3.0`` at the end of DATA.

HTTP admin app on ``config.smtp_admin_port`` (``Authorization: Bearer <admin_token>``)::

    GET    /messages?to=<address>   -> {"messages": [MailMessage as JSON, oldest first]}
    POST   /_admin/smtp/force       {"stage": "MAIL"|"RCPT"|"DATA", "code": 421|450|451|550|554,
                                     "count": N, "recipient": optional address}
    GET    /_admin/smtp/force       -> {"pending": [...]}
    DELETE /_admin/smtp/force
    plus /_health, /_admin/faults, /metrics (see :mod:`faults`).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from email.utils import formatdate
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from entdrill.errors import InvalidArgument
from entdrill.mailstore import (
    SERVICE_LOCAL_PARTS,
    deliver,
    normalize_address,
    read_mailbox,
)
from entdrill.population import read_csv
from entdrill.sandbox import faults
from entdrill.sandbox.certificate import ensure_certificate, server_context
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.faults import FaultStore, MemoryFaultStore
from entdrill.sandbox.http import wait_for_stop_signal
from entdrill.sandbox.metrics import Metrics
from entdrill.sandbox.smtp_force import ForcedReplies, parse_smtp_force

log = logging.getLogger(__name__)


def mail_host(ctx: ComponentContext) -> str:
    return f"mx.{ctx.config.school_domain}"


def known_addresses(ctx: ComponentContext) -> set[str]:
    """Every address the server accepts mail for."""
    domain = ctx.config.school_domain.lower()
    people = {p.email.lower() for p in read_csv(ctx.population_csv) if p.email}
    return people | {f"{local}@{domain}" for local in SERVICE_LOCAL_PARTS}


class MailHandler:
    """aiosmtpd hooks: who may send, who may receive, where mail goes, what is forced."""

    def __init__(
        self,
        ctx: ComponentContext,
        addresses: set[str],
        forced: ForcedReplies,
        store: FaultStore,
        metrics: Metrics,
    ) -> None:
        self.ctx = ctx
        self.addresses = addresses
        self.forced = forced
        self.store = store
        self.metrics = metrics
        self.rng = random.Random()  # fault sampling, not security
        self.delivered = 0

    async def apply_faults(self) -> None:
        settings = self.store.get()
        while settings.hang:
            await asyncio.sleep(0.1)
            settings = self.store.get()
        if settings.latency_ms > 0:
            await asyncio.sleep(settings.latency_ms / 1000.0)

    def forced_reply(self, server: SMTP, stage: str, recipients: list[str]) -> str | None:
        reply = self.forced.take(stage, recipients)
        if reply is None:
            return None
        self.metrics.inc("smtp_forced_total", stage=stage, code=reply[:3])
        if reply.startswith("421") and server.transport is not None:
            asyncio.get_running_loop().call_soon(server.transport.close)
        return reply

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        await self.apply_faults()
        forced = self.forced_reply(server, "MAIL", [])
        if forced:
            return forced
        if not session.authenticated and not _loopback(session.peer):
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        await self.apply_faults()
        forced = self.forced_reply(server, "RCPT", [address])
        if forced:
            return forced
        try:
            plain = normalize_address(address)
        except InvalidArgument:
            plain = ""
        if plain not in self.addresses:
            self.metrics.inc("smtp_recipients_total", result="unknown")
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such user here"
        envelope.rcpt_tos.append(plain)
        envelope.rcpt_options.extend(rcpt_options)
        self.metrics.inc("smtp_recipients_total", result="accepted")
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await self.apply_faults()
        forced = self.forced_reply(server, "DATA", list(envelope.rcpt_tos))
        if forced:
            return forced
        if self.store.get().error_ratio > self.rng.random():
            return "451 4.3.0 Injected fault: error_ratio, try again later"
        content = envelope.original_content or b""
        keys = []
        for recipient in envelope.rcpt_tos:
            trace = self.trace_headers(session, envelope, recipient)
            keys.append(
                await asyncio.to_thread(deliver, self.ctx.mail_dir, recipient, trace + content)
            )
            self.delivered += 1
            self.metrics.inc("smtp_delivered_total")
        return f"250 2.0.0 OK: queued as {keys[0] if keys else '-'}"

    def trace_headers(self, session: Session, envelope: Envelope, recipient: str) -> bytes:
        protocol = "ESMTP" + ("S" if session.ssl else "") + ("A" if session.authenticated else "")
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        lines = [
            f"Return-Path: <{envelope.mail_from or ''}>",
            f"Delivered-To: {recipient}",
            f"Received: from {session.host_name or 'unknown'} ([{peer}])",
            f"\tby {mail_host(self.ctx)} (entdrill sandbox) with {protocol}",
            f"\tfor <{recipient}>; {formatdate(localtime=True)}",
        ]
        return ("\r\n".join(lines) + "\r\n").encode()

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        secrets = self.ctx.secrets
        ok = (
            isinstance(data, LoginPassword)
            and hmac.compare_digest(data.login, secrets.smtp_user.encode())
            and hmac.compare_digest(data.password, secrets.smtp_password.encode())
        )
        self.metrics.inc("smtp_auth_total", result="ok" if ok else "refused")
        return AuthResult(success=ok, handled=False)


def _loopback(peer: Any) -> bool:
    host = peer[0] if isinstance(peer, tuple) else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _DropDeprecatedLoginData(logging.Filter):
    """aiosmtpd 1.4 warns on its own use of ``Session.login_data`` at every login."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


def quiet_aiosmtpd() -> None:
    """Keep aiosmtpd's warnings and errors, not its line per command or its own deprecation."""
    logger = logging.getLogger("mail.log")
    logger.setLevel(logging.WARNING)
    if not any(isinstance(f, _DropDeprecatedLoginData) for f in logger.filters):
        logger.addFilter(_DropDeprecatedLoginData())


class SmtpComponent:
    """The SMTP server's lifetime (served while the admin app runs) and the admin app's
    handlers: the mailboxes, forced replies, health."""

    def __init__(self, ctx: ComponentContext, handler: MailHandler, forced: ForcedReplies) -> None:
        self.ctx = ctx
        self.handler = handler
        self.forced = forced
        self.listening: list[asyncio.Server] = []

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/messages", self.get_messages),
            web.post("/_admin/smtp/force", self.post_force),
            web.get("/_admin/smtp/force", self.get_force),
            web.delete("/_admin/smtp/force", self.delete_force),
        ]

    async def smtp_server(self, app: web.Application) -> AsyncIterator[None]:
        """Serve SMTP (STARTTLS with the sandbox's certificate) while the admin app runs."""
        ctx, handler = self.ctx, self.handler
        quiet_aiosmtpd()
        cert, key = await asyncio.to_thread(ensure_certificate, ctx.directory, mail_host(ctx))
        tls = server_context(cert, key)
        factory: Callable[[], SMTP] = lambda: SMTP(  # noqa: E731
            handler,
            hostname=mail_host(ctx),
            ident="entdrill sandbox ESMTP",
            tls_context=tls,
            require_starttls=False,
            auth_required=False,
            auth_require_tls=True,
            authenticator=handler.authenticate,
        )
        server = await asyncio.get_running_loop().create_server(
            factory, ctx.host, ctx.config.smtp_port
        )
        self.listening.append(server)
        log.info("%s SMTP listening on %s:%s", ctx.name, ctx.host, ctx.config.smtp_port)
        try:
            yield
        finally:
            server.close()
            await server.wait_closed()
            self.listening.clear()

    def require_admin(self, request: web.Request) -> None:
        if not faults.admin_authorized(request, self.ctx.secrets.admin_token):
            raise web.HTTPUnauthorized(
                text='{"error": "admin token missing or wrong"}', content_type="application/json"
            )

    async def get_messages(self, request: web.Request) -> web.Response:
        self.require_admin(request)
        try:
            address = normalize_address(request.query.get("to", ""))
        except InvalidArgument as error:
            return web.json_response({"error": str(error)}, status=400)
        messages = await asyncio.to_thread(read_mailbox, self.ctx.mail_dir, address)
        return web.json_response({"messages": [m.to_dict() for m in messages]})

    async def post_force(self, request: web.Request) -> web.Response:
        self.require_admin(request)
        try:
            force = parse_smtp_force(await request.json())
        except (ValueError, json.JSONDecodeError) as error:
            return web.json_response({"error": str(error)}, status=400)
        self.forced.add(force)
        return web.json_response({"pending": self.forced.pending()})

    async def get_force(self, request: web.Request) -> web.Response:
        self.require_admin(request)
        return web.json_response({"pending": self.forced.pending()})

    async def delete_force(self, request: web.Request) -> web.Response:
        self.require_admin(request)
        self.forced.clear()
        return web.json_response({"pending": []})

    async def health(self) -> dict[str, Any]:
        return {
            "smtp_port": self.ctx.config.smtp_port,
            "smtp_listening": bool(self.listening),
            "delivered": self.handler.delivered,
        }


def make_app(ctx: ComponentContext) -> web.Application:
    """The admin app; serving it also serves SMTP on ``ctx.config.smtp_port``."""
    store = MemoryFaultStore()
    metrics = Metrics(ctx.name)
    forced = ForcedReplies()
    handler = MailHandler(ctx, known_addresses(ctx), forced, store, metrics)
    component = SmtpComponent(ctx, handler, forced)
    app = web.Application()
    app.cleanup_ctx.append(component.smtp_server)
    app.add_routes(component.routes())
    faults.install(app, ctx, store, metrics, health=component.health)
    return app


async def run(ctx: ComponentContext) -> None:
    """Serve SMTP and the admin app until SIGTERM."""
    runner = web.AppRunner(make_app(ctx), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, ctx.host, ctx.config.smtp_admin_port)
    await site.start()
    log.info("%s admin listening on %s:%s", ctx.name, ctx.host, ctx.config.smtp_admin_port)
    started = time.monotonic()
    try:
        await wait_for_stop_signal()
    finally:
        log.info("%s stopping after %.0f s", ctx.name, time.monotonic() - started)
        await runner.cleanup()
