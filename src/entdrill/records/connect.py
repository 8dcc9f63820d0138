"""Where the records live and how to open them.

``open_records(url)`` takes, in order: the ``url`` argument, ``ENTDRILL_DB_URL``, else the SQLite
file ``<ENTDRILL_HOME>/records.db``. URLs are placed by :mod:`entdrill.records.url` (which
refuses any URL that does not say which database). Opening checks durability, refuses a
database migrated by a newer entdrill, and applies the migrations this one knows.

Three modes, so a command never creates more than it means to:

- ``create`` (``drill run``, ``records migrate``): the database, its directory and its tables
  are created when missing;
- ``existing`` (``drill confirm``, ``drill recover``): the database must already hold entdrill's
  records; it is written to, never created;
- ``read`` (``drill list``, ``drill show``, ``records verify``, ``review``): opened read-only
  (SQLite ``mode=ro``, PostgreSQL read-only transactions), never migrated; a missing file, an
  empty one, or a database without entdrill's tables is refused with a sentence.
"""

from __future__ import annotations

import os
from typing import Literal

from entdrill import paths
from entdrill.errors import RecordsUnavailable
from entdrill.records.database import Database
from entdrill.records.migrations import LATEST, check_version, migrate
from entdrill.records.store import Records
from entdrill.records.url import URL_VARIABLE, RecordsUrl, parse
from entdrill.records.url import display as display_url

__all__ = [
    "DEFAULT_FILE",
    "URL_HELP",
    "URL_VARIABLE",
    "Mode",
    "connect",
    "display_url",
    "missing_file",
    "open_records",
    "place",
    "resolve_url",
]

DEFAULT_FILE = "records.db"
URL_HELP = (
    f"Records database URL: postgresql://user@host:5432/database or sqlite:///path/records.db "
    f"(default: {URL_VARIABLE}, else $ENTDRILL_HOME/records.db, $ENTDRILL_HOME being ./.entdrill "
    "unless set)."
)
Mode = Literal["create", "existing", "read"]


def resolve_url(url: str | None = None) -> str:
    """The records URL to use: ``url``, else ``ENTDRILL_DB_URL``, else the default SQLite file."""
    chosen = (url or "").strip() or os.environ.get(URL_VARIABLE, "").strip()
    if chosen:
        return chosen
    return f"sqlite:///{(paths.home() / DEFAULT_FILE).resolve()}"


def place(url: str | None = None, option: str = "--url") -> RecordsUrl:
    """The database ``url`` (or the environment, or the default) names, checked."""
    if (url or "").strip():
        return parse(str(url), option)
    if os.environ.get(URL_VARIABLE, "").strip():
        return parse(os.environ[URL_VARIABLE], URL_VARIABLE)
    return parse(resolve_url(), "the default records file")


def missing_file(url: str | None = None, option: str = "--url") -> str:
    """The SQLite file ``url`` names when it does not exist yet (else ""): nothing recorded."""
    placed = place(url, option)
    if placed.backend != "sqlite" or placed.memory or os.path.exists(placed.path):
        return ""
    return placed.path


def connect(url: str | None = None, *, mode: Mode = "create", option: str = "--url") -> Database:
    """An open connection to the records database at ``url`` (see the modes above)."""
    placed = place(url, option)
    if placed.backend == "postgresql":
        from entdrill.records.postgres import PostgresDatabase

        return PostgresDatabase.open(placed.url, read_only=mode == "read")
    from entdrill.records.sqlite import SqliteDatabase

    if mode != "create" and not placed.memory:
        if not os.path.isfile(placed.path):
            raise RecordsUnavailable(
                f"no records database at {placed.path}: no drill was recorded there; give "
                f"{option} URL or set {URL_VARIABLE}"
            )
        if os.path.getsize(placed.path) == 0:
            raise RecordsUnavailable(
                f"{placed.path} is an empty file, not a records database: no drill was recorded "
                "there"
            )
    return SqliteDatabase.open(placed.path, read_only=mode == "read")


def open_records(
    url: str | None = None,
    *,
    migrate_schema: bool = True,
    mode: Mode = "create",
    option: str = "--url",
) -> Records:
    """Open the records store (a context manager): SQLite by default, PostgreSQL by URL.

    Applies pending migrations in the ``create`` and ``existing`` modes unless
    ``migrate_schema`` is False; otherwise a database behind this entdrill's schema is refused
    with a sentence saying to migrate, and one without entdrill's tables is refused as such.
    """
    if mode == "existing":
        # Look first without writing: a SQLite file that is not entdrill's must not be switched
        # to WAL (a write) before it is refused.
        with Records(connect(url, mode="read", option=option)) as probe:
            _require_records(probe.database)
    db = connect(url, mode=mode, option=option)
    try:
        if mode == "create" and migrate_schema:
            migrate(db)
        else:
            _require_schema(db, may_migrate=migrate_schema and mode == "existing")
    except BaseException:
        db.close()
        raise
    return Records(db)


def _require_records(db: Database) -> int:
    """The schema version of ``db``; refused when it holds no entdrill records at all."""
    version = check_version(db)
    if version == 0:
        raise RecordsUnavailable(
            f"{db.where} holds no entdrill records (no drill was recorded there); check the URL, "
            "or run `entdrill records migrate` to prepare it"
        )
    return version


def _require_schema(db: Database, *, may_migrate: bool) -> None:
    version = _require_records(db)
    if version < LATEST:
        if may_migrate:
            migrate(db)
            return
        raise RecordsUnavailable(
            f"records database {db.where} is at schema version {version}, behind this "
            f"entdrill's {LATEST}; run `entdrill records migrate`"
        )
