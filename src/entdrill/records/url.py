"""The one parser of records database URLs: it places the database, or refuses with a sentence.

Accepted:

- ``sqlite:///absolute/path/records.db`` and ``sqlite:relative/path.db`` (a file; no query);
- ``postgresql://user@host:5432/database`` (or ``postgres://``), libpq parameters in the query
  (``?options=-csearch_path%3Dname``, ``sslmode=...``; ``host=`` and ``dbname=`` count as naming
  them, so do ``service=`` and a unix-socket ``host=/run/postgresql``).

Refused, naming where the URL came from (``--url``, ``--db`` or ``ENTDRILL_DB_URL``): text
that is not a URL (``postgresql://[::1``), an invalid port, a PostgreSQL URL that does not say
both which server and which database (``postgresql://`` alone makes libpq connect to the
machine's default database, where entdrill would create its tables), a SQLite URL naming no
file or carrying a query (``sqlite:///x.db?mode=ro`` would be a file called that), control
characters, and any other scheme. Passwords are masked (and registered as secrets) in every
message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from entdrill.errors import RecordsUnavailable
from entdrill.redact import MASK, register

URL_VARIABLE = "ENTDRILL_DB_URL"
MAX_LENGTH = 4096
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Backend = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class RecordsUrl:
    """A records URL that names its database: the backend, the URL to connect, how to show it."""

    backend: Backend
    url: str
    shown: str
    path: str = ""  # SQLite: the file, or ":memory:"

    @property
    def memory(self) -> bool:
        return self.path == ":memory:"


def parse(text: str, source: str = URL_VARIABLE) -> RecordsUrl:
    """Place the database ``text`` names; ``RecordsUnavailable`` (exit 2) says why not."""
    url = text.strip()
    if not url:
        raise _refuse(source, "''", "is empty")
    if len(url) > MAX_LENGTH:
        raise _refuse(source, repr(url[:40] + "..."), f"is longer than {MAX_LENGTH} characters")
    if _CONTROL.search(url):
        raise _refuse(source, repr(url[:60]), "holds control characters")
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "sqlite":
        return RecordsUrl("sqlite", url, url, _sqlite_path(url, source))
    if scheme in ("postgresql", "postgres"):
        return _postgres(url, source)
    raise _refuse(source, repr(display(url)), "is neither a postgresql:// nor a sqlite: URL")


def display(url: str) -> str:
    """``url`` with any password masked (and registered as a secret), for messages."""
    try:
        parts = urlsplit(url)
        password = parts.password
        hostname, port = parts.hostname or "", parts.port
    except ValueError:
        return re.sub(r"(//[^/@:]*:)[^/@]*@", rf"\g<1>{MASK}@", url)
    if not password and "password" not in parts.query:
        return url
    if password:
        register(password)
        host = f"[{hostname}]" if ":" in hostname else hostname
        if port:
            host = f"{host}:{port}"
        parts = parts._replace(netloc=f"{parts.username or ''}:{MASK}@{host}")
    query = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "password":
            register(value)
            value = MASK
        query.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(query, safe="=/:*")))


def _sqlite_path(url: str, source: str) -> str:
    rest = url[len("sqlite:") :]
    if rest.startswith("//"):
        rest = rest[2:]
    if rest.lstrip("/") == ":memory:":
        return ":memory:"
    if "?" in rest or "#" in rest:
        raise _refuse(
            source, repr(url), "carries a query or fragment; a SQLite URL names a file only"
        )
    if not rest.strip("/").strip():
        raise _refuse(source, repr(url), "names no file")
    return "/" + rest.lstrip("/") if rest.startswith("/") else rest


def _postgres(url: str, source: str) -> RecordsUrl:
    shown = display(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
        hostname = parts.hostname
    except ValueError as error:
        raise _refuse(source, repr(shown), f"is not a URL ({error})") from None
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    host = hostname or query.get("host", "") or query.get("hostaddr", "")
    database = parts.path.lstrip("/") or query.get("dbname", "")
    if "service" in query:
        return RecordsUrl("postgresql", url, shown)
    missing = [what for what, given in (("server", host), ("database", database)) if not given]
    if missing:
        raise _refuse(
            source,
            repr(shown),
            f"does not name the {' nor the '.join(missing)}; libpq would pick a default "
            "one, so it is refused",
        )
    return RecordsUrl("postgresql", url, shown)


def _refuse(source: str, shown: str, why: str) -> RecordsUnavailable:
    return RecordsUnavailable(
        f"{source} {shown} {why}; expected postgresql://user@host:5432/database or "
        "sqlite:///path/records.db"
    )
