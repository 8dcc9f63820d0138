"""`entdrill drill list`: a table of the recorded drills, oldest first, or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from tests.cli.drill_records import invoke, records_url, with_drills


def test_list_shows_one_line_per_drill_under_a_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drills = with_drills(records_url(tmp_path, monkeypatch))
    result = invoke("list")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["ID", "STARTED", "TOOK", "PLAN", "STATUS", "EXIT"]
    assert [row.split()[0] for row in rows] == [d.drill.id for d in drills]
    assert all(row.split()[5] == d.drill.status for row, d in zip(rows, drills, strict=True))


def test_list_json_filters_by_status_and_keeps_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drills = with_drills(records_url(tmp_path, monkeypatch), 12)
    result = invoke("list", "--json", "--last", "2")
    listed = json.loads(result.stdout)
    assert [d["id"] for d in listed] == [d.drill.id for d in drills[-2:]]
    assert set(listed[0]) >= {"id", "plan", "started_at", "status", "exit_code", "pid", "host"}
    status = drills[0].drill.status
    only = json.loads(invoke("list", "--json", "--status", status).stdout)
    assert only and {d["status"] for d in only} == {status}


def test_list_says_so_when_no_drill_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = records_url(tmp_path, monkeypatch)
    CliRunner().invoke(cli, ["records", "migrate", "--url", url])
    result = invoke("list")
    assert result.exit_code == 0 and result.stdout.startswith("no drill recorded in ")


def test_a_missing_database_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    missing = tmp_path / "missing" / "dir" / "records.db"
    result = invoke("list", "--url", f"sqlite:///{missing}")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: no records database at {missing}: no drill was recorded there; give --url URL "
        "or set ENTDRILL_DB_URL\n"
    )
    assert not (tmp_path / "missing").exists()


def test_an_unknown_status_is_refused_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records_url(tmp_path, monkeypatch)
    result = invoke("list", "--status", "finished")
    assert result.exit_code == 2 and "'finished' is not one of" in result.stderr


def test_quiet_prints_only_the_ids_for_scripts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drills = with_drills(records_url(tmp_path, monkeypatch), 3)
    result = invoke("list", "--last", "1", "-q")
    assert result.stdout == drills[-1].drill.id + "\n"
