"""Switch a SQLite file to WAL when several processes open it at the same moment.

``PRAGMA journal_mode=WAL`` on a fresh file needs an exclusive lock, taken while the connection
already holds a shared one. When two processes do it at once, SQLite does not wait on the busy
handler (that could deadlock): one of them gets "database is locked" at once, whatever the
``busy_timeout``. The sandbox's ENT replicas start together on one store, and flood shards or
drill processes can open one fresh records file together, so the switch is retried here until the
other process has finished it (after which the pragma is a no-op that needs no exclusive lock).
"""

from __future__ import annotations

import sqlite3
import time

__all__ = ["enable_wal"]

RETRY_PAUSE_S = 0.01


def enable_wal(connection: sqlite3.Connection, *, within_s: float) -> str:
    """Run ``PRAGMA journal_mode=WAL`` on ``connection``, retrying a lock conflict with another
    process for up to ``within_s`` seconds; return the journal mode SQLite reports after it (a file
    system without shared memory can leave it at ``delete``: the caller decides)."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            row = connection.execute("PRAGMA journal_mode=WAL").fetchone()
        except sqlite3.OperationalError as error:
            if not _is_lock_conflict(error) or time.monotonic() >= deadline:
                raise
            time.sleep(RETRY_PAUSE_S)
            continue
        return str(row[0]).lower()


def _is_lock_conflict(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == sqlite3.SQLITE_BUSY)
    return "locked" in str(error) or "busy" in str(error)
