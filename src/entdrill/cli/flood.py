"""``entdrill flood``: an open-model login storm against a staging ENT, and ``flood merge``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from entdrill import child_options, outfile, redact
from entdrill.cli.flood_options import apply_options, schedule_options, target_options
from entdrill.errors import EntdrillError, GuardRefusal, InvalidArgument, Stopped
from entdrill.flood import (
    Display,
    FloodOptions,
    Report,
    build_plan,
    headline,
    merge_reports,
    read_report,
    write_report,
)
from entdrill.guard import allowlist, consent


def _options(function: Any) -> Any:
    function = apply_options(
        [
            click.option(
                "--report", "report_path", help="Write the JSON report here (- : stdout)."
            ),
            click.option("--shard", help="Run only shard I/N of the schedule, e.g. 0/4."),
            click.option("--executor", default="local", show_default=True, help="local|kubernetes"),
            click.option("--namespace", default="default", help="kubernetes: the namespace."),
            click.option("--image", default="", help="kubernetes: the entdrill image."),
            click.option(
                "--job-manifest",
                default="deploy/k8s/flood-job.yaml",
                show_default=True,
                help="kubernetes: the Indexed Job template the shards run in.",
            ),
            click.option("--start-at", type=float, hidden=True),
            click.option("--progress-lines", is_flag=True, hidden=True),
        ],
        function,
    )
    return target_options(schedule_options(function))


@click.group(invoke_without_command=True)
@_options
@click.pass_context
def flood(ctx: click.Context, /, **values: Any) -> None:
    """Run an open-model load storm (login storm) against a staging ENT.

    Arrivals follow the profile whatever the target does; latency is measured from each
    arrival's intended start. Every flood passes the guard rails first: the target must be in
    the allow-list (ENTDRILL_ALLOWED_TARGETS; loopback by default), serve the consent token at
    /.well-known/entdrill-consent, and the plan must stay under ENTDRILL_MAX_RATE.
    """
    if ctx.invoked_subcommand is not None:
        return
    try:
        code = _run(values)
    except EntdrillError as error:
        click.echo(f"Error: {redact.redact(str(error))}", err=True)
        ctx.exit(error.exit_code)
    ctx.exit(code)


def _run(values: dict[str, Any]) -> int:
    k8s = {k: values.pop(k) for k in ("namespace", "image", "job_manifest")}
    report_path = values.pop("report_path")
    start_at = values.pop("start_at")
    progress_lines = values.pop("progress_lines")
    token = consent.token_from(values.pop("consent_token"))
    if report_path is not None and report_path != "-":
        outfile.check(report_path, "--report")  # before the storm, not after it
    fields: dict[str, Any] = {k: ("" if v is None and k in _TEXT else v) for k, v in values.items()}
    options = FloodOptions(**fields)
    plan = build_plan(options)
    allow = allowlist.from_environment()
    tty = sys.stderr.isatty() and not progress_lines
    if options.executor == "kubernetes":
        from entdrill.flood import run_on_kubernetes

        result = run_on_kubernetes(plan, token, allow=allow, **k8s)
    elif progress_lines or start_at is not None:
        from entdrill.flood import jsonl_progress, run_shard

        result = run_shard(
            plan,
            token,
            allow=allow,
            progress=jsonl_progress if progress_lines else None,
            start_at=start_at,
        )
    else:
        from entdrill.flood import run_here

        display = Display(sys.stderr, shards=plan.processes) if tty else None
        try:
            result = run_here(plan, token, allow=allow, display=display)
        finally:
            if display is not None:
                display.close()
    _output(result, report_path, tty)
    return _exit_code(result["stopped_by"])


_TEXT = {"scenario", "mix", "users", "arrivals", "shard"}


def _output(result: Report, report_path: str | None, tty: bool) -> None:
    if report_path == "-":
        click.echo(json.dumps(redact.redact(result)))
    elif report_path:
        try:
            write_report(result, Path(report_path))
        except InvalidArgument as error:  # checked before the storm; the disk may fill since
            click.echo(json.dumps(redact.redact(result)))
            raise InvalidArgument(f"{error}; the report is on stdout instead") from None
    if tty:
        click.echo(json.dumps(headline(result), indent=1), err=True)


def _exit_code(stopped_by: str) -> int:
    if not stopped_by:
        return 0
    click.echo(f"Error: the flood was stopped: {stopped_by}", err=True)
    if stopped_by.startswith("consent"):
        return GuardRefusal.exit_code
    return Stopped.exit_code


@flood.command("merge")
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here, not stdout.")
@click.pass_context
def merge(ctx: click.Context, reports: tuple[Path, ...], output: Path | None) -> None:
    """Merge the reports of a run's shards exactly (histograms, counts, series)."""
    try:
        if output is not None:
            outfile.check(output, "--output")
        merged = merge_reports([read_report(p) for p in reports], [str(p) for p in reports])
        if output is not None:
            write_report(merged, output, "--output")
    except InvalidArgument as error:
        click.echo(f"Error: {redact.redact(str(error))}", err=True)
        ctx.exit(error.exit_code)
    if output is None:
        click.echo(json.dumps(redact.redact(merged)))


if __name__ == "__main__":
    flood(args=child_options.take(sys.argv[1:]), prog_name="entdrill flood")
