"""``entdrill schedule``: drill dates before each school holiday, and what runs them on time."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import click

from entdrill import __version__, outfile, textfile
from entdrill.calendar import emit
from entdrill.calendar.blackouts import parse_blackouts
from entdrill.calendar.due import DEFAULT_WINDOW_MINUTES, is_due
from entdrill.calendar.fields import (
    InvalidSchedule,
    Problems,
    read_clock,
    read_date,
    read_datetime,
    read_school_days,
    read_timezone,
    read_zone,
)
from entdrill.calendar.planner import MAX_SHIFT_SCHOOL_DAYS, PlannedDrill, plan_drills
from entdrill.calendar.school_calendar import SchoolCalendar, load_calendar, parse_holiday_list
from entdrill.calendar.spec import ScheduleSpec, parse_schedule
from entdrill.calendar.yamlfile import load_yaml
from entdrill.cli.table import table
from entdrill.errors import InvalidArgument

EMIT_FORMATS = ("crontab", "systemd", "k8s-cronjob")
DEFAULT_IMAGE = f"entdrill:{__version__}"


@click.command("schedule")
@click.option(
    "--plan",
    "plan_path",
    metavar="PLAN",
    help="Drill plan: its `schedule` section, and the plan the emitted jobs run.",
)
@click.option("--zone", metavar="A|B|C|Corse", help="School zone (overrides the plan).")
@click.option("--from", "start", metavar="DATE", help="First date, YYYY-MM-DD (default: today).")
@click.option(
    "--until",
    metavar="DATE",
    help="Last date (default: the end of the school year, summer included).",
)
@click.option(
    "--school-days-before",
    "days",
    metavar="N",
    help="School days before each holiday, 1 to 15 (default 3).",
)
@click.option("--at", metavar="HH:MM", help="Drill time, local (default 07:45).")
@click.option(
    "--timezone", metavar="ZONE", help="Time zone of --at and of blackouts (default Europe/Paris)."
)
@click.option(
    "--blackouts",
    "blackouts_file",
    metavar="FILE",
    help="YAML file with a top-level `blackouts:` list, added to the plan's.",
)
@click.option(
    "--holidays",
    "holidays_file",
    metavar="FILE",
    help="YAML holiday list replacing the package data (needed for zone Corse).",
)
@click.option(
    "--school", metavar="NAME", help="Apply the blackouts of this school (default: every school's)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--emit",
    "emit_format",
    metavar="|".join(EMIT_FORMATS),
    help="Print what runs the drills instead of the dates.",
)
@click.option(
    "--out", metavar="PATH", help="Write --emit output to this file (a directory for systemd)."
)
@click.option(
    "--cron-tz",
    metavar="ZONE",
    help="Write crontab times in this zone (the cron daemon's) instead of the schedule's.",
)
@click.option(
    "--entdrill-bin",
    default="entdrill",
    show_default=True,
    help="The entdrill command in emitted crontab and systemd units.",
)
@click.option(
    "--image",
    default=DEFAULT_IMAGE,
    show_default=True,
    help="Container image of the emitted CronJob.",
)
@click.option(
    "--due", is_flag=True, help="Exit 0 when a drill is due now, 1 when not (for a daily cron)."
)
@click.option(
    "--window",
    metavar="MINUTES",
    help=f"With --due: minutes after the drill time it stays due (default {DEFAULT_WINDOW_MINUTES}).",
)
@click.option(
    "--now", metavar="DATETIME", help="With --due: check this instant instead of the clock."
)
@click.option("-q", "--quiet", is_flag=True, help="With --due: print nothing, only the exit code.")
@click.pass_context
def schedule(ctx: click.Context, /, **options: Any) -> None:
    """Plan drills N school days before each school holiday of a zone.

    A drill date is the Nth school day (Monday to Friday, not a public holiday, not in a
    holiday or pont of the zone) before the first day of each holiday (Toussaint, Noël,
    hiver, printemps, été), at --at local time. A drill whose instant falls in a blackout
    window moves to an earlier school day (at most 2) or is skipped, and the output says so.
    Holidays come from vacances-scolaires-france (zones A, B, C); zone Corse needs --holidays.
    """
    if options["out"] is not None:  # before any work: a path no file can take is refused now
        if options["emit_format"] is None:
            raise InvalidArgument(
                "--out goes with --emit: it is where the emitted jobs are written"
            )
        outfile.check(options["out"], "--out", directory=options["emit_format"] == "systemd")
    spec = _spec(options)
    calendar = _calendar(spec, options["holidays_file"])
    school = options["school"]
    if options["due"]:
        _due(ctx, spec, calendar, options)
        return
    today = dt.datetime.now(spec.tz).date()
    start = _date(options["start"], "--from") or today
    calendar.check_covers(start, "--from")
    until = _date(options["until"], "--until") or calendar.default_until(start)
    drills = plan_drills(spec, calendar, start, until, school)
    if options["emit_format"]:
        _emit(spec, drills, calendar, options)
    elif options["as_json"]:
        click.echo(
            json.dumps(_report(spec, calendar, start, until, drills), ensure_ascii=False, indent=2)
        )
    else:
        click.echo(_table(spec, calendar, start, until, drills), nl=False)


def _read(path: str, option: str) -> tuple[Any, dict[str, int]]:
    kind = "plan" if option == "--plan" else "calendar"
    return load_yaml(textfile.read_text(path, what=option, kind=kind), path)


# option name -> (option, schedule key, reader)
_OVERRIDES = {
    "zone": ("--zone", "zone", read_zone),
    "days": ("--school-days-before", "school_days_before", read_school_days),
    "at": ("--at", "at", read_clock),
    "timezone": ("--timezone", "timezone", read_timezone),
}


def _plan_schedule(plan: str, zone_given: bool) -> tuple[dict[str, Any], dict[str, int]]:
    """The raw ``schedule`` mapping of the plan file, and the line of each field."""
    data, lines = _read(plan, "--plan")
    section = data.get("schedule") if isinstance(data, dict) else None
    if section is None:
        if not zone_given:
            raise InvalidArgument(f"--plan {plan} has no schedule section; add one or pass --zone")
        return {}, lines
    if not isinstance(section, dict):
        raise InvalidArgument(
            f"{plan}:{lines.get('schedule', 1)}: schedule: expected a mapping (zone, at, ...)"
        )
    return dict(section), lines


def _spec(options: dict[str, Any]) -> ScheduleSpec:
    """The plan's schedule with the command line's values over it; every problem reported."""
    plan = options["plan_path"]
    raw, lines = _plan_schedule(plan, options["zone"] is not None) if plan else ({}, {})
    problems = Problems()
    for name, (option, key, reader) in _OVERRIDES.items():
        if options[name] is not None:
            value = reader(options[name], option, problems)
            raw[key] = f"{value:%H:%M}" if isinstance(value, dt.time) else value
    if options["due"] and options["emit_format"] is not None:
        problems.add("--due", "cannot be combined with --emit; run one, then the other")
    if options["emit_format"] is not None and options["emit_format"] not in EMIT_FORMATS:
        problems.add(
            "--emit", f"expected one of {', '.join(EMIT_FORMATS)}, got {options['emit_format']!r}"
        )
    problems.check()
    if "zone" not in raw:
        raise InvalidArgument(
            "--zone is required (A, B, C or Corse) unless --plan has schedule.zone"
        )
    try:
        spec = parse_schedule(raw, "schedule")
    except InvalidSchedule as error:
        raise error.located(plan, lines) if plan else error from None
    if options["blackouts_file"]:
        path = options["blackouts_file"]
        data, lines = _read(path, "--blackouts")
        if not isinstance(data, dict) or "blackouts" not in data:
            raise InvalidArgument(f"--blackouts {path}: expected a top-level `blackouts:` list")
        try:
            extra = parse_blackouts(data["blackouts"], "blackouts", timezone=spec.timezone)
        except InvalidSchedule as error:
            raise error.located(path, lines) from None
        spec = spec.with_blackouts(extra)
    return spec


def _calendar(spec: ScheduleSpec, holidays_file: str | None) -> SchoolCalendar:
    if not holidays_file:
        return load_calendar(spec.zone)
    data, lines = _read(holidays_file, "--holidays")
    try:
        return parse_holiday_list(
            data, "", zone=spec.zone, source=f"the holiday file {holidays_file}"
        )
    except InvalidSchedule as error:
        raise error.located(holidays_file, lines) from None


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    problems = Problems()
    day = read_date(value, option, problems)
    problems.check()
    return day


def _due(
    ctx: click.Context, spec: ScheduleSpec, calendar: SchoolCalendar, options: dict[str, Any]
) -> None:
    problems = Problems()
    window = DEFAULT_WINDOW_MINUTES
    if options["window"] is not None:
        text = str(options["window"]).strip()
        if not text.isdigit() or int(text) < 1:
            problems.add(
                "--window", f"expected a whole number of minutes, at least 1, got {text!r}"
            )
        else:
            window = int(text)
    now = dt.datetime.now(dt.UTC)
    if options["now"] is not None:
        parsed = read_datetime(options["now"], "--now", spec.tz, problems)
        now = parsed or now
    problems.check()
    answer = is_due(spec, now, window, calendar=calendar, school=options["school"])
    if options["as_json"]:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    elif not options["quiet"]:
        click.echo(("due: " if answer.due else "not due: ") + answer.reason)
    ctx.exit(0 if answer.due else 1)


def _header(spec: ScheduleSpec, calendar: SchoolCalendar) -> list[str]:
    return [
        f"Generated by `entdrill schedule` from {calendar.source} "
        f"(holidays up to {calendar.covers_until}); regenerate for later dates."
    ]


def _emit(
    spec: ScheduleSpec,
    drills: list[PlannedDrill],
    calendar: SchoolCalendar,
    options: dict[str, Any],
) -> None:
    plan = options["plan_path"]
    if not plan:
        raise InvalidArgument("--emit needs --plan: the emitted jobs run `entdrill drill run PLAN`")
    fmt, out, workdir = options["emit_format"], options["out"], os.getcwd()
    for what, value in (
        ("--entdrill-bin", options["entdrill_bin"]),
        ("--image", options["image"]),
        ("--plan", os.path.abspath(plan)),
        ("the working directory", workdir),
    ):
        # crontab and systemd units are read line by line: a line end would add a job
        if not value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            raise InvalidArgument(
                f"{what} {value!r} is empty or holds a control character (a line end would "
                "add a line to the emitted jobs); expected a plain path or name"
            )
    files: dict[str, str]
    if fmt == "crontab":
        text = emit.crontab(
            spec,
            drills,
            plan=os.path.abspath(plan),
            entdrill=options["entdrill_bin"],
            workdir=workdir,
            cron_tz=_cron_tz(options["cron_tz"]),
            header=_header(spec, calendar),
        )
        files = {"": text}
    elif fmt == "systemd":
        files = emit.systemd_units(
            spec,
            drills,
            plan=os.path.abspath(plan),
            entdrill=options["entdrill_bin"],
            workdir=workdir,
        )
    else:
        files = {
            "": emit.cronjob(
                spec, drills, plan=plan, image=options["image"], header=_header(spec, calendar)
            )
        }
    if out is None:
        for name, text in files.items():
            click.echo(f"# --- {name} ---\n{text}" if name else text, nl=False)
        return
    if fmt == "systemd":
        for name, text in files.items():
            outfile.write(Path(out, name), text, "--out")
    else:
        outfile.write(Path(out), files[""], "--out")
    click.echo(f"wrote {', '.join(str(Path(out, n)) if n else out for n in files)}", err=True)


def _cron_tz(value: str | None) -> str | None:
    if value is None:
        return None
    problems = Problems()
    zone = read_timezone(value, "--cron-tz", problems)
    problems.check()
    return zone


def _report(
    spec: ScheduleSpec,
    calendar: SchoolCalendar,
    start: dt.date,
    until: dt.date,
    drills: list[PlannedDrill],
) -> dict[str, Any]:
    return {
        "schedule": spec.to_dict(),
        "from": start.isoformat(),
        "until": until.isoformat(),
        "source": calendar.source,
        "covers_until": calendar.covers_until.isoformat(),
        "max_shift_school_days": MAX_SHIFT_SCHOOL_DAYS,
        "drills": [drill.to_dict() for drill in drills],
    }


def _table(
    spec: ScheduleSpec,
    calendar: SchoolCalendar,
    start: dt.date,
    until: dt.date,
    drills: list[PlannedDrill],
) -> str:
    lines = [
        f"Drills {start} to {until}: {emit.describe(spec)}",
        f"Holidays from {calendar.source} (up to {calendar.covers_until}).",
        "",
    ]
    rows = [("date", "local", "UTC", "status", "holiday (first day)")]
    for drill in drills:
        instant = drill.instant
        rows.append(
            (
                f"{drill.date:%a %Y-%m-%d}",
                f"{instant:%H:%M %Z}" if instant else "-",
                f"{instant.astimezone(dt.UTC):%H:%MZ}" if instant else "-",
                drill.status,
                f"{drill.holiday.name} ({drill.holiday.first_day})",
            )
        )
    lines += table(rows)
    if not drills:
        lines.append("(no drill in these dates)")
    notes = [(drill, note) for drill in drills for note in drill.notes]
    if notes:
        lines += ["", "Notes:"]
        lines += [
            f"  {drill.holiday.name} {drill.holiday.first_day.year}: {note}"
            for drill, note in notes
        ]
    return "\n".join(lines) + "\n"
