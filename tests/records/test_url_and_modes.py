"""Records URLs are placed or refused by one parser; each opening mode creates what it may only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from entdrill.errors import RecordsError, RecordsUnavailable
from entdrill.records import open_records
from entdrill.records.url import parse

from .support import new_drill


@pytest.mark.parametrize(
    ("url", "backend", "path"),
    [
        ("sqlite:///tmp/x/records.db", "sqlite", "/tmp/x/records.db"),
        ("sqlite:relative/r.db", "sqlite", "relative/r.db"),
        ("sqlite:///:memory:", "sqlite", ":memory:"),
        ("postgresql://postgres@127.0.0.1:5432/test", "postgresql", ""),
        ("postgres://u@db.example/drills?options=-csearch_path%3Dx", "postgresql", ""),
        ("postgresql:///drills?host=/run/postgresql", "postgresql", ""),
        ("postgresql://?service=drills", "postgresql", ""),
    ],
)
def test_a_url_that_names_its_database_is_placed(url: str, backend: str, path: str) -> None:
    placed = parse(url, "--url")
    assert (placed.backend, placed.path, placed.url) == (backend, path, url)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("postgresql://", "does not name the server nor the database"),
        ("postgresql://u@host", "does not name the database"),
        ("postgresql:///db", "does not name the server"),
        ("postgresql://[::1", "is not a URL (Invalid IPv6 URL)"),
        ("postgresql://h:70000/db", "is not a URL"),
        ("mysql://h/db", "is neither a postgresql:// nor a sqlite: URL"),
        ("sqlite://", "names no file"),
        ("sqlite:///r.db?mode=ro", "carries a query or fragment"),
        ("sqlite:///r\n.db", "holds control characters"),
        ("", "is empty"),
    ],
)
def test_a_url_that_does_not_place_a_database_is_one_sentence_naming_its_source(
    url: str, why: str
) -> None:
    with pytest.raises(RecordsUnavailable) as caught:
        parse(url, "ENTDRILL_DB_URL")
    message = str(caught.value)
    assert message.startswith("ENTDRILL_DB_URL ") and why in message
    assert message.endswith(
        "expected postgresql://user@host:5432/database or sqlite:///path/records.db"
    )
    assert caught.value.exit_code == 2


def test_a_password_is_never_in_the_sentence() -> None:
    with pytest.raises(RecordsUnavailable) as caught:
        parse("postgresql://u:hunter2secret@[::1/db", "--url")
    assert "hunter2secret" not in str(caught.value) and "u:***@" in str(caught.value)


def test_reading_creates_no_file_and_never_turns_an_empty_file_into_a_database(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "no" / "dir" / "records.db"
    with pytest.raises(RecordsUnavailable, match=f"no records database at {missing}"):
        open_records(f"sqlite:///{missing}", mode="read")
    assert not (tmp_path / "no").exists()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for mode in ("read", "existing"):
        with pytest.raises(RecordsUnavailable, match="is an empty file, not a records database"):
            open_records(f"sqlite:///{empty}", mode=mode)  # type: ignore[arg-type]
    assert empty.read_bytes() == b"" and sorted(os.listdir(tmp_path)) == ["empty.db"]


def test_existing_mode_leaves_a_foreign_sqlite_database_as_it_was(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    before = other.read_bytes()
    with pytest.raises(RecordsUnavailable, match="holds no entdrill records"):
        open_records(f"sqlite:///{other}", mode="existing")
    assert other.read_bytes() == before  # not switched to WAL, no table added


def test_read_mode_reads_on_both_backends_and_refuses_to_write(records_url: str) -> None:
    with open_records(records_url) as records:
        drill_id = new_drill(records)
    with open_records(records_url, mode="read") as records:
        assert [d.id for d in records.list_drills()] == [drill_id]
        with pytest.raises(RecordsError, match=r"read-only|readonly"):
            records.append_event(drill_id, "inject", "tick", {})


def test_read_mode_creates_no_table_in_an_empty_postgresql_schema(
    postgres_reason: str | None,
) -> None:
    if postgres_reason:
        pytest.skip(postgres_reason)
    import psycopg

    from entdrill.records.testing import scratch_postgres

    with scratch_postgres() as url:
        with pytest.raises(RecordsUnavailable, match="holds no entdrill records"):
            open_records(url, mode="read")
        schema = url.rsplit("search_path%3D", 1)[-1]
        with psycopg.connect(url) as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)
            ).fetchone()
        assert row is not None and row[0] == 0
