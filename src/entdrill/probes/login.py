"""One synthetic user logging in through the staging ENT's login journey, step by step and timed.

The journeys are those of :mod:`entdrill.journeys` (direct CAS, portal-initiated CAS, the ENT's
own form). Redirects are followed one by one, only to the hosts the journey names (the portal,
CAS, the service, the login page), cookies are kept as a browser keeps them, and each step is
timed on its own: ``login-form`` (up to the login form), ``credentials`` (the POST), ``ticket``
(the portal validating the CAS ticket), ``page`` (the page that proves a session). A failure
names its step and its cause: ``form_not_found``, ``credentials_refused``, ``ticket_refused``,
``page_missing``, ``session_lost`` (the page sent the user back to the login), ``http_error``,
``unreachable``, ``redirect_refused``.
"""

from __future__ import annotations

import http.cookiejar
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from entdrill import population
from entdrill.errors import InvalidArgument
from entdrill.journeys import LoginJourney
from entdrill.journeys import build as build_journey
from entdrill.probes.form import LoginForm, find_login_form

MAX_REDIRECTS = 10


@dataclass(frozen=True)
class LoginResult:
    """What one synthetic login measured."""

    ok: bool
    seconds: float
    step: str  # the last step reached: login-form, credentials, ticket, page
    status: int = 0
    error: str = ""  # one sentence when not ok
    username: str = ""
    failure: str = ""  # form_not_found, credentials_refused, ticket_refused, page_missing, ...
    url: str = ""  # the URL that answered last
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Failed(Exception):
    def __init__(self, failure: str, error: str, status: int = 0, url: str = "") -> None:
        super().__init__(error)
        self.failure, self.error, self.status, self.url = failure, error, status, url


class _EveryAnswer(urllib.request.HTTPErrorProcessor):
    """Hand every answer back as it is: redirects and errors are the journey's to read."""

    def http_response(self, request: Any, response: Any) -> Any:
        return response

    https_response = http_response


@dataclass
class _Answer:
    status: int
    url: str
    location: str
    body: str


class _Browser:
    def __init__(
        self, hosts: set[str], timeout_s: float, cookies: http.cookiejar.CookieJar
    ) -> None:
        self.hosts, self.timeout_s, self.cookies = hosts, timeout_s, cookies
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(cookies), _EveryAnswer()
        )

    def send(self, url: str, data: bytes | None = None) -> _Answer:
        try:
            with self.opener.open(url, data=data, timeout=self.timeout_s) as response:
                body = response.read().decode("utf-8", errors="replace")
                location = (
                    response.headers.get("Location", "") if 300 <= response.status < 400 else ""
                )
                return _Answer(response.status, url, location, body)
        except (OSError, urllib.error.URLError) as error:
            reason = getattr(error, "reason", error)
            raise _Failed("unreachable", f"{url} did not answer: {reason}", url=url) from error

    def follow(self, answer: _Answer) -> _Answer:
        """Follow ``answer``'s redirects (GET), within the journey's hosts."""
        for _ in range(MAX_REDIRECTS):
            if not (300 <= answer.status < 400 and answer.location):
                return answer
            target = urllib.parse.urljoin(answer.url, answer.location)
            host = urllib.parse.urlsplit(target).hostname or ""
            if host not in self.hosts:
                raise _Failed(
                    "redirect_refused",
                    f"{answer.url} redirected to {target}, a host this login does not name",
                    answer.status,
                    answer.url,
                )
            answer = self.send(target)
        return answer

    def get(self, url: str) -> _Answer:
        return self.follow(self.send(url))

    def has_cookie(self, name: str) -> bool:
        return any(cookie.name == name for cookie in self.cookies)


def _form_of(answer: _Answer) -> LoginForm:
    if answer.status >= 400:
        raise _Failed(
            "form_not_found",
            f"form not found: HTTP {answer.status} at {answer.url}",
            answer.status,
            answer.url,
        )
    form = find_login_form(answer.body)
    if form is None:
        raise _Failed(
            "form_not_found",
            f"form not found: no login form at {answer.url}",
            answer.status,
            answer.url,
        )
    return form


def _post(browser: _Browser, answer: _Answer, form: LoginForm, user: str, password: str) -> _Answer:
    action = urllib.parse.urljoin(answer.url, form.action or answer.url)
    data = urllib.parse.urlencode(form.payload(user, password)).encode()
    return browser.send(action, data)


def _refused(answer: _Answer, why: str) -> _Failed:
    return _Failed(
        "credentials_refused",
        f"credentials refused: {why} at {answer.url}",
        answer.status,
        answer.url,
    )


def _cas_credentials(browser: _Browser, answer: _Answer, journey: LoginJourney) -> str:
    """The ticket URL CAS redirected to, or the reason the credentials were refused."""
    if answer.status in (401, 403) or (answer.status < 300 and find_login_form(answer.body)):
        raise _refused(answer, f"CAS showed the login form again (HTTP {answer.status})")
    if not (300 <= answer.status < 400 and answer.location):
        raise _Failed(
            "http_error",
            f"CAS answered HTTP {answer.status} to the login",
            answer.status,
            answer.url,
        )
    landing = urllib.parse.urljoin(answer.url, answer.location)
    if "ticket=" not in landing:
        raise _Failed(
            "credentials_refused",
            f"credentials refused: CAS redirected to {landing} without a ticket",
            answer.status,
            answer.url,
        )
    return landing


def _ticket(browser: _Browser, landing: str, journey: LoginJourney) -> None:
    answer = browser.get(landing)
    if answer.status in (401, 403) or journey.is_login_page(answer.url):
        where = (
            "sent the user back to CAS" if answer.status < 400 else f"answered HTTP {answer.status}"
        )
        raise _Failed(
            "ticket_refused",
            f"ticket refused: the portal {where} at {answer.url}",
            answer.status,
            answer.url,
        )
    if answer.status >= 400:
        raise _Failed(
            "http_error", f"HTTP {answer.status} while the portal validated the ticket at {answer.url}",
            answer.status, answer.url,
        )  # fmt: skip


def _form_credentials(browser: _Browser, answer: _Answer, journey: LoginJourney) -> None:
    answer = browser.follow(answer)
    if answer.status in (401, 403) or (
        find_login_form(answer.body) and journey.success.kind != "url"
    ):
        raise _refused(answer, f"the login form came back (HTTP {answer.status})")
    if answer.status >= 400:
        raise _Failed(
            "http_error",
            f"HTTP {answer.status} after the login at {answer.url}",
            answer.status,
            answer.url,
        )
    test = journey.success
    if test.kind == "url":
        expected = test.value if "://" in test.value else journey.ent_base_url + test.value
        passed = answer.url.startswith(expected)
    elif test.kind == "cookie":
        passed = browser.has_cookie(test.value)
    elif test.kind == "text":
        passed = test.value in answer.body
    else:
        passed = True
    if not passed:
        raise _refused(answer, f"the success test failed (expected: {test.describe()})")


def journey_login(
    journey: LoginJourney,
    username: str,
    password: str,
    *,
    page: str = "",
    timeout_s: float = 5.0,
    cookies: http.cookiejar.CookieJar | None = None,
) -> LoginResult:
    """Log ``username`` in along ``journey``, then open ``page`` (default: the app page).

    Never raises: the result says which step failed, why, and at which URL. ``cookies``: a jar to
    keep the session in (a fresh one when not given), e.g. to check later whether it survived.
    """
    started = time.monotonic()
    hosts = {urllib.parse.urlsplit(u).hostname or "" for u in journey.urls().values()}
    browser = _Browser(
        hosts, timeout_s, cookies if cookies is not None else http.cookiejar.CookieJar()
    )
    steps: dict[str, float] = {}
    step, mark = "login-form", started

    def lap(next_step: str) -> None:
        nonlocal step, mark
        now = time.monotonic()
        steps[step] = round(now - mark, 6)
        step, mark = next_step, now

    try:
        answer = browser.get(journey.start_url())
        form = _form_of(answer)
        lap("credentials")
        posted = _post(browser, answer, form, username, password)
        if journey.uses_cas:
            landing = _cas_credentials(browser, posted, journey)
            lap("ticket")
            _ticket(browser, landing, journey)
        else:
            _form_credentials(browser, posted, journey)
        lap("page")
        shown = browser.get(
            urllib.parse.urljoin(journey.ent_base_url + "/", page or journey.app_path)
        )
        if shown.status in (404, 410):
            raise _Failed(
                "page_missing",
                f"page missing: HTTP {shown.status} at {shown.url}",
                shown.status,
                shown.url,
            )
        if journey.is_login_page(shown.url) or shown.status in (401, 403):
            raise _Failed(
                "session_lost", f"the page sent the user back to the login (HTTP {shown.status} at {shown.url})",
                shown.status, shown.url,
            )  # fmt: skip
        if shown.status >= 400:
            raise _Failed(
                "http_error", f"HTTP {shown.status} at {shown.url}", shown.status, shown.url
            )
        lap("")
        return LoginResult(
            True,
            time.monotonic() - started,
            "page",
            shown.status,
            "",
            username,
            "",
            shown.url,
            steps,
        )
    except _Failed as failed:
        lap("")
        failed_step = next(reversed(steps), "login-form")
        return LoginResult(
            False, time.monotonic() - started, failed_step, failed.status, failed.error, username,
            failed.failure, failed.url, steps,
        )  # fmt: skip


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
    """Log ``username`` in through CAS from the portal's home page, then open ``page``.

    The portal-initiated CAS journey of :func:`journey_login` with the portal's ``/`` as its start.
    """
    journey = build_journey(
        kind="cas-portal",
        ent_base_url=portal_url,
        cas_url=cas_url,
        login_url=portal_url.rstrip("/") + "/",
    )
    return journey_login(
        journey, username, password, page=page, timeout_s=timeout_s, cookies=cookies
    )


def pick_user(population_csv: str, role: str) -> tuple[str, str]:
    """A (username, password) of ``role`` from a population file, a different one on each call."""
    people = [p for p in population.read_csv(Path(population_csv)) if p.role == role]
    if not people:
        raise InvalidArgument(f"the population file {population_csv} has nobody with role {role!r}")
    chosen = _rng.choice(people)
    return chosen.username, chosen.password


_rng = random.Random()
