"""Running a server binary (Prometheus, Alertmanager) as the child of a component process.

The component process (``entdrill.sandbox.serve NAME``) stays the one the supervisor knows and
signals; the binary runs as its child, dies with it (``PR_SET_PDEATHSIG``: even when the
component is killed with SIGKILL), and is stopped with SIGTERM when the component is.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

from entdrill.errors import SandboxError

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
STOP_TIMEOUT_S = 10.0


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


async def run_child(argv: list[str], cwd: Path, stop: Callable[[], Awaitable[None]]) -> None:
    """Run ``argv`` until it exits or ``stop()`` returns; then stop it (SIGTERM, then SIGKILL).

    Its output goes to this process's (the component's log). Raises SandboxError when the
    binary exits by itself: the component then ends, and the supervisor says why.
    """
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, stdin=asyncio.subprocess.DEVNULL, preexec_fn=_die_with_parent
    )
    log.info("started %s as pid %d", Path(argv[0]).name, process.pid)
    exited = asyncio.ensure_future(process.wait())
    stopped = asyncio.ensure_future(stop())
    await asyncio.wait({exited, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if exited.done():
        stopped.cancel()
        raise SandboxError(f"{Path(argv[0]).name} exited with code {exited.result()}")
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(exited, STOP_TIMEOUT_S)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await exited
