"""A real Synapse on loopback for the Matrix tests: the sandbox's own ``matrix`` component.

:func:`synapse_server` starts the component the supervisor starts (``python -m
entdrill.sandbox.serve matrix --dir D``: Synapse in that process, the school set up by it) on a
free port, with a message rate high enough that tests only meet a rate limit when they ask for
one (:meth:`MatrixServer.limit`, Synapse's own per-user override). :meth:`MatrixServer.user`
registers extra people the simulated staff never act for, so a test answers as them itself.
"""

from __future__ import annotations

import importlib.util
import itertools
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from entdrill import processes
from entdrill.channels.matrix_client import MatrixConnection, quoted
from entdrill.sandbox import matrix_accounts
from entdrill.sandbox.config import HOST, SandboxConfig
from entdrill.sandbox.matrix_accounts import Account, Accounts
from entdrill.sandbox.readiness import matrix_ready
from entdrill.sandbox.state import SandboxState
from entdrill.testing import free_config, prepare_sandbox_dir

SYNAPSE_INSTALLED = importlib.util.find_spec("synapse") is not None
needs_synapse = pytest.mark.skipif(
    not SYNAPSE_INSTALLED,
    reason="needs matrix-synapse (the `synapse` extra, which `make install` installs)",
)
_names = itertools.count(1)


@dataclass
class MatrixServer:
    config: SandboxConfig
    state: SandboxState
    directory: Path
    accounts: Accounts
    extra: dict[str, Account] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.config.matrix_url

    @property
    def domain(self) -> str:
        return self.config.school_domain

    @property
    def room(self) -> str:
        return f"#continuite:{self.domain}"

    def user(self, prefix: str = "tester") -> Account:
        """A new person on the homeserver, nobody simulates: the test answers as them."""
        localpart = f"{prefix}{next(_names)}"
        account = matrix_accounts.register(
            self.url, self.state.secrets.matrix_shared_secret, localpart
        )
        self.extra[localpart] = account
        return account

    def bot(self, prefix: str = "bot") -> Account:
        """Another bot (its own rate limit, its own rooms)."""
        return self.user(prefix)

    def connection(self, account: Account | None = None, **options: Any) -> MatrixConnection:
        token = (account or self.accounts.bot).access_token
        options.setdefault("backoff_s", 0.05)
        return MatrixConnection(self.url, token, **options)

    def limit(self, account: Account, per_second: int, burst: int) -> None:
        """Synapse's own message rate limit for ``account`` (its admin API's per-user override)."""
        matrix_accounts.override_rate_limit(
            self.url, self.accounts.admin, account.user_id, per_second, burst
        )

    def call(self, account: Account, method: str, path: str, body: Any = None) -> dict[str, Any]:
        return matrix_accounts.call(
            self.url, method, "/_matrix/client/v3" + path, body, account.access_token
        )

    def join(self, account: Account, room: str) -> str:
        return str(self.call(account, "POST", f"/join/{quoted(room)}", {})["room_id"])

    def say(
        self, account: Account, room_id: str, content: dict[str, Any], kind: str = "m.room.message"
    ) -> str:
        """Send an event as ``account``; its event id."""
        path = f"/rooms/{quoted(room_id)}/send/{kind}/t{time.monotonic_ns()}"
        return str(self.call(account, "PUT", path, content)["event_id"])

    def messages(self, room_id: str, account: Account | None = None) -> list[dict[str, Any]]:
        """The room's messages, oldest first (read as ``account``, default the bot)."""
        who = account or self.accounts.bot
        answer = self.call(who, "GET", f"/rooms/{quoted(room_id)}/messages?dir=b&limit=200")
        events = [e for e in answer.get("chunk", []) if e.get("type") == "m.room.message"]
        return list(reversed(events))

    def invites(self, account: Account) -> list[str]:
        answer = self.call(account, "GET", "/sync?timeout=0")
        return list((answer.get("rooms") or {}).get("invite", {}))


@contextmanager
def synapse_server(directory: Path, **overrides: Any) -> Iterator[MatrixServer]:
    """The sandbox's ``matrix`` component alone, on a free port, until the block ends."""
    values: dict[str, Any] = {
        "matrix": True,
        "schools": 1,
        "pupils_per_school": 2,
        "seed": 4243,
        "staff_silent_share": 0.25,
        "staff_ack_median_s": 0.3,
        "matrix_message_rate": 200.0,
        "matrix_message_burst": 1000,
        **overrides,
    }
    state = prepare_sandbox_dir(directory, free_config(**values))
    log = (directory / "matrix.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", processes.SERVE_MODULE, "matrix", "--dir", str(directory)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=directory,
    )
    try:
        deadline = time.monotonic() + 120
        while not matrix_ready(HOST, state.config.matrix_port, directory):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (directory / "matrix.log").read_text(errors="replace")[-2000:]
                raise AssertionError(f"Synapse did not start:\n{tail}")
            time.sleep(0.1)
        accounts = matrix_accounts.read_accounts(directory)
        assert accounts is not None
        yield MatrixServer(state.config, state, directory, accounts)
    finally:
        processes.terminate(process.pid)
        log.close()
