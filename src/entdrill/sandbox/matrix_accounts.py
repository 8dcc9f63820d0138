"""The sandbox's Matrix accounts: who exists on its Synapse, and their access tokens.

When Synapse answers, the ``matrix`` component sets the school up through Synapse's own
shared-secret registration API (``/_synapse/admin/v1/register``, an HMAC-SHA1 of a nonce,
the user, the password and the admin flag):

- an administrator (``@entdrill-admin``, for the sandbox's own housekeeping only);
- the drill bot (``@drill``, not an administrator, rate-limited like anyone): its token is the
  sandbox's ``matrix_token``;
- every teacher and staff member of the population (``@username:school_domain``), so the
  simulated staff read and answer with their own tokens;
- the room ``#continuite:school_domain``, created by the bot, with every one of them joined.

Then it writes ``<sandbox>/matrix/accounts.json`` (mode 0600). Tokens are secrets: they stay in
that file and in ``sandbox status --json``, registered for redaction wherever they are read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets as secrets_module
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entdrill.errors import SandboxError
from entdrill.population import Person, matrix_id

ADMIN_LOCALPART = "entdrill-admin"
BOT_LOCALPART = "drill"
BOT_NAME = "Exercice de continuité"
DRILL_ROOM = "continuite"
TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Account:
    user_id: str
    access_token: str = field(repr=False)


@dataclass(frozen=True)
class Accounts:
    """Everything ``accounts.json`` holds."""

    server_name: str
    url: str
    admin: Account
    bot: Account
    people: dict[str, Account]  # username -> account
    rooms: dict[str, str]  # alias -> room id

    def to_dict(self) -> dict[str, Any]:
        def account(a: Account) -> dict[str, str]:
            return {"user_id": a.user_id, "access_token": a.access_token}

        return {
            "server_name": self.server_name,
            "url": self.url,
            "admin": account(self.admin),
            "bot": account(self.bot),
            "people": {name: account(a) for name, a in self.people.items()},
            "rooms": dict(self.rooms),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Accounts:
        return cls(
            server_name=str(data["server_name"]),
            url=str(data["url"]),
            admin=Account(**data["admin"]),
            bot=Account(**data["bot"]),
            people={name: Account(**a) for name, a in data["people"].items()},
            rooms={str(k): str(v) for k, v in data["rooms"].items()},
        )


def accounts_path(sandbox_dir: Path) -> Path:
    return sandbox_dir / "matrix" / "accounts.json"


def read_accounts(sandbox_dir: Path) -> Accounts | None:
    """The accounts of the sandbox in ``sandbox_dir``, or None while there are none (yet)."""
    try:
        return Accounts.from_dict(json.loads(accounts_path(sandbox_dir).read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_accounts(sandbox_dir: Path, accounts: Accounts) -> None:
    """Write the accounts atomically, readable by the owner only."""
    path = accounts_path(sandbox_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(accounts.to_dict(), handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def call(
    url: str,
    method: str,
    path: str,
    body: Any = None,
    token: str = "",
    timeout_s: float = TIMEOUT_S,
) -> dict[str, Any]:
    """One JSON call to the homeserver; a non-2xx answer raises :class:`SandboxError`."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url.rstrip("/") + path, data=data, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        detail = error.read()[:300].decode("utf-8", "replace")
        raise SandboxError(f"Synapse answered {error.code} to {method} {path}: {detail}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise SandboxError(f"Synapse unreachable for {method} {path}: {error}") from None
    return answer if isinstance(answer, dict) else {}


def wait_until_serving(url: str, timeout_s: float) -> None:
    """Return once Synapse's ``/health`` answers OK; :class:`SandboxError` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=1.0) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise SandboxError(f"Synapse did not answer on {url} within {timeout_s:g} s")
        time.sleep(0.1)


def register(
    url: str, shared_secret: str, localpart: str, *, admin: bool = False, displayname: str = ""
) -> Account:
    """Create the account ``localpart`` with the registration shared secret; its access token.

    The password is random and kept nowhere: the sandbox's people use their tokens only.
    """
    nonce = str(call(url, "GET", "/_synapse/admin/v1/register")["nonce"])
    password = secrets_module.token_urlsafe(16)
    mac = hmac.new(shared_secret.encode(), digestmod=hashlib.sha1)
    for part in (nonce, localpart, password):
        mac.update(part.encode() + b"\x00")
    mac.update(b"admin" if admin else b"notadmin")
    body: dict[str, Any] = {
        "nonce": nonce,
        "username": localpart,
        "password": password,
        "admin": admin,
        "mac": mac.hexdigest(),
    }
    if displayname:
        body["displayname"] = displayname
    answer = call(url, "POST", "/_synapse/admin/v1/register", body)
    return Account(str(answer["user_id"]), str(answer["access_token"]))


def quoted(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def set_up_school(
    url: str, server_name: str, shared_secret: str, people: Iterable[Person]
) -> Accounts:
    """Register the administrator, the bot and ``people``; create ``#continuite`` with everyone."""
    admin = register(url, shared_secret, ADMIN_LOCALPART, admin=True)
    bot = register(url, shared_secret, BOT_LOCALPART, displayname=BOT_NAME)
    accounts: dict[str, Account] = {}
    for person in people:
        account = register(url, shared_secret, person.username, displayname=person.name)
        if account.user_id != matrix_id(person.username, server_name):
            raise SandboxError(f"Synapse registered {person.username} as {account.user_id}")
        accounts[person.username] = account
    room = call(
        url,
        "POST",
        "/_matrix/client/v3/createRoom",
        {"room_alias_name": DRILL_ROOM, "name": "Continuité", "preset": "public_chat"},
        bot.access_token,
    )
    room_id = str(room["room_id"])
    alias = f"#{DRILL_ROOM}:{server_name}"
    for account in accounts.values():
        call(url, "POST", f"/_matrix/client/v3/join/{quoted(room_id)}", {}, account.access_token)
    return Accounts(server_name, url, admin, bot, accounts, {alias: room_id})


def override_rate_limit(
    url: str, admin: Account, user_id: str, messages_per_second: int, burst_count: int
) -> None:
    """Give ``user_id`` its own message rate limit (0 and 0: none), through Synapse's admin API
    (which takes whole messages a second)."""
    call(
        url,
        "POST",
        f"/_synapse/admin/v1/users/{quoted(user_id)}/override_ratelimit",
        {"messages_per_second": messages_per_second, "burst_count": burst_count},
        admin.access_token,
    )
