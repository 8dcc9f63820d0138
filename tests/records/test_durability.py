"""Records refuse to run where a committed event could be lost: SQLite must be in WAL mode with
synchronous=FULL and foreign keys on, PostgreSQL must commit synchronously."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from entdrill.errors import RecordsError
from entdrill.records import open_records, resolve_url
from entdrill.records.postgres import check_durability as check_postgres
from entdrill.records.sqlite import check_durability as check_sqlite
from entdrill.records.sqlite import configure
from entdrill.records.testing import postgres_unavailable, scratch_postgres
from entdrill.testing import free_port


def test_an_opened_sqlite_store_runs_with_wal_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    with open_records(f"sqlite:///{tmp_path / 'r.db'}") as records:
        db = records.database
        assert db.query_one("PRAGMA journal_mode") == ("wal",)
        assert db.query_one("PRAGMA synchronous") == (2,)
        assert db.query_one("PRAGMA foreign_keys") == (1,)


def test_a_sqlite_connection_at_synchronous_normal_is_refused(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "r.db", isolation_level=None)
    try:
        configure(connection)
        connection.execute("PRAGMA synchronous=NORMAL")
        with pytest.raises(RecordsError) as caught:
            check_sqlite(connection, "r.db")
    finally:
        connection.close()
    assert str(caught.value) == (
        "records database r.db runs with synchronous=NORMAL, which can lose the last committed "
        "events on a power loss; drill records need synchronous=FULL"
    )


def test_a_sqlite_connection_without_foreign_keys_is_refused(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "r.db", isolation_level=None)
    try:
        configure(connection)
        connection.execute("PRAGMA foreign_keys=OFF")
        with pytest.raises(RecordsError, match="foreign keys off"):
            check_sqlite(connection, "r.db")
    finally:
        connection.close()


def test_an_in_memory_sqlite_database_is_refused_because_wal_does_not_take() -> None:
    with pytest.raises(RecordsError, match="journal_mode=memory, not WAL"):
        open_records("sqlite:///:memory:")


@pytest.mark.postgres
def test_a_postgres_session_with_synchronous_commit_off_is_refused() -> None:
    if reason := postgres_unavailable():
        pytest.skip(reason)
    with scratch_postgres() as url, psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SET synchronous_commit = off")
        with pytest.raises(RecordsError) as caught:
            check_postgres(connection, "pg")
    assert "synchronous_commit=off, which can lose acknowledged commits" in str(caught.value)


@pytest.mark.postgres
def test_a_url_asking_for_asynchronous_commits_still_gets_synchronous_ones() -> None:
    if reason := postgres_unavailable():
        pytest.skip(reason)
    with scratch_postgres() as url, open_records(url + "%20-csynchronous_commit%3Doff") as records:
        assert records.database.query_one("SHOW synchronous_commit") == ("on",)


def test_the_default_store_is_a_sqlite_file_in_entdrill_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTDRILL_HOME", str(tmp_path / "state"))
    with open_records() as records:
        assert records.backend == "sqlite"
        assert records.where == str(tmp_path / "state" / "records.db")
    assert (tmp_path / "state" / "records.db").stat().st_mode & 0o077 == 0


def test_entdrill_db_url_chooses_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTDRILL_DB_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    assert resolve_url() == f"sqlite:///{tmp_path / 'elsewhere.db'}"
    assert resolve_url("sqlite:///given.db") == "sqlite:///given.db"


def test_an_unknown_url_scheme_is_refused_with_a_sentence() -> None:
    with pytest.raises(RecordsError) as caught:
        open_records("mysql://user:hunter2secret@127.0.0.1/db")
    assert str(caught.value) == (
        "--url 'mysql://user:***@127.0.0.1/db' is neither a postgresql:// nor a sqlite: URL; "
        "expected postgresql://user@host:5432/database or sqlite:///path/records.db"
    )
    assert "hunter2secret" not in str(caught.value)


def test_an_unreachable_postgres_is_reported_without_its_password() -> None:
    url = f"postgresql://postgres:s3cret-pass-word@127.0.0.1:{free_port()}/test"
    with pytest.raises(RecordsError) as caught:
        open_records(url)
    message = str(caught.value)
    assert message.startswith("cannot connect to the records database postgresql://postgres:***@")
    assert "s3cret-pass-word" not in message


@pytest.mark.postgres
def test_a_postgres_connection_lost_between_events_is_opened_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    if reason := postgres_unavailable():
        pytest.skip(reason)
    with scratch_postgres() as url, open_records(url) as records:
        drill = records.create_drill(
            plan_name="p", plan_path="p.yaml", plan_digest="d", target="sandbox"
        )
        pid = records.database.query_one("SELECT pg_backend_pid()")
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", pid)
        event = records.append_event(drill.id, "inject", "after_reconnect", {})
        assert event.seq == 2
        assert "connection lost, connecting again" in caplog.text
        assert records.verify_chain(drill.id).ok
