"""Serving a sandbox component's aiohttp application from a thread, for synchronous clients.

``slack_sdk.WebClient``, ``smtplib`` and ``urllib`` block; the component runs on its own event
loop in a daemon thread, on the port its configuration names, until the ``with`` block ends.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from aiohttp import web


@contextmanager
def serving(make_app: Callable[[], web.Application], port: int) -> Iterator[None]:
    """Serve ``make_app()`` on 127.0.0.1:``port`` while the block runs."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> web.AppRunner:
        runner = web.AppRunner(make_app(), access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    try:
        runner = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
        try:
            yield
        finally:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
