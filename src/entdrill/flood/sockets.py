"""libcurl's sockets watched with epoll, for an engine driving libcurl with ``socket_action``.

libcurl says, through the multi handle's socket callback (:meth:`SocketWatch.on_socket`), which
sockets it waits on and for what; the engine waits on them all at once in ``epoll`` and tells
libcurl which are ready (``socket_action``), so a wake-up costs in proportion to the sockets
that are ready, not to the transfers in flight (``curl_multi_perform`` tries every transfer).

A socket libcurl stops watching is usually a keep-alive connection going back to the pool, soon
watched again for the next request: it stays registered with epoll ("parked", its events are not
passed on) and is changed with one ``modify`` when libcurl wants it again, instead of an
unregister now and a register then. A parked socket that turns ready (the server closed the idle
connection) is unregistered then; one that libcurl closes leaves epoll by itself, and a new
socket that reuses its number is registered when ``modify`` finds it unknown.
"""

from __future__ import annotations

import contextlib
import select
from collections.abc import Callable

import pycurl

SELECT_FD_LIMIT = 1024  # select() works on descriptors below FD_SETSIZE

Waiter = Callable[[float], list[tuple[int, int]]]

# what libcurl wants to watch (POLL_NONE, POLL_IN, POLL_OUT, POLL_INOUT) -> epoll events
_WATCH = (0, select.EPOLLIN, select.EPOLLOUT, select.EPOLLIN | select.EPOLLOUT)
assert (pycurl.POLL_NONE, pycurl.POLL_IN, pycurl.POLL_OUT, pycurl.POLL_INOUT) == (0, 1, 2, 3)
_REMOVE: int = pycurl.POLL_REMOVE
_IN, _OUT = select.EPOLLIN, select.EPOLLOUT
_BROKEN = select.EPOLLERR | select.EPOLLHUP
_CSELECT_IN: int = pycurl.CSELECT_IN
_CSELECT_OUT: int = pycurl.CSELECT_OUT


def action(events: int) -> int:
    """What libcurl is told of epoll ``events``; an error or a hang-up is left for libcurl to
    find by reading and writing, so a response sent just before a close is still read."""
    if events & _BROKEN:
        return _CSELECT_IN | _CSELECT_OUT
    return (_CSELECT_IN if events & _IN else 0) | (_CSELECT_OUT if events & _OUT else 0)


ACTIONS = {events: action(events) for events in (_IN, _OUT, _IN | _OUT)}  # the usual ones


class SocketWatch:
    """The sockets libcurl waits on, registered with one epoll."""

    def __init__(self) -> None:
        self.epoll = select.epoll()
        self.watched: dict[int, int] = {}  # fd -> epoll events registered for it
        self.parked: set[int] = set()  # registered fds libcurl no longer watches

    def on_socket(self, what: int, fd: int, multi: object, data: object) -> None:
        """libcurl's socket callback: watch ``fd`` for what libcurl waits for, or no more."""
        if what == _REMOVE:
            if fd in self.watched:
                self.parked.add(fd)
            return
        events = _WATCH[what] if what < 4 else _IN | _OUT
        known = self.watched.get(fd)
        if known == events and fd not in self.parked:
            return
        try:
            if known is None:
                self.epoll.register(fd, events)
            else:
                self.epoll.modify(fd, events)
        except FileExistsError:  # a closed fd reused by a new socket without a removal
            self.epoll.modify(fd, events)
        except FileNotFoundError:  # the parked socket was closed, its number reused
            self.epoll.register(fd, events)
        self.parked.discard(fd)
        self.watched[fd] = events

    def ready(self, multi: pycurl.CurlMulti, fd: int, events: int, running: int) -> int:
        """Tell libcurl that ``fd`` is ready, or unregister it if libcurl no longer watches it.

        Returns the number of transfers libcurl runs now (``running`` if it was not asked).
        """
        if fd in self.parked:
            self.parked.discard(fd)
            del self.watched[fd]
            with contextlib.suppress(OSError):  # (rare: the server closed an idle connection)
                self.epoll.unregister(fd)
            return running
        known = ACTIONS.get(events)
        result: tuple[int, int] = multi.socket_action(
            fd, action(events) if known is None else known
        )
        return result[1]

    def precise_waiter(self) -> Waiter:
        """Wait up to the given seconds for ready sockets, to the microsecond.

        ``epoll.poll`` rounds its timeout up to the millisecond, which would send arrivals up to
        a millisecond late; ``select`` on the epoll descriptor itself waits to the microsecond.
        """
        poll = self.epoll.poll
        fd = self.epoll.fileno()
        if fd >= SELECT_FD_LIMIT:
            return poll
        ready = [fd]
        wait = select.select

        def waiter(timeout: float) -> list[tuple[int, int]]:
            if timeout <= 0 or wait(ready, (), (), timeout)[0]:
                return poll(0)
            return []

        return waiter

    def close(self) -> None:
        self.epoll.close()
        self.watched.clear()
        self.parked.clear()
