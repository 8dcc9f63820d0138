"""What ``entdrill sandbox status`` reports: URLs, tokens and one entry per process."""

from __future__ import annotations

from typing import Any, TypedDict

from entdrill import processes
from entdrill.sandbox.component import port_of
from entdrill.sandbox.config import HOST
from entdrill.sandbox.matrix_accounts import read_accounts
from entdrill.sandbox.state import SandboxState
from entdrill.sandbox.supervisor import Supervisor


class ComponentStatus(TypedDict):
    name: str
    pid: int | None
    port: int
    state: str  # running | paused | stopped | unavailable (an optional one that could not start)


def component_status(supervisor: Supervisor) -> list[ComponentStatus]:
    state = supervisor.state()
    if state is None:
        return []
    names = state.components()
    names += sorted(set(state.processes) - set(names))  # e.g. a replica added by a fault
    result: list[ComponentStatus] = [
        {"name": name, "pid": None, "port": port_of(state.config, name), "state": "unavailable"}
        for name in sorted(state.unavailable)
    ]
    for name in names:
        entry = state.processes.get(name)
        pid = entry.pid if entry else None
        if pid is not None and processes.is_component(pid, name, supervisor.directory):
            status = "paused" if processes.is_paused(pid) else "running"
        else:
            status, pid = "stopped", None
        result.append(
            {"name": name, "pid": pid, "port": port_of(state.config, name), "state": status}
        )
    return result


def status(supervisor: Supervisor) -> dict[str, Any]:
    """The status object: enough for any client to reach and use the sandbox."""
    state = supervisor.state()
    if state is None:
        return {"running": False, "directory": str(supervisor.directory), "components": []}
    config, secrets = state.config, state.secrets
    components = component_status(supervisor)
    return {
        "running": bool(components) and all(c["state"] != "stopped" for c in components),
        "directory": str(supervisor.directory),
        "ent_url": config.ent_url,
        "cas_url": config.ent_url + "/cas",
        "bridge_url": config.bridge_url,
        "bridge_secret": secrets.bridge_secret,
        "backup_bridge_url": config.backup_bridge_url,
        "backup_bridge_secret": secrets.backup_bridge_secret,
        "slack_api_url": config.slack_api_url,
        "slack_token": secrets.slack_token,
        "smtp_host": HOST,
        "smtp_port": config.smtp_port,
        "smtp_user": secrets.smtp_user,
        "smtp_password": secrets.smtp_password,
        "smtp_admin_url": config.smtp_admin_url,
        "sms_api_url": config.sms_api_url,
        "sms_token": secrets.sms_token,
        "status_page_url": config.status_page_url,
        "status_token": secrets.status_token,
        "staff_url": config.staff_url,
        "population_csv": str(supervisor.directory / "population.csv"),
        "consent_token": secrets.consent_token,
        "admin_token": secrets.admin_token,
        "replicas": config.replicas,
        **matrix_status(supervisor, state),
        **monitoring_status(supervisor, state),
        "components": components,
    }


def matrix_status(supervisor: Supervisor, state: SandboxState) -> dict[str, Any]:
    """``matrix_url`` and the bot's ``matrix_token`` ("" when the sandbox runs without Synapse,
    with the reason in ``matrix_problem``)."""
    config = state.config
    accounts = read_accounts(supervisor.directory) if config.matrix else None
    if not config.matrix:
        problem = "the sandbox runs without Matrix (matrix: false)"
    elif "matrix" in state.unavailable:
        problem = f"Synapse did not start: {state.unavailable['matrix']}"
    elif accounts is None:
        problem = "Synapse has not set the school's Matrix accounts up yet"
    else:
        problem = ""
    ready = accounts is not None and not problem
    return {
        "matrix_url": config.matrix_url if ready else "",
        "matrix_server_name": config.school_domain,
        "matrix_user": accounts.bot.user_id if ready and accounts else "",
        "matrix_token": accounts.bot.access_token if ready and accounts else "",
        "matrix_room": next(iter(accounts.rooms), "") if ready and accounts else "",
        "matrix_problem": problem,
    }


def monitoring_status(supervisor: Supervisor, state: SandboxState) -> dict[str, Any]:
    """``prometheus_url`` and ``alertmanager_url`` ("" when the sandbox runs without them, with
    the reason in ``monitoring_problem``)."""
    config = state.config
    if not config.monitoring:
        problem = "the sandbox runs without Prometheus and Alertmanager (monitoring: false)"
    else:
        reasons = [state.unavailable.get(n, "") for n in ("prometheus", "alertmanager")]
        problem = "; ".join(dict.fromkeys(r for r in reasons if r))
    ready = config.monitoring and not problem
    return {
        "prometheus_url": config.prometheus_url if ready else "",
        "alertmanager_url": config.alertmanager_url if ready else "",
        "monitoring_problem": problem,
    }
