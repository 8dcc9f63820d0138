"""libcurl easy handles, reused from journey to journey, and the journey each one carries.

A handle is one virtual user's seat for the length of a journey: its cookie jar (libcurl's cookie
engine, emptied when the next virtual user takes the handle), the journey itself (the scenario's
generator, when it was meant to start, the step in flight), the body of the response being
received (collected in a list by ``list.append``, a C call per chunk, and joined only when the
scenario reads it), and what the next request must undo (a POST before a GET, a shortened
timeout). This state lives in a Python object next to the pycurl handle: attributes set on a
pycurl object are slow to read back (each read raises and clears an ``AttributeError`` inside
pycurl first).

The engine sets options only when they change (``url``, ``posted``, ``cookies``, ``timeout_ms``
say what the handle holds): a scenario that yields the same URL again (a pre-built
:class:`~entdrill.flood.scenarios.base.Request` per step, or the same string) costs no
``setopt`` for it, since libcurl keeps an option from one transfer to the next.
"""

from __future__ import annotations

import pycurl

from entdrill.flood.scenarios.base import Journey
from entdrill.flood.stats import Recorder

USER_AGENT = "entdrill-flood/0.1"
_COOKIELIST = pycurl.COOKIELIST


class Handle:
    """A libcurl easy handle, its state between requests, and the journey it carries."""

    __slots__ = (
        "chunks",
        "cookies",
        "curl",
        "gen",
        "intended",
        "jar",
        "logged",
        "posted",
        "scenario",
        "step",
        "step_start",
        "steps",
        "timeout_ms",
        "url",
        "want_body",
    )

    def __init__(
        self, curl: pycurl.Curl, chunks: list[bytes], timeout_ms: int, jar: bool = True
    ) -> None:
        self.curl = curl
        self.jar = jar  # libcurl's cookie engine is on (the handle keeps a user's cookies)
        self.chunks = chunks  # the body of the current response, as libcurl wrote it
        self.posted = False  # the last request was a POST (the next GET must say so)
        self.cookies = False  # the cookie engine may hold cookies of the last user
        self.timeout_ms = timeout_ms  # the request timeout set on the handle
        self.url = ""  # the URL set on the handle
        # the journey in flight
        self.gen: Journey | None = None
        self.scenario = 0
        self.intended = 0.0  # when the schedule said the user arrives (perf_counter seconds)
        self.steps: dict[str, Recorder] = {}  # the scenario's step recorders
        self.step = ""  # the step of the request in flight
        self.step_start = 0.0  # when it was due
        self.want_body = False
        self.logged = False  # its login was recorded

    def set_timeout(self, timeout_ms: int) -> None:
        if timeout_ms != self.timeout_ms:
            self.curl.setopt(pycurl.TIMEOUT_MS, timeout_ms)
            self.timeout_ms = timeout_ms

    def forget_cookies(self) -> None:
        if self.cookies:
            self.curl.setopt(_COOKIELIST, "ALL")
            self.cookies = False


def new_handle(timeout_ms: int, connect_timeout_ms: int, *, jar: bool = True) -> Handle:
    """An easy handle with the flood's options: no redirects followed (scenarios follow them
    within the allow-list), no signals, cookies kept (unless ``jar`` is false: then libcurl's
    cookie engine is off, and neither sends nor keeps any), HTTP(S) only, and no proxy:
    requests go straight to the target the guard checked, never through a proxy named in the
    environment (which libcurl would otherwise look up before every request)."""
    c = pycurl.Curl()
    chunks: list[bytes] = []
    c.setopt(pycurl.WRITEFUNCTION, chunks.append)
    c.setopt(pycurl.NOSIGNAL, 1)
    c.setopt(pycurl.FOLLOWLOCATION, 0)
    c.setopt(pycurl.TIMEOUT_MS, timeout_ms)
    c.setopt(pycurl.CONNECTTIMEOUT_MS, connect_timeout_ms)
    c.setopt(pycurl.USERAGENT, USER_AGENT)
    if jar:
        c.setopt(pycurl.COOKIEFILE, "")
    c.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
    c.setopt(pycurl.NOPROXY, "*")
    return Handle(c, chunks, timeout_ms, jar)
