"""A replica's finite login capacity: a bounded pool of hashing threads and a bounded queue.

Each replica checks passwords on ``ent_workers`` threads; at most ``ent_queue`` more logins may
wait for a thread. A login beyond ``workers + queue`` is refused at once (the caller answers 503
with ``Retry-After``), so an overloaded ENT shows rising latency first, then refusals, as a real
one does. The fault setting ``capacity``, when set, replaces ``workers + queue`` as the number of
logins a replica admits at once (``0`` refuses every login).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class Overloaded(Exception):
    """The login was not admitted; ``retry_after_s`` estimates when to try again."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"login capacity exhausted; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class LoginPool:
    """Admission control in front of a thread pool. Used from the event loop thread only."""

    def __init__(
        self,
        workers: int,
        queue: int,
        cost_ms: float,
        *,
        capacity_override: Callable[[], int | None] = lambda: None,
        on_change: Callable[[LoginPool], None] = lambda pool: None,
    ) -> None:
        self.workers = workers
        self.queue = queue
        self.cost_ms = cost_ms
        self.capacity_override = capacity_override
        self.on_change = on_change
        self.admitted = 0  # running + waiting
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="login")

    @property
    def limit(self) -> int:
        """How many logins are admitted at once now (the ``capacity`` fault overrides)."""
        override = self.capacity_override()
        return self.workers + self.queue if override is None else override

    @property
    def running(self) -> int:
        return min(self.admitted, self.workers)

    @property
    def waiting(self) -> int:
        return max(0, self.admitted - self.workers)

    def retry_after_s(self) -> int:
        """Seconds until the work admitted now should be done (at least 1)."""
        backlog_s = self.admitted * self.cost_ms / 1000 / self.workers
        return max(1, math.ceil(backlog_s))

    def check(self) -> None:
        """Raise :class:`Overloaded` when a login arriving now would not be admitted."""
        if self.admitted >= self.limit:
            raise Overloaded(self.retry_after_s())

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """Run ``function(*args)`` on a pool thread, or raise :class:`Overloaded` at once."""
        self.check()
        self.admitted += 1
        self.on_change(self)
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, function, *args)
        finally:
            self.admitted -= 1
            self.on_change(self)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
