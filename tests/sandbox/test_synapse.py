"""The sandbox's Matrix homeserver: Synapse's generated configuration, the school it sets up, and
a sandbox that runs without it (saying why) when it cannot start."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.population import generate, read_csv
from entdrill.sandbox import matrix_accounts
from entdrill.sandbox.config import SandboxConfig, SandboxSecrets
from entdrill.sandbox.staff_profile import simulated
from entdrill.sandbox.state import SandboxState
from entdrill.sandbox.status import status
from entdrill.sandbox.supervisor import Supervisor
from entdrill.sandbox.synapse_config import homeserver_config
from entdrill.testing import free_config
from tests.synapse_support import MatrixServer


def test_synapse_listens_on_loopback_only_for_the_school_with_the_sandboxs_message_rate(
    tmp_path: Path,
) -> None:
    config = SandboxConfig(matrix_port=18950, matrix_message_rate=0.5, matrix_message_burst=4)
    secrets = SandboxSecrets()
    hs = homeserver_config(config, secrets, tmp_path)
    assert hs["server_name"] == "ecole.test"
    assert [(li["bind_addresses"], li["port"]) for li in hs["listeners"]] == [
        (["127.0.0.1"], 18950)
    ]
    assert [r["names"] for r in hs["listeners"][0]["resources"]] == [["client"]]  # no federation
    assert hs["trusted_key_servers"] == [] and hs["federation_domain_whitelist"] == []
    assert hs["enable_registration"] is False and hs["report_stats"] is False
    assert hs["registration_shared_secret"] == secrets.matrix_shared_secret
    assert hs["rc_message"] == {"per_second": 0.5, "burst_count": 4}
    assert hs["database"]["args"]["database"] == str(tmp_path / "homeserver.db")
    defaults = homeserver_config(SandboxConfig(), secrets, tmp_path)["rc_message"]
    assert defaults == {"per_second": 0.2, "burst_count": 10}  # Synapse's own defaults


def test_the_school_is_on_synapse_people_bot_and_room(synapse: MatrixServer) -> None:
    people = simulated(read_csv(synapse.directory / "population.csv"))
    accounts = synapse.accounts
    assert {name: a.user_id for name, a in accounts.people.items()} == {
        p.username: p.matrix_id for p in people
    }
    assert accounts.bot.user_id == f"@drill:{synapse.domain}"
    bot = synapse.call(accounts.admin, "GET", "/account/whoami")
    assert bot["user_id"] == f"@entdrill-admin:{synapse.domain}"
    admin_view = matrix_accounts.call(
        synapse.url,
        "GET",
        f"/_synapse/admin/v2/users/{accounts.bot.user_id}",
        token=accounts.admin.access_token,
    )
    assert admin_view["admin"] is False  # the drill bot is rate-limited like anyone
    room_id = accounts.rooms[f"#continuite:{synapse.domain}"]
    members = synapse.call(accounts.bot, "GET", f"/rooms/{room_id}/joined_members")["joined"]
    assert set(members) == {accounts.bot.user_id} | {p.matrix_id for p in people}
    path = matrix_accounts.accounts_path(synapse.directory)
    assert path.stat().st_mode & 0o777 == 0o600


def test_only_teachers_and_staff_have_a_matrix_id() -> None:
    people = generate(SandboxConfig(pupils_per_school=2))
    for person in people:
        expected = f"@{person.username}:ecole.test" if person.role in ("teacher", "staff") else ""
        assert person.matrix_id == expected


def test_synapse_cannot_start_on_a_port_in_use_and_says_so(tmp_path: Path) -> None:
    config = free_config(matrix=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", config.matrix_port))
        taken.listen()
        supervisor = Supervisor(tmp_path / "sandbox")
        state = SandboxState(config, SandboxSecrets())
        why = supervisor._cannot_start("matrix", state)
    assert why.startswith(f"port {config.matrix_port} is already in use")


def test_a_sandbox_whose_synapse_fails_runs_without_it_and_says_so_in_one_line(
    entdrill_home: Path,
) -> None:
    config = free_config(matrix=True, school_domain="ecole_test")  # no server name for Synapse
    args = ["--matrix", "--no-monitoring"]
    for name, value in config.to_dict().items():
        if name.endswith("_port") or name in (
            "login_cost_ms",
            "pupils_per_school",
            "school_domain",
        ):
            args += ["--" + name.replace("_", "-"), str(value)]
    runner = CliRunner()
    try:
        up = runner.invoke(cli, ["sandbox", "up", *args])
        assert up.exit_code == 0, up.output
        lines = up.output.splitlines()
        assert lines[0].startswith("sandbox up: ENT ") and "Matrix" not in lines[0]
        assert lines[1] == (
            "running without Matrix: Synapse did not start: its process exited while starting "
            "(see `entdrill sandbox logs matrix`)"
        )
        info = json.loads(runner.invoke(cli, ["sandbox", "status", "--json"]).output)
        assert info["running"] is True
        assert (info["matrix_url"], info["matrix_token"]) == ("", "")
        assert info["matrix_problem"].startswith("Synapse did not start: ")
        states = {c["name"]: c["state"] for c in info["components"]}
        assert states.pop("matrix") == "unavailable"
        assert set(states.values()) == {"running"}
        assert Supervisor(entdrill_home / "sandbox").is_up()
        log = runner.invoke(cli, ["sandbox", "logs", "matrix"]).output
        assert "server_name" in log or "ecole_test" in log  # Synapse's own reason
    finally:
        down = runner.invoke(cli, ["sandbox", "down"])
    assert down.exit_code == 0


def test_status_gives_the_matrix_url_and_the_bots_token_only_when_synapse_runs(
    tmp_path: Path,
) -> None:
    supervisor = Supervisor(tmp_path / "sandbox")
    off = SandboxState(free_config(), SandboxSecrets())
    from entdrill.sandbox.state import write_state

    write_state(supervisor.directory, off)
    info = status(supervisor)
    assert (info["matrix_url"], info["matrix_token"]) == ("", "")
    assert info["matrix_problem"] == "the sandbox runs without Matrix (matrix: false)"


@pytest.mark.parametrize("rate", [0, -1.0])
def test_a_matrix_message_rate_of_zero_or_less_is_refused(rate: float) -> None:
    from entdrill.errors import InvalidConfig

    with pytest.raises(InvalidConfig, match="matrix_message_rate must be a number above 0"):
        SandboxConfig(matrix_message_rate=rate)
