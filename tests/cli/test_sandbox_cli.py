"""`entdrill sandbox ...` through the command line: output, JSON, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.testing import free_config

PORT_OPTIONS = (
    "ent_port", "bridge_port", "backup_bridge_port", "slack_port", "sms_port", "smtp_port",
    "smtp_admin_port", "status_port", "staff_port", "matrix_port", "prometheus_port",
    "alertmanager_port", "exporter_port",
)  # fmt: skip


def port_args() -> list[str]:
    config = free_config()
    args: list[str] = ["--login-cost-ms", "2", "--pupils-per-school", "20", "--no-matrix"]
    args.append("--no-monitoring")
    for name in PORT_OPTIONS:
        args += ["--" + name.replace("_", "-"), str(getattr(config, name))]
    return args


def test_up_status_logs_down_round_trip(entdrill_home: Path) -> None:
    runner = CliRunner()
    try:
        up = runner.invoke(cli, ["sandbox", "up", *port_args()])
        assert up.exit_code == 0, up.output
        assert "sandbox up" in up.output
        again = runner.invoke(cli, ["sandbox", "up"])
        assert again.exit_code == 0, again.output
        shown = runner.invoke(cli, ["sandbox", "status", "--json"])
        assert shown.exit_code == 0
        info = json.loads(shown.output)
        assert info["running"] is True
        assert info["admin_token"] and info["consent_token"]
        human = runner.invoke(cli, ["sandbox", "status"])
        assert "ent-2" in human.output
        assert info["admin_token"] not in human.output  # tokens only with --json
        logs = runner.invoke(cli, ["sandbox", "logs", "ent-1"])
        assert logs.exit_code == 0
    finally:
        down = runner.invoke(cli, ["sandbox", "down"])
    assert down.exit_code == 0
    assert "stopped 9 process(es)" in down.output
    after = runner.invoke(cli, ["sandbox", "status"])
    assert after.exit_code == 1


def test_logs_of_an_unknown_component_is_one_sentence(entdrill_home: Path) -> None:
    result = CliRunner().invoke(cli, ["sandbox", "logs", "ent-9"])
    assert result.exit_code == 2
    assert "no log for component 'ent-9'" in result.output
    assert "Traceback" not in result.output


def test_bad_setting_is_refused_before_anything_starts(entdrill_home: Path) -> None:
    result = CliRunner().invoke(cli, ["sandbox", "up", "--replicas", "0"])
    assert result.exit_code == 2
    assert "replicas must be a whole number of at least 1" in result.output
    assert not (entdrill_home / "sandbox" / "state.json").exists()


def test_unreadable_config_file_is_named(entdrill_home: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["sandbox", "up", "--config", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: --config {tmp_path / 'missing.yaml'}: cannot read it (No such file or directory)\n"
    )


def test_every_command_has_help() -> None:
    runner = CliRunner()
    root = runner.invoke(cli, ["--help"])
    assert root.exit_code == 0
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.help, f"{name} has no help"
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
