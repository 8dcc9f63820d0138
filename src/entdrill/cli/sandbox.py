"""``entdrill sandbox``: start, inspect and stop the embedded staging school."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click

from entdrill import paths, ranges, textfile
from entdrill.cli.table import table
from entdrill.errors import InvalidConfig
from entdrill.problem import format_path
from entdrill.sandbox import SandboxConfig, Supervisor, component_names_help, sandbox_status
from entdrill.yaml_safe import read_yaml

SETTING_HELP: dict[str, str] = {
    "ent_port": "Port of the ENT (CAS + portal), shared by its replicas.",
    "replicas": "Number of ENT replica processes.",
    "bridge_port": "Port of the video bridge (BigBlueButton API).",
    "backup_bridge_port": "Port of the backup video bridge.",
    "slack_port": "Port of the Slack-compatible Web API.",
    "sms_port": "Port of the SMS gateway.",
    "smtp_port": "Port of the SMTP server.",
    "smtp_admin_port": "Port of the SMTP server's HTTP admin (mail inspection, faults).",
    "status_port": "Port of the status page.",
    "staff_port": "Port of the simulated staff's report.",
    "login_cost_ms": "CPU cost of one password check, in milliseconds.",
    "ent_workers": "Password-check threads per ENT replica.",
    "ent_queue": "Logins allowed to wait per replica before it answers 503.",
    "ticket_ttl_s": "Lifetime of a CAS service ticket, in seconds.",
    "session_ttl_s": "Lifetime of a portal session, in seconds.",
    "store_url": "Shared ENT store: empty for the embedded one, or a redis:// URL.",
    "bridge_capacity": "Participants the video bridge holds.",
    "backup_bridge_capacity": "Participants the backup bridge holds.",
    "seed": "Seed of the generated population and of the simulated staff.",
    "schools": "Number of schools in the population.",
    "pupils_per_school": "Pupils (and as many parents) per school.",
    "staff_silent_share": "Share of simulated staff who never answer (0 to 1).",
    "staff_ack_median_s": "Median delay before a simulated person acknowledges, in seconds.",
    "matrix_port": "Port of the Matrix homeserver (Synapse).",
    "school_domain": "Mail domain of the school, and its Matrix server name.",
    "matrix": "Start the Matrix homeserver (Synapse, from the `synapse` extra).",
    "matrix_message_rate": "Messages a second each Matrix user may send (Synapse's rc_message).",
    "matrix_message_burst": "Messages a Matrix user may send in a burst (Synapse's rc_message).",
    "prometheus_port": "Port of Prometheus (Debian's prometheus, when installed).",
    "alertmanager_port": "Port of Alertmanager (Debian's prometheus-alertmanager).",
    "exporter_port": "Port of the process exporter Prometheus scrapes (component_up).",
    "monitoring": "Start Prometheus and Alertmanager (when installed).",
}


def setting_options(command: Any) -> Any:
    """Add one ``--setting-name`` option per sandbox setting (default: the configured one)."""
    for field in reversed(dataclasses.fields(SandboxConfig)):
        kind = type(field.default)
        if kind is bool:
            flag = field.name.replace("_", "-")
            command = click.option(
                f"--{flag}/--no-{flag}",
                field.name,
                default=None,
                help=SETTING_HELP.get(field.name, field.name) + f" [default: {field.default!r}]",
            )(command)
            continue
        command = click.option(
            "--" + field.name.replace("_", "-"),
            field.name,
            type=kind,
            default=None,
            help=SETTING_HELP.get(field.name, field.name) + f" [default: {field.default!r}]",
        )(command)
    return command


def load_settings_file(path: Path) -> dict[str, Any]:
    """The settings of a ``--config`` file, read with the plans' strict YAML reader."""
    text = textfile.read_text(path, what="--config", kind="settings", error=InvalidConfig)
    doc = read_yaml(text)
    if doc.problems:
        first = doc.problems[0]
        where = f"{path}:{first.line}" + (f": {format_path(first.path)}" if first.path else "")
        raise InvalidConfig(f"--config {where}: {first.message}")
    if not isinstance(doc.data, dict):
        raise InvalidConfig(f"--config {path}: expected a mapping of settings (name: value)")
    return dict(doc.data)


def supervisor() -> Supervisor:
    return Supervisor(paths.sandbox_dir())


@click.group()
def sandbox() -> None:
    """Start, inspect and stop the embedded staging school (ENT, CAS, bridges, Slack, mail, SMS).

    State, logs and generated data live in $ENTDRILL_HOME/sandbox (default ./.entdrill/sandbox).
    """


@sandbox.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="YAML file of settings (the option names with underscores); options override it.",
)
@click.option(
    "--timeout",
    type=ranges.option(ranges.Number(1, 3600, unit="seconds")),
    default=30.0,
    show_default=True,
    help="Seconds to wait for every component.",
)
@setting_options
def up(config_file: Path | None, timeout: float, **settings: Any) -> None:
    """Start the sandbox in the background; return once every component answers.

    Running it again while the sandbox is up changes nothing.
    """
    values: dict[str, Any] = load_settings_file(config_file) if config_file else {}
    values.update({k: v for k, v in settings.items() if v is not None})
    sup = supervisor()
    current = sup.state()
    if not values and current is not None and sup.running():
        config = current.config
    else:
        config = SandboxConfig.from_dict(values)
    sup.up(config, timeout_s=timeout)
    info = sandbox_status(sup)
    click.echo(
        f"sandbox up: ENT {info['ent_url']} ({config.replicas} replicas), "
        f"bridge {info['bridge_url']}, Slack {info['slack_api_url']}"
        + (f", Matrix {info['matrix_url']}" if info["matrix_url"] else "")
        + (f", Prometheus {info['prometheus_url']}" if info["prometheus_url"] else "")
    )
    if config.matrix and not info["matrix_url"]:
        click.echo(f"running without Matrix: {info['matrix_problem']}")
    if config.monitoring and not info["prometheus_url"]:
        click.echo(f"running without monitoring: {info['monitoring_problem']}")
    click.echo("`entdrill sandbox status --json` gives every URL and token.")


@sandbox.command()
def down() -> None:
    """Stop every sandbox process."""
    stopped = supervisor().down()
    click.echo(
        f"sandbox down: stopped {len(stopped)} process(es)"
        if stopped
        else "sandbox was not running"
    )


@sandbox.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object, tokens included.")
def status(as_json: bool) -> None:
    """Show whether the sandbox runs, its URLs and each process (tokens only with --json)."""
    info = sandbox_status(supervisor())
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    if not info["components"]:
        click.echo("sandbox not set up (run `entdrill sandbox up`)")
        raise SystemExit(1)
    click.echo(
        f"sandbox {'up' if info['running'] else 'DOWN or partly down'} in {info['directory']}"
    )
    for key in (
        "ent_url",
        "bridge_url",
        "backup_bridge_url",
        "slack_api_url",
        "sms_api_url",
        "status_page_url",
        "matrix_url",
        "prometheus_url",
        "alertmanager_url",
        "population_csv",
    ):
        click.echo(f"  {key:18} {info[key] or '-'}")
    if info["matrix_problem"]:
        click.echo(f"  {'matrix':18} {info['matrix_problem']}")
    if info["monitoring_problem"]:
        click.echo(f"  {'monitoring':18} {info['monitoring_problem']}")
    click.echo(f"  {'smtp':18} {info['smtp_host']}:{info['smtp_port']}")
    rows = [("component", "pid", "port", "state")]
    for component in info["components"]:
        pid = component["pid"] if component["pid"] is not None else "-"
        rows.append((component["name"], pid, component["port"], component["state"]))
    for line in table(rows, widths=(14, 7, 5), right=(1, 2), indent="  "):
        click.echo(line)
    if not info["running"]:
        raise SystemExit(1)


@sandbox.command()
@click.argument("component", required=False)
@click.option(
    "-n",
    "--lines",
    type=ranges.option(ranges.Number(1, 100_000, integer=True, unit="lines")),
    default=40,
    show_default=True,
    help="Lines from the end of each log.",
)
def logs(component: str | None, lines: int) -> None:
    """Show the end of a component's log (all components when none is named).

    COMPONENT is one of: ent-N, bridge, backup-bridge, slack, sms, smtp, statuspage, staff, matrix.
    """
    sup = supervisor()
    log_dir = sup.directory / "logs"
    if component is not None:
        if not sup.log_path(component).exists():
            raise InvalidConfig(
                f"no log for component {component!r}; expected one of {component_names_help()}"
            )
        click.echo(sup.log_tail(component, lines))
        return
    found = sorted(log_dir.glob("*.log")) if log_dir.exists() else []
    if not found:
        click.echo("no sandbox logs yet (run `entdrill sandbox up`)")
        return
    for path in found:
        click.echo(f"==> {path.stem} <==")
        click.echo(sup.log_tail(path.stem, lines))
