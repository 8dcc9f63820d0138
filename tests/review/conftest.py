"""Records of many drills for the review's tests, written once per session on each backend
(the same seed on both, so both hold the same records)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from entdrill.records import open_records
from entdrill.records.fixtures import make_drills
from entdrill.records.testing import postgres_unavailable, scratch_postgres

FLEET_DRILLS = 300
FLEET_SEED = 7


def _fill(url: str) -> str:
    with open_records(url) as records:
        make_drills(records, FLEET_DRILLS, seed=FLEET_SEED, keep=False)
    return url


@pytest.fixture(scope="session")
def fleet_sqlite(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite records file with 300 fixture drills over two school years."""
    return _fill(f"sqlite:///{tmp_path_factory.mktemp('fleet') / 'records.db'}")


@pytest.fixture(scope="session")
def fleet_postgres() -> Iterator[str]:
    """The same 300 drills in a scratch schema of the test PostgreSQL server."""
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    with scratch_postgres(prefix="entdrill_review") as url:
        yield _fill(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fleet(request: pytest.FixtureRequest) -> str:
    """The fleet's URL on each backend."""
    name = "fleet_sqlite" if request.param == "sqlite" else "fleet_postgres"
    url: str = request.getfixturevalue(name)
    return url
