"""Processes that open one fresh SQLite file at the same moment all get it in WAL mode.

Without the retry, about one round in four failed here with "database is locked" (SQLite does
not wait on the busy handler when two processes switch a file to WAL together); the sandbox's
ENT replicas failed to start that way.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from entdrill.records.sqlite import configure
from entdrill.sandbox.ent.sqlite_store import SqliteStore
from entdrill.sqlite_wal import enable_wal

PROCESSES = 6
ROUNDS = 25


def _open_store(path: Path) -> str:
    SqliteStore(path).put("session", "k", "v", None)
    return ""


def _open_records(path: Path) -> str:
    connection = sqlite3.connect(path, timeout=5, isolation_level=None)
    configure(connection)
    mode = str(connection.execute("PRAGMA journal_mode").fetchone()[0])
    return "" if mode == "wal" else f"journal_mode={mode}"


def _together(opener: Callable[[Path], str], path: Path, barrier: Barrier, out: Queue[str]) -> None:
    barrier.wait()
    try:
        out.put(opener(path))
    except Exception as error:
        out.put(f"{type(error).__name__}: {error}")


@pytest.mark.parametrize("opener", [_open_store, _open_records], ids=["ent-store", "records"])
def test_processes_opening_one_fresh_file_together_all_succeed(
    opener: Callable[[Path], str], tmp_path: Path
) -> None:
    context = multiprocessing.get_context("fork")
    failures = []
    for round_ in range(ROUNDS):
        path = tmp_path / f"round-{round_}.db"
        barrier = context.Barrier(PROCESSES)
        out: Queue[str] = context.Queue()
        processes = [
            context.Process(target=_together, args=(opener, path, barrier, out))
            for _ in range(PROCESSES)
        ]
        for process in processes:
            process.start()
        results = [out.get(timeout=30) for _ in processes]
        for process in processes:
            process.join(timeout=30)
        failures += [f"round {round_}: {result}" for result in results if result]
    assert failures == []


def test_a_lock_held_longer_than_the_wait_is_still_reported(tmp_path: Path) -> None:
    path = tmp_path / "held.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        enable_wal(other, within_s=0.2)
    holder.execute("COMMIT")
    assert enable_wal(other, within_s=0.2) == "wal"
