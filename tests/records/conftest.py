"""Every records test runs on both backends: a SQLite file in a temporary directory, and a
fresh schema of the PostgreSQL test server (dropped afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from entdrill.records import Records, open_records
from entdrill.records.testing import postgres_unavailable, scratch_postgres

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True)
def _no_configured_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never write to a records database configured in the environment."""
    monkeypatch.delenv("ENTDRILL_DB_URL", raising=False)
    monkeypatch.setenv("ENTDRILL_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="session")
def postgres_reason() -> str | None:
    return postgres_unavailable()


@pytest.fixture(params=BACKENDS)
def records_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_reason: str | None
) -> Iterator[str]:
    """The URL of an empty records database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'records.db'}"
        return
    if postgres_reason:
        pytest.skip(postgres_reason)
    with scratch_postgres() as url:
        yield url


@pytest.fixture
def records(records_url: str) -> Iterator[Records]:
    with open_records(records_url) as opened:
        yield opened
