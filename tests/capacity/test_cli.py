"""``entdrill capacity`` on the command line: bad input, guard rails, exit codes, the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from tests.flood.conftest import TOKEN
from tests.flood.servers import LiveServer

FAST = ["--step-s", "1", "--pause-s", "0", "--processes", "1"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["capacity", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "50", "--to", "50"], "--from (50/s) must be below --to (50/s)"),
        (["--from", "80", "--to", "40"], "--from (80/s) must be below --to (40/s)"),
        (
            ["--from", "10", "--to", "40", "--factor", "0"],
            "--factor: expected a number above 1",
        ),
        (
            ["--from", "10", "--to", "40", "--factor", "-2"],
            "--factor: expected a number above 1",
        ),
        (
            ["--from", "10", "--to", "40", "--p95-budget", "0"],
            "--p95-budget: expected a number of seconds above 0",
        ),
        (
            ["--from", "10", "--to", "40", "--max-errors", "1.5"],
            "--max-errors: expected a number from 0 to 1",
        ),
        (
            ["--from", "10", "--to", "40", "--max-errors", "-0.1"],
            "--max-errors: expected a number from 0 to 1",
        ),
        (
            ["--from", "10", "--to", "40", "--normal-rate", "1", "--required-multiple", "0"],
            "--required-multiple: expected a number of times the normal rate above 0",
        ),
        (
            ["--from", "10", "--to", "40", "--required-multiple", "100"],
            "--required-multiple needs --normal-rate",
        ),
        (["--from", "10", "--to", "40", "--steps", "4", "--factor", "2"], "not both"),
        (["--from", "1", "--to", "40", "--step-s", "2"], "a step needs at least 10"),
        (["--to", "40"], "--from is required"),
        (["--from", "10", "--to", "nan"], "--to: expected a number of arrivals per second above 0"),
        (["--from", "10", "--to", "40", "--scenario", "teleport"], "unknown scenario 'teleport'"),
        (["--from", "10", "--to", "40", "--scenario", "pupil-login"], "--users is required"),
    ],
)
def test_bad_input_is_one_sentence_exit_2_and_nothing_is_sent(
    server: LiveServer, args: list[str], message: str
) -> None:
    scenario = [] if "--scenario" in args else ["--scenario", "http-get"]
    code, out, err = invoke("--target", server.url, "--consent-token", TOKEN, *scenario, *args)
    assert code == 2, err
    assert err.startswith("Error: ") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert out == ""
    assert server.state.seen == []


def test_a_report_that_cannot_be_written_is_refused_before_anything_is_sent(
    server: LiveServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = invoke(
        "--target", server.url, "--scenario", "http-get", "--consent-token", TOKEN,
        "--from", "10", "--to", "20", "--report", str(blocker / "sub" / "r.json"), *FAST,
    )  # fmt: skip
    assert code == 2 and "is a file, not a directory" in err and err.startswith("Error: --report ")
    assert server.state.seen == []


def test_a_target_outside_the_allow_list_is_refused_with_exit_3() -> None:
    code, _, err = invoke(
        "--target", "http://192.0.2.10:8800", "--scenario", "http-get",
        "--consent-token", TOKEN, "--from", "10", "--to", "20", *FAST,
    )  # fmt: skip
    assert code == 3
    assert "allow-list" in err


def test_the_ceiling_is_checked_against_to_before_the_first_step(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTDRILL_MAX_RATE", "100")
    code, _, err = invoke(
        "--target", server.url, "--scenario", "http-get", "--consent-token", TOKEN,
        "--from", "20", "--to", "400", *FAST,
    )  # fmt: skip
    assert code == 3
    assert "rate ceiling" in err and "400" in err
    assert server.state.load() == []


def test_a_target_without_the_consent_token_is_refused_and_gets_no_load(
    server: LiveServer,
) -> None:
    code, _, err = invoke(
        "--target", server.url, "--scenario", "http-get", "--consent-token", "another-token",
        "--from", "10", "--to", "20", *FAST,
    )  # fmt: skip
    assert code == 3 and "consent" in err
    assert server.state.load() == []


def test_held_up_to_to_exits_1_saying_so_with_every_step_in_the_report(
    server: LiveServer, tmp_path: Path
) -> None:
    path = tmp_path / "capacity.json"
    code, out, _ = invoke(
        "--target", server.url, "--scenario", "http-get", "--consent-token", TOKEN,
        "--from", "10", "--to", "30", "--factor", "2", "--normal-rate", "2",
        "--required-multiple", "10", "--report", str(path), *FAST,
    )  # fmt: skip
    assert code == 1
    assert "Held up to --to" in out
    report = json.loads(path.read_text())
    assert report["outcome"] == "held_to_max"
    assert [s["rate"] for s in report["steps"]] == [10, 20, 30]
    assert all(s["held"] for s in report["steps"])
    assert report["sustained_rate"] == 30 and report["breaking_rate"] is None
    assert report["sustained_multiple"] == 15 and report["headroom"] == 1.5
    assert report["broke_by"] is None
    assert sum(s["completed"] for s in report["steps"]) == len(server.state.load()) == 60


def test_broke_at_from_exits_1_naming_the_cause(server: LiveServer, tmp_path: Path) -> None:
    path = tmp_path / "capacity.json"
    code, out, _ = invoke(
        "--target", server.url, "--scenario", "http-get", "--path", "/missing",
        "--consent-token", TOKEN, "--from", "10", "--to", "40", "--report", str(path), *FAST,
    )  # fmt: skip
    assert code == 1
    assert "Broke at --from" in out and "http_4xx" in out
    report = json.loads(path.read_text())
    assert report["outcome"] == "broke_at_min"
    assert len(report["steps"]) == 1 and len(server.state.load()) == 10
    assert report["broke_by"]["errors"] is True and report["broke_by"]["causes"] == {"http_4xx": 10}


def test_report_dash_prints_json_on_stdout(server: LiveServer) -> None:
    code, out, err = invoke(
        "--target", server.url, "--scenario", "http-get", "--consent-token", TOKEN,
        "--from", "10", "--to", "20", "--report", "-", *FAST,
    )  # fmt: skip
    assert code == 1
    report = json.loads(out)
    assert report["format"] == "entdrill-capacity-report/1"
    assert "Held up to --to" in err


def test_steps_run_in_several_flood_processes_when_asked(
    server: LiveServer, tmp_path: Path
) -> None:
    path = tmp_path / "capacity.json"
    code, out, _ = invoke(
        "--target", server.url, "--scenario", "http-get", "--consent-token", TOKEN,
        "--from", "10", "--to", "20", "--factor", "2", "--step-s", "1", "--pause-s", "0",
        "--processes", "2", "--report", str(path),
    )  # fmt: skip
    assert code == 1 and "Held up to --to" in out
    report = json.loads(path.read_text())
    assert [(s["rate"], s["asked"], s["completed"]) for s in report["steps"]] == [
        (10, 10, 10),
        (20, 20, 20),
    ]
    assert len(server.state.load()) == 30
    assert len({s.client_port for s in server.state.load()}) >= 2  # two shard processes
