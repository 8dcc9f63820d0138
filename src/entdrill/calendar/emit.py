"""What runs the drills: crontab lines, systemd timer and service units, a Kubernetes CronJob.

- **crontab**: one line per drill date. cron has no year field, so each line checks the year
  before running. Times are written in ``Europe/Paris`` (the schedule's zone) under
  ``CRON_TZ=``, which cronie honours (Fedora, RHEL, Debian's ``cronie`` package); the classic
  Vixie cron ignores ``CRON_TZ`` and reads times in the machine's zone: for it, pass the
  machine's zone as ``cron_tz`` and every line is converted on its own date, so summer and winter
  times are both exact.
- **systemd**: one ``.timer`` with one ``OnCalendar=YYYY-MM-DD HH:MM:SS Europe/Paris`` per drill
  (systemd applies the zone and its DST itself) and a oneshot ``.service``. ``Persistent=false``:
  a drill missed while the machine was off must not start hours late, in the middle of classes.
- **k8s-cronjob**: one daily CronJob (``spec.timeZone: Europe/Paris``, Monday to Friday at the
  drill time) whose pod runs ``entdrill schedule --due`` and, when due, ``entdrill drill run``.
  A CronJob schedule has no year either, so one CronJob per date would fire again on that day
  every year and need pruning; the daily check reads the calendar and the plan's blackouts on the
  day itself, so a new blackout needs no redeploy, and there is one object to review. Not due
  exits 0 (the Job succeeds quietly); a calendar error fails the Job so someone notices.
  ``backoffLimit: 0`` and ``concurrencyPolicy: Forbid``: a drill is never retried or doubled on
  its own, since each run notifies staff.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from entdrill.calendar.planner import PlannedDrill
from entdrill.calendar.spec import ScheduleSpec
from entdrill.errors import InvalidArgument

PLAN_IN_POD = "/etc/entdrill/plan.yaml"
STATE_IN_POD = "/var/lib/entdrill"
JOB_DEADLINE_S = 4 * 3600
STARTING_DEADLINE_S = 20 * 60  # shorter than the default due window (30 min)


def describe(spec: ScheduleSpec) -> str:
    return (
        f"zone {spec.zone}, {spec.school_days_before} school day(s) before each holiday, "
        f"at {spec.at:%H:%M} {spec.timezone}"
    )


def unit_name(plan_path: str) -> str:
    """A name for units and Kubernetes objects: ``entdrill-drill-<plan stem>``, DNS-1123 safe."""
    stem = re.sub(r"\.(ya?ml|json)$", "", plan_path.rstrip("/").rsplit("/", 1)[-1].lower())
    stem = re.sub(r"[^a-z0-9]+", "-", stem).strip("-") or "plan"
    return f"entdrill-drill-{stem}"[:52].rstrip("-")


def _run_command(entdrill: str, plan: str, workdir: str | None) -> str:
    command = f"{shlex.quote(entdrill)} drill run {shlex.quote(plan)}"
    return f"cd {shlex.quote(workdir)} && {command}" if workdir else command


def crontab(
    spec: ScheduleSpec,
    drills: Sequence[PlannedDrill],
    *,
    plan: str,
    entdrill: str = "entdrill",
    workdir: str | None = None,
    cron_tz: str | None = None,
    header: Sequence[str] = (),
) -> str:
    """Crontab lines running ``entdrill drill run PLAN`` at each drill instant (see module doc)."""
    zone = cron_tz or spec.timezone
    lines = [f"# {line}" for line in header]
    lines += [
        f"# entdrill drills of {plan}: {describe(spec)}.",
        f"# Times below are {zone} times; CRON_TZ is honoured by cronie, ignored by Vixie cron",
        "# (which reads times in the machine's zone: regenerate with --cron-tz <that zone>).",
        "# cron has no year field: each line checks the year itself.",
        f"CRON_TZ={zone}",
    ]
    command = _run_command(entdrill, plan, workdir).replace("%", r"\%")
    for drill in drills:
        lines.append(f"# {_label(drill)}")
        if drill.instant is None:
            continue
        when = drill.instant.astimezone(ZoneInfo(zone))
        guard = f'[ "$(TZ={zone} date +\\%Y)" = {when.year} ]'
        lines.append(f"{when.minute} {when.hour} {when.day} {when.month} * {guard} && {command}")
    return "\n".join(lines) + "\n"


def _label(drill: PlannedDrill) -> str:
    holiday = f"{drill.holiday.name} (from {drill.holiday.first_day})"
    if drill.instant is None:
        return f"{holiday}: no drill, {drill.notes[-1]}"
    utc = drill.instant.astimezone(dt.UTC)
    text = f"{holiday}: {drill.instant:%A %Y-%m-%d %H:%M %Z} = {utc:%H:%M} UTC"
    return f"{text}; {drill.notes[0]}" if drill.status == "shifted" else text


def systemd_units(
    spec: ScheduleSpec,
    drills: Sequence[PlannedDrill],
    *,
    plan: str,
    entdrill: str = "entdrill",
    workdir: str | None = None,
) -> dict[str, str]:
    """``{"<name>.timer": text, "<name>.service": text}`` (see module doc)."""
    running = [drill for drill in drills if drill.instant is not None]
    if not running:
        raise InvalidArgument("no drill in the chosen dates: there is no timer to write")
    name = unit_name(plan)
    timer = [
        "[Unit]",
        f"Description=entdrill continuity drills of {plan} ({describe(spec)})",
        "",
        "[Timer]",
    ]
    for drill in drills:
        timer.append(f"# {_label(drill)}")
        if drill.instant is not None:
            timer.append(f"OnCalendar={drill.instant:%Y-%m-%d %H:%M:%S} {spec.timezone}")
    timer += [
        "# A drill missed while the machine was off must not start late, during classes.",
        "Persistent=false",
        "AccuracySec=1min",
        f"Unit={name}.service",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]
    service = [
        "[Unit]",
        f"Description=entdrill continuity drill of {plan}",
        "",
        "[Service]",
        "Type=oneshot",
    ]
    if workdir:
        service.append(f"WorkingDirectory={workdir}")
    service.append(f"ExecStart={shlex.quote(entdrill)} drill run {shlex.quote(plan)}")
    return {f"{name}.timer": "\n".join(timer) + "\n", f"{name}.service": "\n".join(service) + "\n"}


def cronjob_manifest(spec: ScheduleSpec, *, plan: str, image: str) -> dict[str, Any]:
    """A daily ``batch/v1`` CronJob running the due check, then the drill (see module doc)."""
    name = unit_name(plan)
    script = (
        f"entdrill schedule --due --plan {PLAN_IN_POD}; status=$?\n"
        "# 0: due, run it; 1: not due today, succeed quietly; anything else: fail the Job\n"
        f"if [ $status -eq 0 ]; then exec entdrill drill run {PLAN_IN_POD}; fi\n"
        "if [ $status -eq 1 ]; then exit 0; fi\n"
        "exit $status\n"
    )
    labels = {"app.kubernetes.io/name": "entdrill", "app.kubernetes.io/component": "drill"}
    container = {
        "name": "drill",
        "image": image,
        "command": ["/bin/sh", "-c", script],
        "env": [{"name": "ENTDRILL_HOME", "value": STATE_IN_POD}],
        "envFrom": [{"secretRef": {"name": "entdrill-secrets", "optional": True}}],
        "volumeMounts": [
            {"name": "plan", "mountPath": "/etc/entdrill", "readOnly": True},
            {"name": "state", "mountPath": STATE_IN_POD},
            {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108  the kill switch registers runs there
        ],
        "resources": {
            "requests": {"cpu": "100m", "memory": "256Mi"},
            "limits": {"memory": "512Mi"},
        },
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True},
    }
    pod = {
        "metadata": {"labels": labels},
        "spec": {
            "restartPolicy": "Never",
            "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
            "containers": [container],
            "volumes": [
                {"name": "plan", "configMap": {"name": name.replace("-drill-", "-plan-", 1)}},
                {"name": "state", "emptyDir": {}},
                {"name": "tmp", "emptyDir": {}},
            ],
        },
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "schedule": f"{spec.at.minute} {spec.at.hour} * * 1-5",
            "timeZone": spec.timezone,
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": STARTING_DEADLINE_S,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 5,
            "jobTemplate": {
                "metadata": {"labels": labels},
                "spec": {
                    "backoffLimit": 0,
                    "activeDeadlineSeconds": JOB_DEADLINE_S,
                    "template": pod,
                },
            },
        },
    }


def cronjob(
    spec: ScheduleSpec,
    drills: Sequence[PlannedDrill],
    *,
    plan: str,
    image: str,
    header: Sequence[str] = (),
) -> str:
    """The CronJob as YAML, preceded by comments: how to load the plan, and the coming dates."""
    name = unit_name(plan)
    lines = [f"# {line}" for line in header]
    lines += [
        f"# entdrill drills of {plan}: {describe(spec)}.",
        "# A daily CronJob: the pod checks whether a drill is due today and runs it if so.",
        "# The plan is read from a ConfigMap; create it with",
        f"#   kubectl create configmap {name.replace('-drill-', '-plan-', 1)} "
        f"--from-file=plan.yaml={plan}",
        "# Secrets (Slack token, SMTP password, records URL) come from the optional Secret",
        "# entdrill-secrets; records on the pod's emptyDir are lost with it: use PostgreSQL.",
        "# Drills in the chosen dates:",
        *(f"#   {_label(drill)}" for drill in drills),
    ]
    return "\n".join(lines) + "\n" + manifest_yaml(cronjob_manifest(spec, plan=plan, image=image))


class _ManifestDumper(yaml.SafeDumper):
    """Plain YAML for people: no anchors, multi-line strings as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ManifestDumper.add_representer(str, _represent_str)


def manifest_yaml(manifest: dict[str, Any]) -> str:
    """A manifest as YAML in the field order given, without anchors."""
    return yaml.dump(manifest, Dumper=_ManifestDumper, sort_keys=False, allow_unicode=True)
