"""``entdrill flood`` on the command line: bad input refused before any request, local shards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from tests.flood.conftest import TOKEN
from tests.flood.servers import LiveServer


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["flood", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "teleport", "--rate", "1"], "--scenario: unknown scenario 'teleport'"),
        (
            ["--scenario", "http-get", "--profile", "flat", "--rate", "1"],
            "--profile 'flat' is unknown",
        ),
        (["--scenario", "http-get", "--rate", "0"], "--rate must be a finite number above 0"),
        (["--scenario", "http-get", "--rate", "-3"], "--rate: expected a number of arrivals"),
        (["--scenario", "http-get", "--rate", "nan"], "--rate: expected a number of arrivals"),
        (["--scenario", "pupil-login", "--rate", "1"], "--users is required by pupil-login"),
        (
            ["--scenario", "pupil-login", "--rate", "1", "--users", "/nonexistent/users.csv"],
            "--users /nonexistent/users.csv: cannot read it (No such file or directory)",
        ),
        (
            ["--mix", "pupil-login=lots", "--rate", "1"],
            "--mix: 'pupil-login=lots' must read NAME=WEIGHT",
        ),
        (["--scenario", "http-get", "--rate", "1", "--shard", "3/2"], "--shard 3/2"),
    ],
)
def test_bad_input_is_one_sentence_naming_the_option_and_nothing_is_sent(
    server: LiveServer, args: list[str], message: str
) -> None:
    code, output = invoke(
        "--target", server.url, "--duration", "1", "--consent-token", TOKEN, *args
    )
    assert code == 2
    assert output.startswith("Error: ") and message in output
    assert "Traceback" not in output
    assert server.state.seen == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("user,pass\nx,y\n", "the header lacks username, password, role"),
        ("username,password,role\nalice,,pupil\n", "users.csv:2: no password"),
        (
            "username,password,role\nbob,pw,pupil,extra\n",
            "users.csv:2: more fields than the header",
        ),
        ("username,password,role\n", "the file lists nobody"),
        ("username,password,role\nbob,pw,parent\n", "nobody has the role 'pupil'"),
    ],
)
def test_a_malformed_users_file_is_refused_naming_the_line(
    server: LiveServer, tmp_path: Path, content: str, message: str
) -> None:
    users = tmp_path / "users.csv"
    users.write_text(content)
    code, output = invoke(
        "--target",
        server.url,
        "--scenario",
        "pupil-login",
        "--users",
        str(users),
        "--rate",
        "1",
        "--duration",
        "1",
        "--consent-token",
        TOKEN,
    )
    assert code == 2 and message in output
    assert server.state.seen == []


def test_local_executor_runs_shard_processes_and_merges_their_reports(
    server: LiveServer, tmp_path: Path
) -> None:
    report_path = tmp_path / "report.json"
    code, output = invoke(
        "--target",
        server.url,
        "--scenario",
        "http-get",
        "--rate",
        "30",
        "--duration",
        "1",
        "--processes",
        "2",
        "--consent-token",
        TOKEN,
        "--report",
        str(report_path),
    )
    assert code == 0, output
    report = json.loads(report_path.read_text())
    assert report["shards"] == {"count": 2, "indices": [0, 1], "complete": True}
    assert report["totals"]["completed"] == 30 == len(server.state.load())
    assert TOKEN not in report_path.read_text()


@pytest.mark.parametrize(
    ("where", "sentence"),
    [("dir", "is a directory"), ("file/r.json", "is a file, not a directory")],
)
def test_an_unwritable_report_is_refused_before_the_storm_and_nothing_is_left(
    server: LiveServer, tmp_path: Path, where: str, sentence: str
) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("x")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, output = invoke(
        "--target", server.url, "--scenario", "http-get", "--rate", "5", "--duration", "1",
        "--consent-token", TOKEN, "--report", str(tmp_path / where),
    )  # fmt: skip
    assert code == 2 and f"Error: --report {tmp_path / where}: " in output and sentence in output
    assert server.state.seen == []  # not even a consent check: nothing was started
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_more_processes_than_this_machine_and_plan_can_use_is_refused_before_any_start(
    server: LiveServer,
) -> None:
    code, output = invoke(
        "--target", server.url, "--scenario", "http-get", "--rate", "3", "--duration", "1",
        "--consent-token", TOKEN, "--processes", "100000",
    )  # fmt: skip
    assert code == 2
    assert "Error: --processes 100000 is more than this plan can use here: at most 3" in output
    assert server.state.seen == []


def test_a_refused_cas_url_is_named_as_cas_url(server: LiveServer, tmp_path: Path) -> None:
    users = tmp_path / "users.csv"
    users.write_text("username,password,role\npupil1,pw1,pupil\n")
    code, output = invoke(
        "--target", server.url, "--cas-url", "http://10.9.9.9/cas", "--scenario",
        "pupil-login", "--users", str(users), "--rate", "1", "--duration", "1",
        "--consent-token", TOKEN,
    )  # fmt: skip
    assert code == 3
    assert "refused by the allow-list: --cas-url host '10.9.9.9' is not allowed" in output
    assert server.state.seen == []


def test_a_password_in_the_target_is_masked_in_the_report_and_on_stdout(
    server: LiveServer, tmp_path: Path
) -> None:
    target = server.url.replace("http://", "http://drill:s3cr@")
    report = tmp_path / "report.json"
    code, output = invoke(
        "--target", target, "--scenario", "http-get", "--rate", "4", "--duration", "1",
        "--processes", "1", "--consent-token", TOKEN, "--report", str(report),
    )  # fmt: skip
    assert code == 0, output
    assert json.loads(report.read_text())["target"] == server.url.replace(
        "http://", "http://drill:***@"
    )
    assert "s3cr" not in report.read_text() and "s3cr" not in output
    code, output = invoke(
        "--target", target, "--scenario", "http-get", "--rate", "4", "--duration", "1",
        "--processes", "1", "--consent-token", TOKEN, "--report", "-",
    )  # fmt: skip
    assert code == 0 and "s3cr" not in output and "drill:***@" in output
