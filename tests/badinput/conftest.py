"""What the bad-input corpus shares: records to read, a PostgreSQL schema, the count printed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from entdrill.records import open_records
from entdrill.records.fixtures import make_drills
from entdrill.records.testing import postgres_unavailable, scratch_postgres

from .corpus import Case, summary
from .corpus import run as run_case

REPO = Path(__file__).resolve().parents[2]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    text = summary()
    if not text.startswith("bad-input corpus: 0 cases"):
        terminalreporter.write_line(text)


@pytest.fixture(scope="session")
def records_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A records database with a few drills, one of them still running with a manual step."""
    path = tmp_path_factory.mktemp("badinput-records") / "records.db"
    with open_records(f"sqlite:///{path}") as records:
        make_drills(records, 3, seed=11, standalone_every=0)
        running = records.create_drill(
            plan_name="pre-holiday", plan_path="drills/pre_holiday.yaml", plan_digest="0" * 64,
            target="sandbox", drill_id="0190aaaa-running-drill-for-the-corpus",
        )  # fmt: skip
        records.append_event(
            running.id, "plan", "loaded", {"manual_steps": {"switch-classes": ["lea.mercier"]}}
        )
    return path


@pytest.fixture(scope="session")
def foreign_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database that is not entdrill's."""
    path = tmp_path_factory.mktemp("badinput-foreign") / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[tuple[str, Callable[[], int]]]:
    """A URL into an empty schema of the test server, and a count of its tables."""
    reason = postgres_unavailable()
    if reason:
        yield "", lambda: 0
        return
    import psycopg

    with scratch_postgres(prefix="entdrill_badinput") as url:
        schema = url.rsplit("search_path%3D", 1)[-1]

        def tables() -> int:
            with psycopg.connect(url, connect_timeout=5) as connection:
                row = connection.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)
                ).fetchone()
            return int(row[0]) if row else 0

        yield url, tables


@pytest.fixture
def corpus(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    records_template: Path,
    foreign_database: Path,
    postgres_schema: tuple[str, Callable[[], int]],
) -> Callable[[Case], object]:
    """Run a case in a fresh directory (the working directory too); each call gets its own, so
    a property test runs many cases."""
    pg_url, tables = postgres_schema
    count = iter(range(1_000_000))
    extra = {
        "repo": str(REPO),
        "plan": str(REPO / "drills" / "pre_holiday.yaml"),
        "records": str(records_template),
        "foreign": str(foreign_database),
        "pg": pg_url,
    }

    def run(case: Case) -> object:
        if case.postgres and not pg_url:
            pytest.skip(postgres_unavailable() or "PostgreSQL not reachable")
        work = tmp_path / f"case-{next(count)}"
        work.mkdir()
        monkeypatch.chdir(work)
        return run_case(case, work, extra, tables)

    return run
