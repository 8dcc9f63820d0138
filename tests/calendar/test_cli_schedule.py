"""``entdrill schedule`` through the command line: tables, JSON, --due, --emit, and bad input
answered with one sentence and a non-zero exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from entdrill.cli import cli

PLAN = """\
name: pre-holiday drill
schedule:
  zone: C
  school_days_before: 3
  at: "07:45"
  blackouts:
    - {start: 2027-03-31, end: 2027-03-31, reason: "conseil de classe"}
    - {weekly: [mon, tue, thu, fri], from: "08:00", until: "12:00", school: college-jean-moulin, reason: "class hours"}
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["schedule", *args])


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "pre_holiday.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def one_error(result: Result) -> str:
    """The error, asserted to be one ``Error: ...`` line on stderr and exit code 2."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_the_table_lists_dates_local_and_utc_times(plan: Path) -> None:
    result = run("--zone", "A", "--from", "2027-01-01", "--until", "2027-04-30")
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("Wed")]
    assert rows == [
        ["Wed", "2027-02-10", "07:45", "CET", "06:45Z", "planned", "Vacances", "d'hiver", "(2027-02-13)"],
        ["Wed", "2027-04-07", "07:45", "CEST", "05:45Z", "planned", "Vacances", "de", "printemps", "(2027-04-10)"],
    ]  # fmt: skip
    assert "vacances-scolaires-france" in result.stdout


def test_the_table_says_when_a_blackout_moved_a_drill(plan: Path) -> None:
    result = run("--plan", str(plan), "--from", "2027-03-01", "--until", "2027-04-02")
    assert result.exit_code == 0, result.output
    assert "Tue 2027-03-30" in result.stdout and "shifted" in result.stdout
    assert "is in blackout conseil de classe (2027-03-31 to 2027-03-31)" in result.stdout


def test_json_output_gives_each_drill_with_its_utc_instant_and_blackouts(plan: Path) -> None:
    result = run("--plan", str(plan), "--from", "2027-01-01", "--until", "2027-04-02", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["covers_until"] == "2028-08-31"
    assert report["schedule"]["zone"] == "C"
    winter, spring = report["drills"]
    assert (winter["date"], winter["utc"], winter["status"]) == (
        "2027-02-03",
        "2027-02-03T06:45:00Z",
        "planned",
    )
    assert (spring["nominal_date"], spring["date"], spring["utc"], spring["status"]) == (
        "2027-03-31",
        "2027-03-30",
        "2027-03-30T05:45:00Z",
        "shifted",
    )
    assert spring["blackouts"][0]["reason"] == "conseil de classe"


def test_command_line_values_override_the_plan(plan: Path) -> None:
    result = run(
        "--plan", str(plan), "--zone", "B", "--at", "13:30", "--school-days-before", "1",
        "--from", "2027-01-01", "--until", "2027-03-01", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (winter,) = json.loads(result.stdout)["drills"]
    assert (winter["date"], winter["local"]) == ("2027-02-19", "2027-02-19T13:30:00+01:00")


def test_a_blackouts_file_adds_to_the_plan_windows(plan: Path, tmp_path: Path) -> None:
    extra = tmp_path / "blackouts.yaml"
    extra.write_text("blackouts:\n  - {start: 2027-02-01, end: 2027-02-03, reason: x}\n")
    result = run(
        "--plan", str(plan), "--blackouts", str(extra), "--from", "2027-01-01",
        "--until", "2027-02-05", "--json",
    )  # fmt: skip
    (winter,) = json.loads(result.stdout)["drills"]
    assert (winter["date"], winter["status"]) == ("2027-02-03", "skipped")
    assert len(json.loads(result.stdout)["schedule"]["blackouts"]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--zone", "D"], "Error: --zone: expected a school zone A, B, C or Corse, got 'D'"),
        (["--zone", "A", "--at", "25:00"], "Error: --at: expected a time \"HH:MM\" between 00:00 and 23:59, got '25:00'"),
        (["--zone", "A", "--school-days-before", "0"], "Error: --school-days-before: expected a whole number of school days from 1 to 15, got '0'"),
        (["--zone", "A", "--from", "2027-02-30"], "Error: --from: expected a date YYYY-MM-DD, got '2027-02-30'"),
        (["--zone", "A", "--timezone", "Paris"], "Error: --timezone: expected an IANA time zone such as Europe/Paris, got 'Paris'"),
        (["--zone", "A", "--emit", "cron"], "Error: --emit: expected one of crontab, systemd, k8s-cronjob, got 'cron'"),
        (["--zone", "C", "--from", "2027-01-01", "--emit", "crontab"], "Error: --emit needs --plan: the emitted jobs run `entdrill drill run PLAN`"),
        ([], "Error: --zone is required (A, B, C or Corse) unless --plan has schedule.zone"),
        (["--zone", "A", "--due", "--emit", "crontab"], "Error: --due: cannot be combined with --emit; run one, then the other"),
        (["--zone", "A", "--from", "2027-05-01", "--until", "2027-04-01"], "Error: --until 2027-04-01 is before --from 2027-05-01"),
    ],
)  # fmt: skip
def test_bad_options_are_one_sentence_and_exit_2(args: list[str], message: str) -> None:
    assert one_error(run(*args)) == message


def test_a_range_beyond_the_data_names_the_last_date_covered() -> None:
    error = one_error(run("--zone", "C", "--from", "2028-01-01", "--until", "2029-01-01"))
    assert error == (
        "Error: --until 2029-01-01 is beyond the school calendar of zone C: "
        "vacances-scolaires-france 0.12.0 covers holidays up to 2028-08-31; "
        "choose an earlier date or give newer holiday data"
    )


def test_an_unquoted_time_in_a_plan_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("schedule:\n  zone: C\n  at: 7:45\n", encoding="utf-8")
    error = one_error(run("--plan", str(path)))
    assert error == (
        f"Error: {path}:3: schedule.at: 7:45 without quotes is read as the number 465 "
        '(YAML 1.1 base 60): write "7:45" in quotes'
    )


def test_several_problems_in_a_file_are_listed_each_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "blackouts.yaml"
    path.write_text(
        "blackouts:\n"
        "  - {weekly: [mon], from: 08:00, until: '12:00'}\n"
        "  - {start: 2027-06-18, end: 2027-06-07}\n",
        encoding="utf-8",
    )
    result = run("--zone", "C", "--blackouts", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: 2 problems:",
        f'{path}:2: blackouts[0].from: write the time in quotes, "08:00": unquoted, YAML reads '
        "a time such as 7:45 as the number 465",
        f"{path}:3: blackouts[1].end: ends (2027-06-07) before it starts (2027-06-18)",
    ]


def test_a_plan_without_a_schedule_needs_a_zone(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("name: drill\n", encoding="utf-8")
    assert one_error(run("--plan", str(path))) == (
        f"Error: --plan {path} has no schedule section; add one or pass --zone"
    )
    assert run("--plan", str(path), "--zone", "A", "--from", "2027-01-01").exit_code == 0


def test_missing_files_are_named() -> None:
    error = one_error(run("--plan", "/nonexistent/plan.yaml"))
    assert (
        error
        == "Error: --plan /nonexistent/plan.yaml: cannot read the plan (No such file or directory)"
    )


def test_zone_corse_needs_a_holiday_file_and_works_with_one(tmp_path: Path) -> None:
    error = one_error(run("--zone", "Corse", "--from", "2027-01-01"))
    assert "zone Corse has no data in vacances-scolaires-france" in error
    holidays = tmp_path / "corse.yaml"
    holidays.write_text(
        "holidays:\n"
        "  - {kind: toussaint, start: 2027-10-23, end: 2027-11-07}\n"
        "  - {kind: noel, start: 2027-12-18, end: 2028-01-02}\n",
        encoding="utf-8",
    )
    result = run(
        "--zone", "Corse", "--holidays", str(holidays), "--from", "2027-11-08", "--json"
    )  # fmt: skip
    assert result.exit_code == 2  # no summer in the file: no default end of school year
    result = run(
        "--zone", "Corse", "--holidays", str(holidays), "--from", "2027-11-08",
        "--until", "2028-01-02", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["source"] == f"the holiday file {holidays}"
    assert [drill["date"] for drill in report["drills"]] == ["2027-12-15"]


def test_due_exits_0_on_a_drill_morning_and_1_otherwise(plan: Path) -> None:
    due = run("--plan", str(plan), "--due", "--now", "2027-02-03T07:50")
    assert due.exit_code == 0, due.output
    assert due.stdout == "due: the drill before Vacances d'hiver is due (2027-02-03 07:45 CET)\n"
    not_due = run("--plan", str(plan), "--due", "--now", "2027-02-04T06:45:00+00:00")
    assert not_due.exit_code == 1
    assert not_due.stdout.startswith("not due: no drill due at 2027-02-04 07:45 CET; next:")
    quiet = run("--plan", str(plan), "--due", "--now", "2027-02-04T07:50", "--quiet")
    assert (quiet.exit_code, quiet.stdout) == (1, "")
    late = run("--plan", str(plan), "--due", "--now", "2027-02-03T08:30", "--window", "60")
    assert late.exit_code == 0  # class hours of one school do not bind a drill for every school
    shifted = run("--plan", str(plan), "--due", "--now", "2027-03-30T07:45", "--json")
    assert shifted.exit_code == 0 and json.loads(shifted.stdout)["drill"]["status"] == "shifted"


def test_due_refuses_a_bad_window_or_instant(plan: Path) -> None:
    assert one_error(run("--plan", str(plan), "--due", "--window", "0")) == (
        "Error: --window: expected a whole number of minutes, at least 1, got '0'"
    )
    assert "Error: --now: expected a date and time" in one_error(
        run("--plan", str(plan), "--due", "--now", "tomorrow")
    )


def test_emit_crontab_writes_absolute_paths_and_cron_tz(
    plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(plan.parent)
    result = run(
        "--plan", plan.name, "--from", "2027-01-01", "--until", "2027-04-02", "--emit", "crontab"
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "CRON_TZ=Europe/Paris" in lines
    entries = [line for line in lines if line[:1].isdigit()]
    assert [line.split(" [")[0] for line in entries] == ["45 7 3 2 *", "45 7 30 3 *"]
    assert all(
        line.endswith(f"&& cd {plan.parent} && entdrill drill run {plan}") for line in entries
    )


def test_emit_systemd_writes_both_units_to_a_directory(plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "units"
    result = run(
        "--plan", str(plan), "--from", "2027-01-01", "--until", "2027-04-02",
        "--emit", "systemd", "--out", str(out), "--entdrill-bin", "/opt/entdrill/bin/entdrill",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "entdrill-drill-pre-holiday.service",
        "entdrill-drill-pre-holiday.timer",
    ]
    timer = (out / "entdrill-drill-pre-holiday.timer").read_text()
    assert "OnCalendar=2027-03-30 07:45:00 Europe/Paris" in timer
    service = (out / "entdrill-drill-pre-holiday.service").read_text()
    assert f"ExecStart=/opt/entdrill/bin/entdrill drill run {plan}" in service


def test_emit_k8s_cronjob_writes_a_daily_cronjob(plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "cronjob.yaml"
    result = run(
        "--plan", str(plan), "--from", "2027-01-01", "--until", "2027-04-02",
        "--emit", "k8s-cronjob", "--image", "registry.example/entdrill:1", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "timeZone: Europe/Paris" in text and "schedule: 45 7 * * 1-5" in text
    assert "image: registry.example/entdrill:1" in text


def test_schedule_has_help() -> None:
    result = CliRunner().invoke(cli, ["schedule", "--help"])
    assert result.exit_code == 0
    for option in (
        "--zone",
        "--from",
        "--until",
        "--school-days-before",
        "--at",
        "--emit",
        "--due",
    ):
        assert option in result.stdout
