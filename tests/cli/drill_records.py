"""Records for the drill command tests: a SQLite database with a few realistic drills."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from entdrill.cli import cli
from entdrill.records import DrillDetail, open_records
from entdrill.records.fixtures import make_drills


def records_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    monkeypatch.setenv("ENTDRILL_DB_URL", url)
    return url


def with_drills(url: str, n: int = 6) -> list[DrillDetail]:
    with open_records(url) as records:
        return make_drills(records, n, seed=7, standalone_every=0)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["drill", *args])
