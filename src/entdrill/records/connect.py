"""Where the records live and how to open them.

``open_records(url)`` takes, in order: the ``url`` argument, ``ENTDRILL_DB_URL``, else the SQLite
file ``<ENTDRILL_HOME>/records.db``. URLs: ``postgresql://user@host:port/db`` (or
``postgres://``; libpq parameters such as ``?options=-csearch_path%3Dname`` pass through) and
``sqlite:///absolute/path.db`` or ``sqlite:relative/path.db``. Opening checks durability, refuses a
database migrated by a newer entdrill, and applies the migrations this one knows.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from entdrill import paths
from entdrill.errors import RecordsError
from entdrill.records.database import Database
from entdrill.records.migrations import LATEST, check_version, migrate
from entdrill.records.store import Records
from entdrill.redact import MASK, register

URL_VARIABLE = "ENTDRILL_DB_URL"
DEFAULT_FILE = "records.db"


def resolve_url(url: str | None = None) -> str:
    """The records URL to use: ``url``, else ``ENTDRILL_DB_URL``, else the default SQLite file."""
    chosen = (url or "").strip() or os.environ.get(URL_VARIABLE, "").strip()
    if chosen:
        return chosen
    return f"sqlite:///{(paths.home() / DEFAULT_FILE).resolve()}"


def display_url(url: str) -> str:
    """``url`` with any password masked (and registered as a secret), for messages."""
    parts = urlsplit(url)
    if parts.password:
        register(parts.password)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        parts = parts._replace(netloc=f"{parts.username or ''}:{MASK}@{host}")
    query = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "password":
            register(value)
            value = MASK
        query.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(query, safe="=/:*")))


def sqlite_path(url: str) -> str:
    """The file of a ``sqlite:`` URL (``:memory:`` for an in-memory database)."""
    rest = url[len("sqlite:") :]
    if rest.startswith("//"):
        rest = rest[2:]
    if rest.lstrip("/") == ":memory:":
        return ":memory:"
    if not rest.strip("/"):
        raise RecordsError(f"records URL {url!r} names no file; expected sqlite:///path/records.db")
    return "/" + rest.lstrip("/") if rest.startswith("/") else rest


def connect(url: str | None = None) -> Database:
    """An open, durability-checked connection to the records database at ``url``."""
    resolved = resolve_url(url)
    scheme = urlsplit(resolved).scheme.lower() if "://" in resolved else resolved.split(":")[0]
    if scheme in ("postgresql", "postgres"):
        from entdrill.records.postgres import PostgresDatabase

        return PostgresDatabase.open(resolved)
    if scheme == "sqlite":
        from entdrill.records.sqlite import SqliteDatabase

        path = sqlite_path(resolved)
        return SqliteDatabase.open(path if path == ":memory:" else Path(path))
    raise RecordsError(
        f"records URL {display_url(resolved)!r} is neither postgresql://user@host/database nor "
        f"sqlite:///path/records.db (set by the url argument or {URL_VARIABLE})"
    )


def open_records(url: str | None = None, *, migrate_schema: bool = True) -> Records:
    """Open the records store (a context manager): SQLite by default, PostgreSQL by URL.

    Applies pending migrations unless ``migrate_schema`` is False, in which case a database
    behind this entdrill's schema is refused with a sentence saying to migrate.
    """
    db = connect(url)
    try:
        if migrate_schema:
            migrate(db)
        else:
            version = check_version(db)
            if version < LATEST:
                raise RecordsError(
                    f"records database {db.where} is at schema version {version}, behind this "
                    f"entdrill's {LATEST}; run `entdrill records migrate`"
                )
    except BaseException:
        db.close()
        raise
    return Records(db)
