"""The schema is a list of versioned migrations, applied in order, once, under a lock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from entdrill.errors import RecordsError
from entdrill.records import SCHEMA_VERSION, open_records
from entdrill.records.connect import connect
from entdrill.records.migrations import MIGRATIONS, Migration, applied, check_version, migrate

from .support import new_drill


def test_an_empty_database_gets_every_migration_recorded_in_order(records_url: str) -> None:
    db = connect(records_url)
    try:
        assert applied(db) == {}
        assert migrate(db) == [m.version for m in MIGRATIONS]
        recorded = applied(db)
        assert list(recorded) == [m.version for m in MIGRATIONS]
        assert recorded[1] == (MIGRATIONS[0].name, MIGRATIONS[0].checksum)
        assert check_version(db) == SCHEMA_VERSION
    finally:
        db.close()


def test_applying_again_changes_nothing(records_url: str) -> None:
    with open_records(records_url) as records:
        drill_id = new_drill(records)
    db = connect(records_url)
    try:
        before = db.query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
        assert migrate(db) == []
        after = db.query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
        assert after == before
    finally:
        db.close()
    with open_records(records_url) as records:
        assert records.get_drill(drill_id).drill.plan_name == "pre_holiday"


def test_a_database_at_an_older_version_is_upgraded_keeping_its_drills(records_url: str) -> None:
    db = connect(records_url)
    try:
        assert migrate(db, MIGRATIONS[:1]) == [1]
        db.execute(
            "INSERT INTO drills (id, plan_name, plan_path, plan_digest, target, started_at, "
            "status, organisers, summary, last_seq, head_hash) "
            "VALUES ('old', 'p', 'p.yaml', 'd', 'sandbox', ?, 'met', '[]', '{}', 0, ?)",
            (db.time_param(datetime.now(UTC)), "0" * 64),
        )
    finally:
        db.close()
    with open_records(records_url) as records:
        assert [d.id for d in records.list_drills()] == ["old"]
        assert check_version(records.database) == SCHEMA_VERSION
        records.add_finding("old", "low", "kept across the upgrade")


def test_opening_without_migrating_refuses_a_database_behind(records_url: str) -> None:
    db = connect(records_url)
    try:
        migrate(db, MIGRATIONS[:1])
    finally:
        db.close()
    with pytest.raises(RecordsError, match=r"schema version 1, behind .*entdrill records migrate"):
        open_records(records_url, migrate_schema=False)


def test_a_database_from_a_newer_entdrill_is_refused_with_a_sentence(records_url: str) -> None:
    future = (*MIGRATIONS, Migration(SCHEMA_VERSION + 1, "from the future", ("SELECT 1",)))
    db = connect(records_url)
    try:
        migrate(db, future)
    finally:
        db.close()
    with pytest.raises(RecordsError) as caught:
        open_records(records_url)
    message = str(caught.value)
    assert f"schema version {SCHEMA_VERSION + 1}, newer than the {SCHEMA_VERSION}" in message
    assert "upgrade entdrill" in message


def test_a_migration_recorded_differently_is_refused(records_url: str) -> None:
    changed = (Migration(1, MIGRATIONS[0].name, ("CREATE TABLE other (id TEXT)",)),)
    db = connect(records_url)
    try:
        migrate(db, changed)
    finally:
        db.close()
    with pytest.raises(RecordsError, match=r"recorded migration 1 .* differently"):
        open_records(records_url)


def test_the_checksum_ignores_layout_but_not_content() -> None:
    original = Migration(9, "x", ("CREATE TABLE t (a TEXT)",))
    reformatted = Migration(9, "x", ("CREATE TABLE t\n    (a   TEXT)",))
    assert original.checksum == reformatted.checksum
    assert original.checksum != Migration(9, "x", ("CREATE TABLE t (b TEXT)",)).checksum
