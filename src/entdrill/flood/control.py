"""What bounds and ends one process's run of the engine: its options, the stop flag that signals
set, the outcome, and the process settings the run needs (open files, the garbage collector)."""

from __future__ import annotations

import contextlib
import gc
import resource
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import FrameType


@dataclass
class EngineOptions:
    max_in_flight: int = 10_000
    timeout_s: float = 10.0
    drain_s: float = 10.0  # after the last arrival, wait this long for journeys in flight
    consent_token: str = ""
    consent_origins: tuple[str, ...] = ()
    start_delay_s: float = 0.05


@dataclass
class Outcome:
    """How the run ended."""

    stopped_by: str = ""
    started_at: float = 0.0  # epoch seconds of offset 0
    ended_at: float = 0.0
    in_flight_at_end: int = 0
    notes: list[str] = field(default_factory=list)


class StopFlag:
    """Set by SIGTERM/SIGINT (the kill switch, Ctrl-C) or by a caller."""

    def __init__(self) -> None:
        self.reason = ""

    def set(self, reason: str) -> None:
        if not self.reason:
            self.reason = reason

    def install(self) -> None:
        def handler(signum: int, frame: FrameType | None) -> None:
            self.set("kill switch" if signum == signal.SIGTERM else "interrupted")

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def raise_fd_limit() -> int:
    """Raise the soft limit on open files to the hard one; return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
    return soft


@contextlib.contextmanager
def collector_held() -> Iterator[None]:
    """Hold the cyclic garbage collector off while the engine runs.

    Python collects after every 700 new container objects (a storm makes that many in a few
    milliseconds) and, every so often, walks every object of the process: its imported modules
    and the population included (about 8 % of a login's CPU, measured). Here what exists before
    the run is frozen out of the collector's reach and the young generations are collected at
    the engine's per-second books instead; a journey leaves no cycles behind, but anything that
    does is still freed within a second.
    """
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()
