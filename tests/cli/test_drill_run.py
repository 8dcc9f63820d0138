"""`entdrill drill run` and its sibling commands: help for each, and bad input as one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.cli.drill import SUBCOMMANDS


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_drill_subcommand_has_help(name: str) -> None:
    result = CliRunner().invoke(cli, ["drill", name, "--help"])
    assert result.exit_code == 0 and "Usage: " in result.stdout
    summary = result.stdout.split("\n\n")[1].strip()
    assert summary and summary[0].isupper()


def test_a_missing_plan_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["drill", "run", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'nope.yaml'}: cannot read the plan (No such file or directory)"
    ]


def test_the_docs_document_every_drill_subcommand() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "drills.md").read_text()
    for name in SUBCOMMANDS:
        assert f"entdrill drill {name}" in page


def test_the_help_names_the_default_records_database_where_it_is() -> None:
    result = CliRunner().invoke(cli, ["drill", "run", "--help"], terminal_width=200)
    assert "(default: ENTDRILL_DB_URL, else $ENTDRILL_HOME/records.db, $ENTDRILL_HOME being" in (
        " ".join(result.stdout.split())
    )
