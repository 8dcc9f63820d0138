"""Serving an aiohttp application as a sandbox component until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from entdrill.sandbox.component import ComponentContext

log = logging.getLogger(__name__)


async def wait_for_stop_signal() -> None:
    """Return when the process receives SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


async def run_app(app: web.Application, ctx: ComponentContext, *, reuse_port: bool = False) -> None:
    """Serve ``app`` on the component's port until a stop signal, then clean up."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, ctx.host, ctx.port, reuse_port=reuse_port, backlog=1024)
    await site.start()
    log.info("%s listening on %s:%s", ctx.name, ctx.host, ctx.port)
    try:
        await wait_for_stop_signal()
    finally:
        await runner.cleanup()
