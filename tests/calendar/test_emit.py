"""What runs the drills: crontab lines, systemd units, and the Kubernetes CronJob, checked by the
tools that will read them where they exist here (sh, systemd-analyze, the Kubernetes schemas)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import kubernetes_validate
import pytest
import yaml

from entdrill.calendar import PlannedDrill, SchoolCalendar, parse_schedule, plan_drills
from entdrill.calendar.emit import (
    PLAN_IN_POD,
    cronjob,
    cronjob_manifest,
    crontab,
    systemd_units,
    unit_name,
)
from entdrill.calendar.spec import ScheduleSpec
from entdrill.errors import InvalidArgument
from tests.calendar.support import d

REPO = Path(__file__).resolve().parents[2]
BRIEF_BLACKOUT = {"start": "2027-06-24", "end": "2027-06-30", "reason": "brevet"}


@pytest.fixture(scope="module")
def spec() -> ScheduleSpec:
    return parse_schedule({"zone": "C", "blackouts": [BRIEF_BLACKOUT]})


@pytest.fixture(scope="module")
def planned(spec: ScheduleSpec, zone_c: SchoolCalendar) -> list[PlannedDrill]:
    """Zone C, 2027: hiver 3 February (CET), printemps 31 March (CEST), été skipped."""
    return plan_drills(spec, zone_c, d("2027-01-01"), d("2027-07-02"))


def test_crontab_lines_run_each_drill_in_paris_time_in_its_year_only(
    spec: ScheduleSpec, planned: list[PlannedDrill]
) -> None:
    text = crontab(spec, planned, plan="/srv/drills/p.yaml", workdir="/srv")
    lines = text.splitlines()
    assert "CRON_TZ=Europe/Paris" in lines
    run = "cd /srv && entdrill drill run /srv/drills/p.yaml"
    guard = '[ "$(TZ=Europe/Paris date +\\%Y)" = 2027 ]'
    entries = [line for line in lines if not line.startswith(("#", "CRON_TZ"))]
    assert entries == [f"45 7 3 2 * {guard} && {run}", f"45 7 31 3 * {guard} && {run}"]
    assert any("Vacances d'été" in line and "no drill, skipped" in line for line in lines)


def test_crontab_in_the_daemons_zone_converts_each_date_on_its_own(
    spec: ScheduleSpec, planned: list[PlannedDrill]
) -> None:
    text = crontab(spec, planned, plan="/p.yaml", cron_tz="UTC")
    entries = [line for line in text.splitlines() if line[:1].isdigit()]
    assert [line.split(" [")[0] for line in entries] == ["45 6 3 2 *", "45 5 31 3 *"]
    assert "CRON_TZ=UTC" in text.splitlines()


def test_the_crontab_year_guard_runs_in_a_real_shell(
    spec: ScheduleSpec, planned: list[PlannedDrill], tmp_path: Path
) -> None:
    """The command part of a line as cron hands it to sh (cron turns \\% into %), with its
    year set to this year (it runs) and to next year (it does not)."""
    fake = _fake_entdrill(tmp_path)
    text = crontab(spec, planned, plan="p.yaml", entdrill=str(fake))
    line = next(line for line in text.splitlines() if line.startswith("45 7 3 2 *"))
    command = line.split(" * ", 1)[1].replace("\\%", "%")
    assert "= 2027 ]" in command
    this_year = dt.datetime.now(ZoneInfo("Europe/Paris")).year
    log = tmp_path / "log"
    env = {**os.environ, "FAKE_LOG": str(log)}
    for year, runs in ((this_year + 1, False), (this_year, True)):
        shell = command.replace("= 2027 ]", f"= {year} ]")
        result = subprocess.run(["/bin/sh", "-c", shell], env=env, check=False)
        assert log.exists() == runs
        assert result.returncode == (0 if runs else 1)
    assert log.read_text().split() == ["drill", "run", "p.yaml"]


def test_systemd_timer_lists_one_oncalendar_per_drill_with_the_zone(
    spec: ScheduleSpec, planned: list[PlannedDrill]
) -> None:
    units = systemd_units(spec, planned, plan="/srv/drills/p.yaml", workdir="/srv")
    assert sorted(units) == ["entdrill-drill-p.service", "entdrill-drill-p.timer"]
    timer = units["entdrill-drill-p.timer"].splitlines()
    assert [line for line in timer if line.startswith("OnCalendar=")] == [
        "OnCalendar=2027-02-03 07:45:00 Europe/Paris",
        "OnCalendar=2027-03-31 07:45:00 Europe/Paris",
    ]
    assert "Persistent=false" in timer and "Unit=entdrill-drill-p.service" in timer
    service = units["entdrill-drill-p.service"].splitlines()
    assert "Type=oneshot" in service
    assert "WorkingDirectory=/srv" in service
    assert "ExecStart=entdrill drill run /srv/drills/p.yaml" in service


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="needs systemd-analyze")
def test_systemd_reads_each_oncalendar_as_the_intended_utc_instant(
    spec: ScheduleSpec, planned: list[PlannedDrill]
) -> None:
    timer = systemd_units(spec, planned, plan="/p.yaml")["entdrill-drill-p.timer"]
    expressions = [line.split("=", 1)[1] for line in timer.splitlines() if "OnCalendar=" in line]
    result = subprocess.run(
        [str(SYSTEMD_ANALYZE), "calendar", "--base-time=2026-01-01 00:00:00 UTC", *expressions],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TZ": "UTC"},
    )
    elapses = [line.strip() for line in result.stdout.splitlines() if "Next elapse" in line]
    assert elapses == [
        "Next elapse: Wed 2027-02-03 06:45:00 UTC",
        "Next elapse: Wed 2027-03-31 05:45:00 UTC",
    ]


def test_no_drill_in_the_dates_means_no_timer(spec: ScheduleSpec) -> None:
    with pytest.raises(InvalidArgument, match="no drill in the chosen dates"):
        systemd_units(spec, [], plan="/p.yaml")


def validate(manifest: dict[str, Any], version: str) -> None:
    kubernetes_validate.validate(manifest, version, strict=True)


@pytest.mark.parametrize("version", ["1.27.0", kubernetes_validate.latest_version()])
def test_the_cronjob_validates_against_the_kubernetes_schemas(
    spec: ScheduleSpec, version: str
) -> None:
    manifest = cronjob_manifest(spec, plan="drills/pre_holiday.yaml", image="entdrill:1")
    validate(manifest, version)
    assert manifest["spec"]["schedule"] == "45 7 * * 1-5"
    assert manifest["spec"]["timeZone"] == "Europe/Paris"
    assert manifest["spec"]["concurrencyPolicy"] == "Forbid"
    assert manifest["spec"]["jobTemplate"]["spec"]["backoffLimit"] == 0
    assert manifest["metadata"]["name"] == "entdrill-drill-pre-holiday"


def test_the_schema_check_is_not_vacuous(spec: ScheduleSpec) -> None:
    manifest = cronjob_manifest(spec, plan="p.yaml", image="entdrill:1")
    manifest["spec"]["timezone"] = manifest["spec"].pop("timeZone")
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(manifest, "1.27.0")


def test_the_emitted_cronjob_text_is_the_manifest_with_comments(
    spec: ScheduleSpec, planned: list[PlannedDrill]
) -> None:
    text = cronjob(spec, planned, plan="drills/p.yaml", image="entdrill:1")
    assert "&id" not in text and "*id" not in text  # no YAML anchors for humans to puzzle over
    assert "kubectl create configmap entdrill-plan-p --from-file=plan.yaml=drills/p.yaml" in text
    assert "Wednesday 2027-03-31 07:45 CEST = 05:45 UTC" in text
    assert yaml.safe_load(text) == cronjob_manifest(spec, plan="drills/p.yaml", image="entdrill:1")


@pytest.mark.parametrize(
    ("status", "ran", "exit_code"), [(0, True, 0), (1, False, 0), (2, False, 2)]
)
def test_the_cronjob_pod_runs_the_drill_only_when_due_and_fails_on_errors(
    spec: ScheduleSpec, tmp_path: Path, status: int, ran: bool, exit_code: int
) -> None:
    """The container's shell script, run by a real sh against a fake entdrill."""
    fake = _fake_entdrill(tmp_path, name="entdrill")
    command = cronjob_manifest(spec, plan="p.yaml", image="x")["spec"]["jobTemplate"]["spec"][
        "template"
    ]["spec"]["containers"][0]["command"]
    env = {
        **os.environ,
        "PATH": f"{fake.parent}:{os.environ['PATH']}",
        "FAKE_DUE_STATUS": str(status),
        "FAKE_LOG": str(tmp_path / "log"),
    }
    result = subprocess.run(command, env=env, check=False)
    assert result.returncode == exit_code
    log = (tmp_path / "log").read_text().splitlines() if (tmp_path / "log").exists() else []
    assert log[0] == f"schedule --due --plan {PLAN_IN_POD}"
    assert (f"drill run {PLAN_IN_POD}" in log) == ran


def test_the_shipped_cronjob_template_is_what_the_emitter_writes() -> None:
    path = REPO / "deploy" / "k8s" / "drill-cronjob.yaml"
    shipped = yaml.safe_load(path.read_text(encoding="utf-8"))
    expected = cronjob_manifest(
        ScheduleSpec(zone="C"), plan="drills/pre_holiday.yaml", image="entdrill:0.1.0"
    )
    assert shipped == expected
    validate(shipped, "1.27.0")


@pytest.mark.parametrize(
    ("plan", "name"),
    [
        ("drills/pre_holiday.yaml", "entdrill-drill-pre-holiday"),
        ("/a/b/Rentrée 2027.yml", "entdrill-drill-rentr-e-2027"),
        ("x" * 80 + ".yaml", "entdrill-drill-" + "x" * 37),
        ("___.yaml", "entdrill-drill-plan"),
    ],
)
def test_unit_names_are_dns_labels_from_the_plan_file_name(plan: str, name: str) -> None:
    assert unit_name(plan) == name
    assert len(name) <= 52


def _fake_entdrill(directory: Path, name: str = "fake-entdrill") -> Path:
    """An ``entdrill`` that logs its arguments and answers ``schedule --due`` with a status."""
    fake = directory / name
    fake.write_text(
        "#!/bin/sh\n"
        'echo "$*" >> "$FAKE_LOG"\n'
        'if [ "$1" = schedule ]; then exit "${FAKE_DUE_STATUS:-0}"; fi\n'
        "exit 0\n",
        encoding="utf-8",
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return fake
