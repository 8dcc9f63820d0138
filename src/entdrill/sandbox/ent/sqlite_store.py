"""The ENT store on embedded SQLite: one file shared by every replica process.

WAL mode lets readers run beside the single writer; ``busy_timeout`` makes a replica wait for
another's write instead of failing; ``synchronous=NORMAL`` keeps commits free of fsync (this is
throw-away session state, not records). Expiry is a timestamp compared with the wall clock, which
every replica on the machine shares; expired rows are invisible at once and purged periodically.
A single-use take is one ``DELETE ... RETURNING`` statement, so exactly one replica gets the row.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from entdrill.errors import SandboxError
from entdrill.sandbox.ent.store import SESSION_KINDS, check_kind
from entdrill.sqlite_wal import enable_wal

BUSY_TIMEOUT_MS = 5000
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at REAL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID
"""


class SqliteStore:
    """:class:`~entdrill.sandbox.ent.store.EntStore` on a SQLite file (WAL, several processes)."""

    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        if sqlite3.sqlite_version_info < (3, 35, 0):
            raise SandboxError(
                f"the ENT store needs SQLite 3.35 or later (DELETE ... RETURNING), "
                f"this Python has {sqlite3.sqlite_version}"
            )
        self.path = path
        # One connection, used from the event loop thread; the lock guards stray callers.
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            enable_wal(self._db, within_s=BUSY_TIMEOUT_MS / 1000)
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(SCHEMA)
        except sqlite3.Error as error:
            raise SandboxError(f"cannot open the ENT store {path}: {error}") from error

    def put(self, kind: str, key: str, value: str, ttl_s: float | None) -> None:
        check_kind(kind)
        expires_at = None if ttl_s is None else time.time() + ttl_s
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO entries (kind, key, value, expires_at) VALUES (?, ?, ?, ?)",
                (kind, key, value, expires_at),
            )

    def get(self, kind: str, key: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM entries WHERE kind = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)",
                (kind, key, time.time()),
            ).fetchone()
        return None if row is None else str(row[0])

    def take(self, kind: str, key: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "DELETE FROM entries WHERE kind = ? AND key = ? RETURNING value, expires_at",
                (kind, key),
            ).fetchone()
        if row is None:
            return None
        value, expires_at = row
        if expires_at is not None and expires_at <= time.time():
            return None
        return str(value)

    def delete(self, kind: str, key: str) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM entries WHERE kind = ? AND key = ?", (kind, key))
        return cursor.rowcount > 0

    def count(self, kind: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM entries WHERE kind = ? AND (expires_at IS NULL OR expires_at > ?)",
                (kind, time.time()),
            ).fetchone()
        return int(row[0])

    def lose_sessions(self) -> int:
        # The statements name the three SESSION_KINDS (tgt, ticket, session).
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "DELETE FROM entries WHERE kind IN (?, ?, ?) AND NOT (expires_at IS NULL OR expires_at > ?)",
                    (*SESSION_KINDS, time.time()),
                )
                cursor = self._db.execute(
                    "DELETE FROM entries WHERE kind IN (?, ?, ?)", SESSION_KINDS
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return cursor.rowcount

    def purge_expired(self) -> int:
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?",
                (time.time(),),
            )
        return cursor.rowcount

    def ping(self) -> None:
        with self._lock:
            self._db.execute("SELECT 1").fetchone()

    def close(self) -> None:
        with self._lock:
            self._db.close()
