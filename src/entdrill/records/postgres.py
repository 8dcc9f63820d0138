"""The PostgreSQL backend (psycopg 3): ``synchronous_commit`` on, UTC, bounded waits.

The session asks for ``synchronous_commit=on`` (a stronger ``remote_write``/``remote_apply``
already in force is kept) and reads it back: a session left at ``off`` or ``local`` is refused,
since PostgreSQL may then acknowledge a commit it loses on a crash. Tables live in the first
schema of the connection's ``search_path`` (``?options=-csearch_path%3Dname`` in the URL).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.string import TextLoader

from entdrill.errors import RecordsError, RecordsUnavailable
from entdrill.records.connect import display_url
from entdrill.records.database import Database, Row

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10
LOCK_TIMEOUT = "30s"
STATEMENT_TIMEOUT = "600s"
DURABLE_COMMIT = ("on", "remote_write", "remote_apply")
READ_WORK_MEM = "64MB"


class PostgresDatabase(Database):
    dialect = "postgresql"
    for_update = " FOR UPDATE"
    placeholder = "%s"
    tokens = (
        ("json", "JSON"),
        ("time", "TIMESTAMPTZ"),
        ("bool", "BOOLEAN"),
        ("real", "DOUBLE PRECISION"),
        ("C", ' COLLATE "C"'),
    )
    driver_errors = (psycopg.Error,)

    def __init__(
        self, connection: psycopg.Connection[Any], where: str, url: str, read_only: bool = False
    ) -> None:
        super().__init__(where)
        self.connection = connection
        self._url = url
        self._cursors = 0
        self.read_only = read_only

    @classmethod
    def open(cls, url: str, *, read_only: bool = False) -> PostgresDatabase:
        """Connect to ``url`` and check the session is durable; ``read_only`` makes every
        transaction of the session read-only (a read-only command cannot create a table)."""
        return cls(cls._connect(url, read_only), display_url(url), url, read_only)

    @staticmethod
    def _connect(url: str, read_only: bool = False) -> psycopg.Connection[Any]:
        where = display_url(url)
        try:
            connection = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        except (psycopg.Error, ValueError) as error:
            message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            raise RecordsUnavailable(
                f"cannot connect to the records database {where}: {message}"
            ) from None
        try:
            configure(connection)
            if read_only:
                connection.execute("SET default_transaction_read_only = on")
                # Reports run each large query once: compiling it (JIT) costs more than it
                # saves, and the review's reach groups some 320,000 rows of ``ledger_reach``: in
                # memory, not in temporary files.
                connection.execute("SET jit = off")
                connection.execute(f"SET work_mem = '{READ_WORK_MEM}'")
            else:
                check_durability(connection, where)
        except psycopg.Error as error:
            connection.close()
            raise RecordsError(f"records database {where}: {error}") from error
        except BaseException:
            connection.close()
            raise
        return connection

    def _execute(self, sql: str, params: Sequence[Any]) -> Any:
        return self.connection.execute(sql, params or None, prepare=False)

    def _open_stream(self, sql: str, params: Sequence[Any]) -> Any:
        """Inside a transaction, a server-side cursor: large reads (the review's hundreds of
        thousands of rows) are not held whole in client memory before they are converted."""
        if not self.in_transaction:
            return self._execute(sql, params)
        self._cursors += 1
        cursor = self.connection.cursor(name=f"entdrill_records_{self._cursors}")
        cursor.execute(sql, params or None)
        return cursor

    def _insert_many(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def _begin(self, write: bool) -> None:
        """Start a transaction; a connection lost while idle (server restart, idle timeout of
        a proxy) is opened again first, since nothing of this transaction was sent yet."""
        statement = "BEGIN" if write else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        try:
            self.connection.execute(statement)
        except psycopg.OperationalError:
            if not (self.connection.closed or self.connection.broken):
                raise
            logger.warning("records database %s: connection lost, connecting again", self.where)
            self.connection.close()
            self.connection = self._connect(self._url, self.read_only)
            self.connection.execute(statement)

    def time_param(self, value: datetime) -> datetime:
        return value

    def read_time(self, value: Any) -> datetime:
        result: datetime = value if value.tzinfo is UTC else value.astimezone(UTC)
        return result

    def joined(self, expression: str) -> str:
        return f"string_agg(CAST({expression} AS TEXT), ',')"

    def reopen(self) -> PostgresDatabase:
        return PostgresDatabase.open(self._url, read_only=True)

    def epoch_us(self, expression: str) -> str:
        """Whole seconds and microseconds apart: exact whatever type ``EXTRACT`` returns
        (``numeric`` since PostgreSQL 14, ``double precision`` before)."""
        return (
            f"(CAST(EXTRACT(EPOCH FROM date_trunc('second', {expression})) AS BIGINT) * 1000000"
            f" + MOD(CAST(EXTRACT(MICROSECONDS FROM {expression}) AS BIGINT), 1000000))"
        )

    def lock_migrations(self) -> None:
        self.connection.execute(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.entdrill_records'))"
        )

    def _close(self) -> None:
        self.connection.close()


def configure(connection: psycopg.Connection[Any]) -> None:
    """UTC times, JSON read back as text, bounded waits, durable commits."""
    connection.adapters.register_loader("json", TextLoader)
    connection.execute("SET TIME ZONE 'UTC'")
    connection.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    connection.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")
    current = str(connection.execute("SHOW synchronous_commit").fetchone()[0])  # type: ignore[index]
    if current not in DURABLE_COMMIT:
        connection.execute("SET synchronous_commit = on")


def check_durability(connection: psycopg.Connection[Any], where: str) -> None:
    """Refuse a session whose commits PostgreSQL may acknowledge before they are on disk."""
    row = connection.execute("SHOW synchronous_commit").fetchone()
    value = str(row[0]) if row else "unknown"
    if value not in DURABLE_COMMIT:
        raise RecordsUnavailable(
            f"records database {where} runs with synchronous_commit={value}, which can lose "
            "acknowledged commits on a crash; drill records need synchronous_commit=on"
        )
