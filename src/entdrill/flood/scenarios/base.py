"""What a scenario is: a virtual user's journey, one HTTP request after another.

A scenario is a generator function. It yields a :class:`Request`, the engine sends it and sends
back the :class:`Reply`; when the journey is over the generator returns None (it went as
expected) or the cause of its failure (``"login_rejected"``, ``"ticket_invalid"``, ...). The
engine itself ends a journey on a transport error (``timeout``, ``connection``), a 5xx
(``http_5xx``) or a 429 (``http_429``), so scenarios only read the replies they expect.

Scenarios never touch the network, the clock or the allow-list's configuration: what they need
is in :class:`ScenarioContext`, built once per process.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from entdrill.guard.allowlist import AllowList
from entdrill.journeys import LoginJourney
from entdrill.journeys import build as build_journey
from entdrill.population import Person

MAX_REDIRECTS = 5


class Request(NamedTuple):
    """One HTTP request of a journey; ``body`` set means POST (form-encoded)."""

    step: str
    url: str
    body: bytes | None = None
    want_body: bool = False
    clear_cookies: bool = False


class Reply(NamedTuple):
    """What came back: status, the redirect target (3xx only) and the body when asked for."""

    status: int
    location: str
    body: bytes


Journey = Generator[Request, Reply, str | None]


@dataclass
class ScenarioContext:
    """What scenarios of one process share: the target, the people, the hosts they may follow."""

    target: str  # the ENT's base URL, without a trailing slash
    cas_url: str  # the CAS server's base URL (…/cas)
    allow: AllowList
    path: str = "/"  # http-get
    service_url: str = ""  # the portal's CAS service URL ("" = target + "/")
    app_path: str = "/homework"  # the app page a logged-in user opens
    users_by_role: dict[str, list[Person]] = field(default_factory=dict)
    everyone: list[Person] = field(default_factory=list)
    bridge_url: str = ""
    bridge_secret: str = ""
    classes: int = 50  # video-join: meetings the joins spread over
    journey: LoginJourney | None = None  # how users log in (default: direct CAS, the service)

    @property
    def service(self) -> str:
        return self.service_url or self.target + "/"

    @cached_property
    def login(self) -> LoginJourney:
        """The login journey: the one given, or direct CAS with this context's URLs."""
        if self.journey is not None:
            return self.journey
        return build_journey(
            ent_base_url=self.target,
            cas_url=self.cas_url,
            service_url=self.service,
            app_path=self.app_path,
        )

    @cached_property
    def _login_url(self) -> str:
        return self.login.start_url()

    def login_url(self) -> str:
        """The first request of a login: the CAS form (with the service), the portal, or the form."""
        return self._login_url

    @cached_property
    def cas_login(self) -> str:
        """Where a user who is not logged in is sent (the CAS login page, or the form's page)."""
        journey = self.login
        return journey.cas_url + "/login" if journey.uses_cas else journey.login_url.split("?")[0]

    @cached_property
    def app_url(self) -> str:
        return self.login.app_url()

    # Requests that are the same for every virtual user, built once per process: a journey
    # yields the same object again (and the engine sets no option for a URL the handle has).
    @cached_property
    def get_request(self) -> Request:
        """``http-get``'s request."""
        return Request("get", self.target + self.path)

    @cached_property
    def form_request(self) -> Request:
        """The first request of a login, its body wanted (the form)."""
        return Request("login-form", self.login_url(), want_body=True)

    @cached_property
    def app_request(self) -> Request:
        """The app page a logged-in user opens."""
        return Request("app-page", self.app_url)

    def user(self, role: str, draw: int) -> Person:
        people = self.users_by_role[role]
        return people[draw % len(people)]


ScenarioFunction = Callable[[ScenarioContext, int], Journey]


@dataclass(frozen=True)
class Scenario:
    """A named journey: ``run(ctx, draw)`` makes the generator; ``steps`` names its steps."""

    name: str
    run: ScenarioFunction
    steps: tuple[str, ...]
    needs_role: str = ""  # a login scenario needs people of this role in --users
    needs_users: bool = False
    needs_bridge: bool = False
    login_steps: tuple[str, ...] = ()  # the steps that make up "the login" (its own histogram)
    # a journey of one request has no use for a cookie jar: it runs on handles without libcurl's
    # cookie engine (no cookie sent or kept, nothing to empty for the next user)
    keeps_cookies: bool = True


_ORIGIN = re.compile(r"https?://[^/?#\[\]\t\r\n]*(?![^/?#])").match  # lower case, no [ ] TAB CR LF
_PLAIN_PATH = re.compile(r"/(?!/)[^\\\t\r\n#]*(?<!\?)").fullmatch  # nothing urljoin rewrites


def resolve(base: str, location: str) -> str:
    """``location`` made absolute against ``base``: ``urllib.parse.urljoin``, faster.

    Cheap when ``location`` is absolute already, or a plain absolute path (``/cas/login?...``)
    that urljoin would keep as it is: the origin of ``base`` followed by it.
    """
    if location.startswith(("http://", "https://")):
        return location
    if "/." not in location and _PLAIN_PATH(location):
        origin = _ORIGIN(base)
        if origin is not None:
            return origin.group() + location
    return urllib.parse.urljoin(base, location)


def follow(
    ctx: ScenarioContext, step: str, first: Request, reply: Reply
) -> Generator[Request, Reply, tuple[Reply, str]]:
    """Follow ``reply``'s redirects within the allowed hosts; return the last reply and its URL.

    A redirect to a host outside the allow-list is not followed: the reply is returned as is with
    its URL set to ``""`` so the caller fails the journey with ``redirect_refused``.
    """
    url = first.url
    for _ in range(MAX_REDIRECTS):
        if not (300 <= reply.status < 400 and reply.location):
            return reply, url
        target = resolve(url, reply.location)
        if not ctx.allow.allows_url(target):
            return reply, ""
        url = target
        reply = yield Request(step, url, want_body=first.want_body)
    return reply, url
