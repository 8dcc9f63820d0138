"""``entdrill review`` through click: formats, files, exit codes and error sentences."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.records import open_records
from entdrill.records.fixtures import make_drills


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('small') / 'records.db'}"
    with open_records(url) as records:
        make_drills(records, 30, seed=3, keep=False)
    return url


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["review", *args], env=env)


def test_html_goes_to_stdout_by_default(small: str) -> None:
    result = run("--db", small)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("<!DOCTYPE html>")
    assert 'data-figure="overall-score"' in result.output


def test_out_writes_the_page_and_says_where(small: str, tmp_path: Path) -> None:
    out = tmp_path / "reviews" / "spring.html"
    result = run("--db", small, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert f"Review of 30 drills written to {out}: " in result.output
    assert "; overall readiness " in result.output and "Headroom" in result.output
    assert list(out.parent.iterdir()) == [out], "no temporary file left behind"


def test_markdown_by_suffix_writes_its_charts_next_to_it(small: str, tmp_path: Path) -> None:
    out = tmp_path / "review.md"
    result = run("--db", small, "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    charts = sorted((tmp_path / "review-charts").iterdir())
    assert charts and all(p.suffix == ".svg" for p in charts)
    for chart in charts:
        assert f"](review-charts/{chart.name})" in text
        assert chart.read_text().startswith("<svg xmlns=")


def test_markdown_to_stdout_has_tables_and_no_images(small: str) -> None:
    result = run("--db", small, "--format", "md")
    assert result.exit_code == 0
    assert result.output.startswith("# Continuity readiness review") and "![" not in result.output


def test_the_database_comes_from_the_environment_without_db(small: str) -> None:
    result = run("--format", "md", env={"ENTDRILL_DB_URL": small})
    assert result.exit_code == 0 and "30 drills" in result.output


def test_one_drill_is_reviewed_alone(small: str) -> None:
    with open_records(small) as records:
        drill = records.list_drills()[10]
    result = run("--db", small, "--drill", drill.id, "--format", "md")
    assert result.exit_code == 0, result.output
    assert f"Drill {drill.id}, started" in result.output
    assert "1 drill:" in result.output


def test_an_empty_period_writes_a_page_saying_so_and_exits_1(small: str, tmp_path: Path) -> None:
    out = tmp_path / "empty.html"
    result = run("--db", small, "--since", "2019-01-01", "--until", "2019-06-30", "--out", str(out))
    assert result.exit_code == 1
    assert "No drills in this period" in result.output
    assert 'data-figure="no-drills">No drills in this period.' in out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-02-30"], "Error: --since: expected a date YYYY-MM-DD"),
        (["--until", "soon"], "Error: --until: expected a date YYYY-MM-DD"),
        (["--since", "2026-03-02", "--until", "2026-03-01"], "must come after --since"),
        (["--drill", "0190-nope"], "Error: no drill with id '0190-nope'"),
        (["--drill", "x", "--since", "2026-01-01"], "--drill reviews one drill"),
        (["--format", "pdf"], "Invalid value for '--format'"),
        (["--as-of", "soon"], "Error: --as-of: expected a date YYYY-MM-DD (the review date)"),
        (["--as-of", "2026-02-30"], "Error: --as-of: expected a date YYYY-MM-DD"),
        (["--as-of", "2026-04-01T08:00"], "Error: --as-of: expected a date YYYY-MM-DD"),
        (["--required-multiple", "0"], "Error: --required-multiple must be a number above 0"),
        (["--required-multiple", "-100"], "Error: --required-multiple must be a number above 0"),
        (["--required-multiple", "nan"], "Error: --required-multiple must be a number above 0"),
        (["--normal-rate", "0"], "Error: --normal-rate must be a number above 0"),
        (["--zone", "D"], "Invalid value for '--zone'"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(small: str, args: list[str], message: str) -> None:
    result = run("--db", small, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_missing_sqlite_file_is_an_error_not_a_new_database(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "records.db"
    result = run("--db", f"sqlite:///{missing}")
    assert result.exit_code == 2
    assert f"Error: no records database at {missing}" in result.output
    assert not missing.exists() and not missing.parent.exists()


def test_an_unreadable_database_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    garbage = tmp_path / "records.db"
    garbage.write_text("not a database at all " * 100)
    result = run("--db", f"sqlite:///{garbage}")
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {garbage} cannot be read as a records database (file is not a database); "
        "expected a SQLite database written by entdrill\n"
    )
    refused = run("--db", "postgresql://postgres:hunter2secret@127.0.0.1:1/none")
    assert refused.exit_code == 2
    assert "Error: cannot connect to the records database" in refused.output
    assert "hunter2secret" not in refused.output


def test_an_unwritable_out_is_one_sentence(small: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("--db", small, "--out", str(blocker / "review.html"))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: --out {blocker / 'review.html'}: {blocker} is a file, not a directory, so "
        "nothing can be written under it\n"
    )


def test_the_command_is_listed_and_documented() -> None:
    listing = CliRunner().invoke(cli, ["--help"])
    assert "review" in listing.output
    result = run("--help")
    assert result.exit_code == 0
    for option in (
        "--since", "--until", "--format", "--out", "--db", "--drill", "--as-of",
        "--required-multiple", "--normal-rate", "--zone",
    ):  # fmt: skip
        assert option in result.output


def test_as_of_dates_the_review_and_ends_the_period_that_day(small: str, tmp_path: Path) -> None:
    whole = run("--db", small, "--format", "md", "--zone", "B")
    early = run("--db", small, "--format", "md", "--zone", "B", "--as-of", "2025-09-20")
    assert whole.exit_code == 0 and early.exit_code in (0, 1)
    assert "Review date 2025-09-20." in early.output
    assert "Vacances de la Toussaint (zone B), on Monday 3 November 2025?" in early.output
    assert early.output.count("| `") < whole.output.count("| `")  # fewer drills listed


def test_the_requirement_options_reach_the_decision(small: str) -> None:
    result = run("--db", small, "--format", "md", "--required-multiple", "5000", "--zone", "C")
    assert result.exit_code == 0, result.output
    assert (
        "Required: 5000x normal load; required_multiple and zone from the options" in result.output
    )
    assert "(zone C)" in result.output


def test_a_drill_still_running_is_not_counted_and_the_page_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    with open_records(url) as records:
        running = records.create_drill(
            plan_name="pre-holiday", plan_path="drills/pre_holiday.yaml", plan_digest="0" * 64,
            target="sandbox",
        )  # fmt: skip
    out = tmp_path / "review.html"
    result = run("--db", url, "--drill", running.id, "--out", str(out))
    assert result.exit_code == 1
    assert "No drills in this period (1 still running, not counted)" in result.output
    page = out.read_text()
    assert 'data-figure="running">Still running, not counted until it ends: pre-holiday' in page
    assert running.id in page
