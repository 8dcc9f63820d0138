"""The consent checks of a running flood, made on the flood's own libcurl multi handle.

Every ``consent.CHECK_INTERVAL_S`` the engine asks each target origin for its consent token again,
on a fresh connection, alongside the storm (the guard's :class:`~entdrill.guard.consent.
ConsentMonitor` decides from the answers when to stop). The checks never wait behind the storm:
the engine leaves them connections of their own beyond its limit.
"""

from __future__ import annotations

from collections.abc import Callable

import pycurl

from entdrill.flood.handles import Handle
from entdrill.guard import consent


class ConsentChecks:
    def __init__(
        self,
        multi: pycurl.CurlMulti,
        token: str,
        origins: tuple[str, ...],
        new_handle: Callable[[], Handle],
    ) -> None:
        self.multi = multi
        self.origins = origins
        self.new_handle = new_handle
        self.monitor = consent.ConsentMonitor(token)
        self.pending: dict[pycurl.Curl, Handle] = {}  # checks in libcurl's hands

    def start(self) -> None:
        """Ask every origin again (unless the last checks are still out)."""
        if self.pending:
            return
        for origin in self.origins:
            handle = self.new_handle()
            c = handle.curl
            c.setopt(pycurl.URL, consent.consent_url(origin))
            c.setopt(pycurl.TIMEOUT_MS, int(consent.CHECK_TIMEOUT_S * 1000))
            c.setopt(pycurl.FRESH_CONNECT, 1)
            self.pending[c] = handle
            self.multi.add_handle(c)

    def done(self, c: pycurl.Curl, errno: int, now: float) -> str:
        """A check finished (already removed from the multi handle): the reason to stop, or ""."""
        handle = self.pending.pop(c)
        if errno:
            self.monitor.failure(now, f"{c.errstr() or 'transfer error'}")
        else:
            self.monitor.answer(now, c.getinfo(pycurl.RESPONSE_CODE), b"".join(handle.chunks))
        c.close()
        return self.monitor.stop_reason

    def abandon(self) -> None:
        for c in self.pending:
            self.multi.remove_handle(c)
            c.close()
        self.pending.clear()
