"""The SQLite backend: one file, WAL journal, ``synchronous=FULL``, foreign keys on.

The pragmas are set on every connection and read back: a database where they did not take (an
in-memory database, a file system without shared memory for WAL, a connection left at
``synchronous=NORMAL``) is refused, because a drill record there could lose its last events.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from entdrill.errors import RecordsUnavailable
from entdrill.records.database import Database, Row
from entdrill.records.encoding import format_time
from entdrill.sqlite_wal import enable_wal

BUSY_TIMEOUT_S = 30.0
DURABLE_SYNCHRONOUS = {2: "FULL", 3: "EXTRA"}
SYNCHRONOUS_NAMES = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


class SqliteDatabase(Database):
    dialect = "sqlite"
    for_update = ""
    placeholder = "?"
    tokens = (("json", "TEXT"), ("time", "TEXT"), ("bool", "INTEGER"), ("real", "REAL"), ("C", ""))
    driver_errors = (sqlite3.Error,)

    def __init__(self, connection: sqlite3.Connection, where: str) -> None:
        super().__init__(where)
        self.connection = connection

    @classmethod
    def open(cls, path: Path | str, *, read_only: bool = False) -> SqliteDatabase:
        """Open the database at ``path`` and check it is durable; ``read_only`` opens an existing
        file with ``mode=ro`` (nothing is created or changed, durability is not needed)."""
        where = str(path)
        if read_only:
            return cls(_open_read_only(where), where)
        if where != ":memory:":
            target = Path(path)
            try:
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            except OSError as error:
                raise RecordsUnavailable(
                    f"cannot create the directory of the records database {where}: "
                    f"{(error.strerror or str(error)).lower()}"
                ) from None
            existed = target.exists()
        try:
            connection = sqlite3.connect(
                where, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise RecordsUnavailable(f"cannot open the records database {where}: {error}") from None
        try:
            configure(connection)
            check_durability(connection, where)
        except sqlite3.DatabaseError as error:
            connection.close()
            raise _not_a_database(where, error) from None
        except BaseException:
            connection.close()
            raise
        if where != ":memory:" and not existed:
            Path(path).chmod(0o600)
        return cls(connection, where)

    def _execute(self, sql: str, params: Sequence[Any]) -> Any:
        return self.connection.execute(sql, params)

    def _insert_many(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        self.connection.executemany(sql, rows)

    def _begin(self, write: bool) -> None:
        self.connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def time_param(self, value: datetime) -> str:
        return format_time(value)

    def read_time(self, value: Any) -> datetime:
        return datetime.fromisoformat(value)

    def time_reader(self) -> Callable[[Any], datetime]:
        return datetime.fromisoformat

    def epoch_us(self, expression: str) -> str:
        """Times are stored as ``format_time`` writes them (``2026-03-02T08:15:00.250000+00:00``,
        fixed width, UTC): the whole seconds from the Julian day of the first 19 characters
        (a whole number of milliseconds inside SQLite, so rounding the seconds is exact), the
        microseconds from their six digits."""
        return (
            f"(CAST(ROUND((julianday(substr({expression}, 1, 19)) - 2440587.5) * 86400.0)"
            f" AS INTEGER) * 1000000 + CAST(substr({expression}, 21, 6) AS INTEGER))"
        )

    def joined(self, expression: str) -> str:
        return f"group_concat({expression}, ',')"

    def reopen(self) -> SqliteDatabase | None:
        if self.where == ":memory:":
            return None
        return SqliteDatabase.open(self.where, read_only=True)

    def lock_migrations(self) -> None:
        """``BEGIN IMMEDIATE`` already holds the database's write lock."""

    def _close(self) -> None:
        self.connection.close()


def _open_read_only(where: str) -> sqlite3.Connection:
    """A read-only connection to the existing file ``where``, proven to be a SQLite database."""
    uri = f"file:{urllib.parse.quote(os.path.abspath(where))}?mode=ro"
    try:
        connection = sqlite3.connect(
            uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as error:
        raise RecordsUnavailable(f"cannot open the records database {where}: {error}") from None
    try:
        connection.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        connection.close()
        raise _not_a_database(where, error) from None
    return connection


def _not_a_database(where: str, error: sqlite3.Error) -> RecordsUnavailable:
    return RecordsUnavailable(
        f"{where} cannot be read as a records database ({error}); expected a SQLite database "
        "written by entdrill"
    )


def configure(connection: sqlite3.Connection) -> None:
    """Ask for what drill records need: WAL, ``synchronous=FULL``, foreign keys."""
    enable_wal(connection, within_s=BUSY_TIMEOUT_S)
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")


def check_durability(connection: sqlite3.Connection, where: str) -> None:
    """Refuse a connection on which the durability pragmas are not in force."""
    journal_mode = str(connection.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    if journal_mode != "wal":
        raise RecordsUnavailable(
            f"records database {where} runs with journal_mode={journal_mode}, not WAL; drill "
            "records need a WAL database file on a local file system"
        )
    synchronous = int(connection.execute("PRAGMA synchronous").fetchone()[0])
    if synchronous not in DURABLE_SYNCHRONOUS:
        name = SYNCHRONOUS_NAMES.get(synchronous, str(synchronous))
        raise RecordsUnavailable(
            f"records database {where} runs with synchronous={name}, which can lose the last "
            "committed events on a power loss; drill records need synchronous=FULL"
        )
    if int(connection.execute("PRAGMA foreign_keys").fetchone()[0]) != 1:
        raise RecordsUnavailable(
            f"records database {where} runs with foreign keys off; drill records need them on"
        )
