"""Start a sandbox component as the supervisor does (a real process on loopback) and talk HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entdrill.sandbox.component import port_of
from entdrill.sandbox.state import read_state

START_TIMEOUT_S = 30.0


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str = field(repr=False)

    def json(self) -> Any:
        return json.loads(self.text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECT = urllib.request.build_opener(_NoRedirect)
_FOLLOW = urllib.request.build_opener()


def http(
    method: str,
    url: str,
    *,
    body: Any = None,
    token: str | None = None,
    follow: bool = False,
    timeout_s: float = 15.0,
) -> Reply:
    """One HTTP request with a JSON ``body`` and a bearer ``token``; never raises on a status."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    opener = _FOLLOW if follow else _NO_REDIRECT
    try:
        with opener.open(request, timeout=timeout_s) as response:
            return Reply(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read().decode())


def wait_until(
    predicate: Callable[[], bool], timeout_s: float = 15.0, every_s: float = 0.05
) -> bool:
    """Poll ``predicate`` until true or ``timeout_s`` passed; its last answer."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every_s)
    return predicate()


@contextmanager
def component(name: str, directory: Path) -> Iterator[str]:
    """Run ``python -m entdrill.sandbox.serve NAME --dir DIRECTORY``; yield its base URL."""
    state = read_state(directory)
    assert state is not None, f"no sandbox prepared in {directory}"
    base = f"http://127.0.0.1:{port_of(state.config, name)}"
    log = directory / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "entdrill.sandbox.serve", name, "--dir", str(directory)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"{name} exited: {log.read_text()}")
            try:
                return http("GET", base + "/_health", timeout_s=2).status == 200
            except OSError:
                return False

        assert wait_until(healthy, START_TIMEOUT_S), f"{name} did not answer: {log.read_text()}"
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def component_process(name: str, directory: Path, health_url: str) -> Iterator[None]:
    """Run component ``name`` of the sandbox in ``directory`` until it answers ``health_url``;
    on leaving, SIGTERM it and check that it exits 0."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "entdrill.sandbox.serve", name, "--dir", str(directory)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(health_url, timeout=2) as response:
                    assert json.load(response)["ok"]
                break
            except OSError:
                if process.poll() is not None:
                    raise AssertionError(f"{name} exited: {process.stderr.read()}") from None
                assert time.monotonic() < deadline, f"{name} never answered {health_url}"
                time.sleep(0.1)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
        errors = process.stderr.read() if process.stderr else ""
        assert code == 0, f"{name} exited {code}: {errors}"
        assert "Traceback" not in errors, errors
