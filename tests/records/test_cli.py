"""``entdrill records migrate`` and ``entdrill records verify`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.records import open_records

from .support import new_drill


def test_migrate_applies_then_reports_up_to_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    first = CliRunner().invoke(cli, ["records", "migrate", "--url", url])
    assert first.exit_code == 0, first.output
    assert first.output == f"{tmp_path / 'r.db'}: applied migrations 1, 2, 3, 4\n"
    again = CliRunner().invoke(cli, ["records", "migrate", "--url", url])
    assert again.output == f"{tmp_path / 'r.db'}: schema already up to date\n"


def test_verify_exits_0_on_an_intact_chain_and_1_naming_the_broken_seq(records_url: str) -> None:
    with open_records(records_url) as records:
        drill_id = new_drill(records)
        records.append_event(drill_id, "inject", "tick", {"i": 1})
    ok = CliRunner().invoke(cli, ["records", "verify", drill_id, "--url", records_url])
    assert (ok.exit_code, ok.output) == (0, f"drill {drill_id}: 2 events, hash chain verified\n")
    with open_records(records_url) as records:
        records.database.execute("UPDATE events SET data = '{\"i\":2}' WHERE seq = 2")
    broken = CliRunner().invoke(
        cli, ["records", "verify", drill_id, "--url", records_url, "--json"]
    )
    assert broken.exit_code == 1
    report = json.loads(broken.output)
    assert (report["ok"], [p["seq"] for p in report["problems"]]) == (False, [2])


def test_verify_of_an_unknown_drill_is_bad_input_exit_2_not_a_broken_chain(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    CliRunner().invoke(cli, ["records", "migrate", "--url", url])
    result = CliRunner().invoke(cli, ["records", "verify", "nope", "--url", url])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: no drill with id 'nope' in the records database {tmp_path / 'r.db'}; "
        "`entdrill drill list` shows them\n"
    )


def test_verify_of_a_missing_database_creates_nothing_and_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "r.db"
    result = CliRunner().invoke(cli, ["records", "verify", "x", "--url", f"sqlite:///{missing}"])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: no records database at {missing}")
    assert not (tmp_path / "no").exists()


def test_every_records_command_has_help() -> None:
    result = CliRunner().invoke(cli, ["records", "--help"])
    assert result.exit_code == 0
    assert "migrate" in result.output and "verify" in result.output
    for command in ("migrate", "verify"):
        helped = CliRunner().invoke(cli, ["records", command, "--help"])
        assert helped.exit_code == 0 and "--url" in helped.output
