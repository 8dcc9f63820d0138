"""What ``entdrill sandbox status`` reports: URLs, tokens and one entry per process."""

from __future__ import annotations

from typing import Any, TypedDict

from entdrill.sandbox import processes
from entdrill.sandbox.component import component_names, port_of
from entdrill.sandbox.config import HOST
from entdrill.sandbox.supervisor import Supervisor


class ComponentStatus(TypedDict):
    name: str
    pid: int | None
    port: int
    state: str  # running | paused | stopped


def component_status(supervisor: Supervisor) -> list[ComponentStatus]:
    state = supervisor.state()
    if state is None:
        return []
    names = component_names(state.config)
    names += sorted(set(state.processes) - set(names))  # e.g. a replica added by a fault
    result: list[ComponentStatus] = []
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
        "components": components,
    }
