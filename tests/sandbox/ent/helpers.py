"""Real ENT replica processes and a small real browser for the ENT tests.

``EntProcesses`` starts ``python -m entdrill.sandbox.serve ent-N --dir D`` exactly as the
supervisor does; ``Browser`` speaks HTTP/1.1 with ``http.client``, one fresh connection per
request (so SO_REUSEPORT may hand each step to a different replica), keeps cookies with their
paths, and never follows redirects on its own.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import redis

from entdrill.population import Person, read_csv
from entdrill.sandbox.config import SandboxConfig
from entdrill.sandbox.state import SandboxState
from entdrill.testing import prepare_sandbox_dir

REDIS_URL = "redis://127.0.0.1:6379/0"
START_TIMEOUT_S = 30.0
HTTP_TIMEOUT_S = 30.0


def redis_available() -> bool:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


needs_redis = pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")


@dataclass
class EntProcesses:
    """N ENT replicas started from one sandbox directory."""

    directory: Path
    state: SandboxState
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @classmethod
    def start(cls, directory: Path, config: SandboxConfig, replicas: int = 1) -> EntProcesses:
        state = prepare_sandbox_dir(directory, config)
        ents = cls(directory, state)
        try:
            for index in range(1, replicas + 1):
                ents.spawn(f"ent-{index}")
            ents.wait_listening()
        except BaseException:
            ents.stop()
            raise
        return ents

    @property
    def config(self) -> SandboxConfig:
        return self.state.config

    @property
    def base(self) -> str:
        return self.config.ent_url

    @property
    def admin_token(self) -> str:
        return self.state.secrets.admin_token

    def people(self) -> list[Person]:
        return read_csv(self.directory / "population.csv")

    def log_path(self, name: str) -> Path:
        return self.directory / f"{name}.log"

    def spawn(self, name: str) -> None:
        with self.log_path(name).open("wb") as log:
            self.processes[name] = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "entdrill.sandbox.serve",
                    name,
                    "--dir",
                    str(self.directory),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    def wait_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        waiting = set(self.processes)
        while waiting:
            for name in list(waiting):
                log = self.log_path(name).read_text(errors="replace")
                if self.processes[name].poll() is not None:
                    raise AssertionError(f"{name} exited at start-up:\n{log}")
                if "listening on" in log:
                    waiting.discard(name)
            if time.monotonic() > deadline:
                raise AssertionError(f"{sorted(waiting)} did not start in {START_TIMEOUT_S} s")
            time.sleep(0.05)

    def pids(self) -> set[int]:
        return {p.pid for p in self.processes.values()}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    @property
    def replica(self) -> str:
        return self.headers.get("X-Entdrill-Replica", "")


@dataclass
class Browser:
    """Cookies by name with their path; one new TCP connection per request."""

    base: str
    cookies: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (value, path)
    replies: list[Reply] = field(default_factory=list)

    def request(
        self,
        method: str,
        url: str,
        *,
        form: dict[str, str] | None = None,
        json_body: object = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        target = urlsplit(url if "://" in url else self.base + url)
        path = target.path or "/"
        sent = dict(headers or {})
        cookie = "; ".join(
            f"{name}={value}"
            for name, (value, cookie_path) in self.cookies.items()
            if path.startswith(cookie_path)
        )
        if cookie:
            sent["Cookie"] = cookie
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body)
            sent["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection(
            target.hostname or "", target.port, timeout=HTTP_TIMEOUT_S
        )
        try:
            connection.request(
                method, path + (f"?{target.query}" if target.query else ""), body, sent
            )
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read().decode())
        finally:
            connection.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = (morsel.value, morsel["path"] or "/")
        self.replies.append(reply)
        return reply

    def get(self, url: str, headers: dict[str, str] | None = None) -> Reply:
        return self.request("GET", url, headers=headers)


class FormParser(HTMLParser):
    """The first form of a page: its action and its input fields (what a login flood reads)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.error = ""
        self._in_form = False
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action, self._in_form = values.get("action", ""), True
        elif tag == "input" and self._in_form and "name" in values:
            self.fields[values["name"]] = values.get("value", "")
        elif tag == "div" and values.get("id") == "loginErrorsPanel":
            self._in_error = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "div":
            self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._in_error:
            self.error += data.strip()


def parse_form(page: str) -> FormParser:
    parser = FormParser()
    parser.feed(page)
    assert parser.action is not None, f"no form in page:\n{page[:500]}"
    return parser


def submit_login(browser: Browser, form_page: str, username: str, password: str) -> Reply:
    """Fill the login form of ``form_page`` and post it where its action says."""
    form = parse_form(form_page)
    fields = {**form.fields, "username": username, "password": password}
    return browser.request("POST", form.action or "/cas/login", form=fields)


def portal_login(browser: Browser, person: Person, page: str = "/homework?format=json") -> Reply:
    """The whole CAS flow through the portal, each step checked; answers the page itself."""
    to_cas = browser.get(page)
    assert to_cas.status == 302, to_cas
    form_page = browser.get(to_cas.location)
    assert form_page.status == 200, form_page
    with_ticket = submit_login(browser, form_page.body, person.username, person.password)
    assert with_ticket.status == 302, with_ticket
    assert "ticket=ST-" in with_ticket.location
    to_clean = browser.get(with_ticket.location)
    assert to_clean.status == 302, to_clean
    assert "ticket=" not in to_clean.location
    return browser.get(to_clean.location)


def pupil(people: list[Person], index: int = 0) -> Person:
    return [p for p in people if p.role == "pupil"][index]
