"""The store the ENT replicas share: one small protocol, two implementations.

Every piece of CAS and portal state (login executions, ticket-granting tickets, service tickets,
portal sessions, fault settings) is an *entry*: a string value under a ``(kind, key)`` pair, with
an optional time to live. Replicas are separate processes, so anything a replica must see from
another goes through here.

- :class:`~entdrill.sandbox.ent.sqlite_store.SqliteStore`: embedded SQLite in WAL mode at
  ``<sandbox dir>/ent-store.db`` (the default; safe for several processes).
- :class:`~entdrill.sandbox.ent.redis_store.RedisStore`: Redis, when ``store_url`` is a
  ``redis://`` URL; keys are ``<namespace>:<kind>:<key>``. The namespace is the URL's ``prefix``
  query parameter (``redis://127.0.0.1:6379/0?prefix=my-run``), by default
  ``entdrill:ent:<ent_port>`` so that two sandboxes can share one Redis.

Calls are synchronous and short (well under a millisecond on loopback), so that a login's cost is
dominated by its deliberate password-hash CPU, not by the store.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from entdrill.errors import InvalidConfig
from entdrill.sandbox.config import SandboxConfig

#: The kinds of entry, and which of them :meth:`EntStore.lose_sessions` destroys.
EXECUTION = "execution"
TGT = "tgt"
TICKET = "ticket"
SESSION = "session"
FAULTS = "faults"
KINDS = (EXECUTION, TGT, TICKET, SESSION, FAULTS)
SESSION_KINDS = (TGT, TICKET, SESSION)

NAMESPACE_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


class EntStore(Protocol):
    """Entries shared by every ENT replica. ``ttl_s=None`` means "until deleted"."""

    #: "sqlite" or "redis", for health reports.
    backend: str

    def put(self, kind: str, key: str, value: str, ttl_s: float | None) -> None:
        """Store ``value`` under ``(kind, key)``, replacing any previous one."""
        ...

    def get(self, kind: str, key: str) -> str | None:
        """The live value under ``(kind, key)``, or None (absent or expired)."""
        ...

    def take(self, kind: str, key: str) -> str | None:
        """Remove and return the live value: atomic, so across every replica one caller wins."""
        ...

    def delete(self, kind: str, key: str) -> bool:
        """Remove ``(kind, key)``; True when something was there."""
        ...

    def count(self, kind: str) -> int:
        """How many live entries of ``kind`` there are."""
        ...

    def lose_sessions(self) -> int:
        """Destroy every TGT, service ticket and portal session; return how many were live."""
        ...

    def purge_expired(self) -> int:
        """Drop expired entries (a no-op where the backend expires them itself)."""
        ...

    def ping(self) -> None:
        """Raise if the store cannot be reached."""
        ...

    def close(self) -> None: ...


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown ENT store kind {kind!r}; expected one of {', '.join(KINDS)}")


def redis_target(config: SandboxConfig) -> tuple[str, str]:
    """The connection URL (without ``prefix``) and the key namespace of a ``redis://`` store."""
    parts = urlsplit(config.store_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefixes = [value for name, value in query if name == "prefix"]
    namespace = prefixes[-1] if prefixes else f"entdrill:ent:{config.ent_port}"
    if not NAMESPACE_PATTERN.match(namespace):
        raise InvalidConfig(
            f"store_url prefix {namespace!r} must be 1 to 100 letters, digits or '_.:-'"
        )
    rest = urlencode([(name, value) for name, value in query if name != "prefix"])
    return urlunsplit(parts._replace(query=rest)), namespace


def open_store(config: SandboxConfig, sqlite_path: Path) -> EntStore:
    """The store ``config`` names: Redis for a ``redis://`` URL, else SQLite at ``sqlite_path``."""
    if config.store_url:
        from entdrill.sandbox.ent.redis_store import RedisStore

        url, namespace = redis_target(config)
        return RedisStore(url, namespace)
    from entdrill.sandbox.ent.sqlite_store import SqliteStore

    return SqliteStore(sqlite_path)
