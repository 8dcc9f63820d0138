"""One synthetic user logging in through CAS and opening a portal page, step by step and timed.

Redirects are followed only to hosts allowed for the probe (by default the portal's own host and
the CAS server's), and cookies are kept, as a browser would.
"""

from __future__ import annotations

import http.cookiejar
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from entdrill.errors import InvalidArgument
from entdrill.probes.form import find_login_form
from entdrill.sandbox import population


@dataclass(frozen=True)
class LoginResult:
    """What one synthetic login measured."""

    ok: bool
    seconds: float
    step: str  # the last step reached: portal, login-form, credentials, ticket, page
    status: int = 0
    error: str = ""
    username: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _HostLimitedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allowed_hosts: set[str]) -> None:
        self.allowed_hosts = allowed_hosts

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        host = urllib.parse.urlsplit(newurl).hostname or ""
        if host not in self.allowed_hosts:
            raise urllib.error.HTTPError(
                newurl, code, f"redirect to a host not allowed: {host}", headers, fp
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def synthetic_login(
    portal_url: str,
    username: str,
    password: str,
    *,
    page: str = "/homework?format=json",
    cas_url: str = "",
    timeout_s: float = 5.0,
    cookies: http.cookiejar.CookieJar | None = None,
) -> LoginResult:
    """Log ``username`` in through CAS from the portal, then open ``page``; never raises.

    ``cookies``: a jar to keep the session in (a fresh one when not given), e.g. to check later
    whether the session survived a fault.
    """
    started = time.monotonic()
    hosts = {urllib.parse.urlsplit(portal_url).hostname or ""}
    if cas_url:
        hosts.add(urllib.parse.urlsplit(cas_url).hostname or "")
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(
            cookies if cookies is not None else http.cookiejar.CookieJar()
        ),
        _HostLimitedRedirects(hosts),
    )

    def done(ok: bool, step: str, status: int = 0, error: str = "") -> LoginResult:
        return LoginResult(ok, time.monotonic() - started, step, status, error, username)

    step = "portal"
    try:
        with opener.open(portal_url.rstrip("/") + "/", timeout=timeout_s) as response:
            landing, body = response.geturl(), response.read().decode(errors="replace")
        step = "login-form"
        form = find_login_form(body)
        if form is None:
            return done(False, step, error=f"no login form at {landing}")
        step = "credentials"
        action = urllib.parse.urljoin(landing, form.action or landing)
        data = urllib.parse.urlencode(form.payload(username, password)).encode()
        with opener.open(action, data=data, timeout=timeout_s) as response:
            after_login = response.geturl()
            response.read()
        step = "ticket"
        if urllib.parse.urlsplit(after_login).path.startswith("/cas"):
            return done(False, step, error=f"login did not lead back to the portal ({after_login})")
        step = "page"
        with opener.open(urllib.parse.urljoin(portal_url, page), timeout=timeout_s) as response:
            content = response.read().decode(errors="replace")
            status = response.status
        if urllib.parse.urlsplit(response.geturl()).path.startswith("/cas"):
            return done(False, step, status, "the portal sent the user back to CAS")
        if username not in content:
            return done(False, step, status, "the page does not name the user")
        return done(True, step, status)
    except urllib.error.HTTPError as error:
        return done(False, step, error.code, f"HTTP {error.code}: {error.reason}")
    except (OSError, urllib.error.URLError) as error:
        return done(False, step, error=f"{type(error).__name__}: {error}")


def pick_user(population_csv: str, role: str) -> tuple[str, str]:
    """A (username, password) of ``role`` from a population file, a different one on each call."""
    people = [p for p in population.read_csv(Path(population_csv)) if p.role == role]
    if not people:
        raise InvalidArgument(f"the population file {population_csv} has nobody with role {role!r}")
    chosen = _rng.choice(people)
    return chosen.username, chosen.password


_rng = random.Random()
