"""The small database seam the records store is written against, with one subclass per backend.

SQL is written once, with ``?`` placeholders and ``{token}`` type names; each backend renders it
(``%s`` and ``JSON``/``TIMESTAMPTZ`` for PostgreSQL, ``TEXT`` for SQLite). Driver errors become
``RecordsError`` sentences naming the database. Transactions are explicit: a write transaction
takes the write lock up front (``BEGIN IMMEDIATE`` on SQLite; the store adds ``FOR UPDATE`` on
the drill row on PostgreSQL), a read transaction sees one snapshot.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from functools import lru_cache
from typing import Any, ClassVar, NoReturn

from entdrill.errors import RecordsError

Row = tuple[Any, ...]

_TOKEN = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=512)
def render(sql: str, tokens: tuple[tuple[str, str], ...], placeholder: str) -> str:
    """``sql`` with ``{token}`` names replaced and ``?`` placeholders rewritten."""
    mapping = dict(tokens)
    if placeholder != "?":
        sql = sql.replace("%", "%%").replace("?", placeholder)
    return _TOKEN.sub(lambda m: mapping[m.group(1)], sql)


class Database(ABC):
    """One open connection to a records database."""

    dialect: ClassVar[str]
    #: Appended to the SELECT that reads a drill row inside a write transaction.
    for_update: ClassVar[str]
    placeholder: ClassVar[str]
    tokens: ClassVar[tuple[tuple[str, str], ...]]
    driver_errors: ClassVar[tuple[type[Exception], ...]]

    def __init__(self, where: str) -> None:
        self.where = where
        self._depth = 0

    # -- what each backend provides ----------------------------------------------------------

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any]) -> Any:
        """Run rendered ``sql``; return a cursor with ``rowcount`` and ``fetchmany``."""

    @abstractmethod
    def _insert_many(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        """Insert ``rows`` as fast as the backend can (executemany, COPY)."""

    @abstractmethod
    def _begin(self, write: bool) -> None: ...

    @abstractmethod
    def time_param(self, value: datetime) -> Any:
        """A UTC time as this backend stores it."""

    @abstractmethod
    def read_time(self, value: Any) -> datetime:
        """A stored time back as an aware UTC datetime."""

    @abstractmethod
    def epoch_us(self, expression: str) -> str:
        """SQL for the stored time ``expression`` as whole microseconds since the epoch (an
        integer: differences are exact, as ``timedelta``'s)."""

    @abstractmethod
    def joined(self, expression: str) -> str:
        """SQL for the aggregate of the integers ``expression``, as one text of decimal numbers
        separated by commas (thousands of values in one row instead of one row each)."""

    def time_reader(self) -> Callable[[Any], datetime]:
        """The fastest callable doing ``read_time`` (for loops over many rows)."""
        return self.read_time

    @abstractmethod
    def reopen(self) -> Database | None:
        """A second, read-only connection to the same database (None when impossible)."""

    @abstractmethod
    def lock_migrations(self) -> None:
        """Inside a write transaction, keep other processes from migrating at the same time."""

    @abstractmethod
    def _close(self) -> None: ...

    # -- shared -------------------------------------------------------------------------------

    def sql(self, text: str) -> str:
        return render(text, self.tokens, self.placeholder)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; return how many rows it changed."""
        try:
            cursor = self._execute(self.sql(sql), params)
            return int(cursor.rowcount)
        except self.driver_errors as error:
            self._fail(error)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(self.stream(sql, params))

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def stream(self, sql: str, params: Sequence[Any] = (), batch: int = 5000) -> Iterator[Row]:
        """The rows of a query, fetched ``batch`` at a time."""
        try:
            cursor = self._open_stream(self.sql(sql), params)
            try:
                while rows := cursor.fetchmany(batch):
                    yield from rows
            finally:
                cursor.close()
        except self.driver_errors as error:
            self._fail(error)

    def _open_stream(self, sql: str, params: Sequence[Any]) -> Any:
        """A cursor over the rows of ``sql`` (a backend may keep them on the server)."""
        return self._execute(sql, params)

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def insert_many(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        try:
            self._insert_many(table, columns, rows)
        except self.driver_errors as error:
            self._fail(error)

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[None]:
        """One transaction (joined when already inside one): commit on success, else roll back.

        A write commit is durable when this returns (WAL + ``synchronous=FULL``, or
        ``synchronous_commit=on``).
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            self._begin(write)
        except self.driver_errors as error:
            self._fail(error)
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._rollback()
            raise
        self._depth = 0
        try:
            self._execute("COMMIT", ())
        except self.driver_errors as error:
            self._rollback()
            self._fail(error)

    def close(self) -> None:
        try:
            self._close()
        except self.driver_errors as error:
            self._fail(error)

    def _rollback(self) -> None:
        # The connection may be gone; the server then rolls back on its own.
        with suppress(*self.driver_errors):
            self._execute("ROLLBACK", ())

    def _fail(self, error: Exception) -> NoReturn:
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise RecordsError(f"records database {self.where}: {message}") from error
