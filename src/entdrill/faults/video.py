"""Video-bridge failures on the sandbox: down, hung, degraded, shrunk; and restored.

* down: the bridge process is stopped, so joins meet a refused connection (a real outage);
* hang: SIGSTOP (the kernel still accepts connections, nothing answers) or the ``hang`` fault;
* degrade: added latency and a share of requests answered 500 (``latency_ms``, ``error_ratio``);
* shrink: the bridge holds at most ``capacity`` participants.

Each is recorded in the ledger before it is injected and verified after (the port refuses, the
process state is ``T``, ``/_admin/faults`` reads the settings back).
"""

from __future__ import annotations

import math
import os
import signal
from typing import Any

from entdrill import processes
from entdrill.errors import FaultError, InvalidArgument
from entdrill.faults.admin import FAULT_KEYS
from entdrill.faults.ledger import FaultEntry, Ledger
from entdrill.faults.recovery import inject, recover
from entdrill.faults.target import BRIDGES, SandboxTarget, port_refuses, wait_until
from entdrill.targets.sandbox import port_of

STOP_TIMEOUT_S = 10.0
HANG_METHODS = ("sigstop", "fault")
MAX_LATENCY_MS = 600_000


def _running_pid(target: SandboxTarget, bridge: str) -> int:
    target.require_component(bridge, "bridge", BRIDGES)
    pid = target.pid_of(bridge)
    if pid is None:
        raise FaultError(f"{bridge} is not running, so it cannot be broken")
    return pid


def bridge_down(
    target: SandboxTarget, *, bridge: str = "bridge", ledger: Ledger | None = None
) -> dict[str, Any]:
    """Stop the bridge's process (SIGTERM, then SIGKILL): its port refuses connections."""
    pid = _running_pid(target, bridge)
    port = port_of(target.state().config, bridge)

    def apply() -> dict[str, Any]:
        used = signal.SIGTERM
        if processes.is_paused(pid):
            os.kill(pid, signal.SIGCONT)
        target.supervisor.stop_component(bridge, used)
        if not wait_until(lambda: not processes.is_alive(pid), STOP_TIMEOUT_S):
            used = signal.SIGKILL
            target.supervisor.stop_component(bridge, used)
            if not wait_until(lambda: not processes.is_alive(pid), 5.0):
                raise FaultError(f"{bridge} (pid {pid}) survived SIGTERM and SIGKILL")
        if not wait_until(lambda: port_refuses(port), 5.0):
            raise FaultError(f"{bridge} stopped but port {port} still accepts connections")
        return {
            "component": bridge,
            "pid": pid,
            "signal": used.name,
            "port": port,
            "connection": "refused",
        }

    return inject(
        ledger or Ledger(),
        kind="bridge_down",
        target={"component": bridge, "sandbox_dir": str(target.directory)},
        action={"stop": "SIGTERM, then SIGKILL", "pid": pid},
        undo={
            "op": "start_component",
            "sandbox_dir": str(target.directory),
            "name": bridge,
            "pid": pid,
        },
        apply=apply,
    )


def bridge_hang(
    target: SandboxTarget,
    *,
    bridge: str = "bridge",
    method: str = "sigstop",
    ledger: Ledger | None = None,
) -> dict[str, Any]:
    """Hang the bridge: SIGSTOP its process (``sigstop``) or hold every request (``fault``)."""
    if method not in HANG_METHODS:
        raise InvalidArgument(f"method: expected one of {', '.join(HANG_METHODS)}, got {method!r}")
    if method == "fault":
        _running_pid(target, bridge)
        return _set_faults(target, bridge, "bridge_hang", {"hang": True}, ledger)
    pid = _running_pid(target, bridge)

    def apply() -> dict[str, Any]:
        target.supervisor.stop_component(bridge, signal.SIGSTOP)
        if not wait_until(lambda: processes.is_paused(pid), 5.0):
            raise FaultError(f"{bridge} (pid {pid}) is not paused 5 s after SIGSTOP")
        return {"component": bridge, "pid": pid, "signal": "SIGSTOP", "state": "paused"}

    return inject(
        ledger or Ledger(),
        kind="bridge_hang",
        target={"component": bridge, "sandbox_dir": str(target.directory)},
        action={"signal": "SIGSTOP", "pid": pid},
        undo={"op": "resume", "sandbox_dir": str(target.directory), "name": bridge, "pid": pid},
        apply=apply,
    )


def check_degradation(latency_ms: Any, error_ratio: Any) -> None:
    """Refuse a latency or error ratio out of range, or a degradation that degrades nothing."""
    for name, value in (("latency_ms", latency_ms), ("error_ratio", error_ratio)):
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise InvalidArgument(f"{name}: expected a number, got {value!r}")
    if not 0 <= latency_ms <= MAX_LATENCY_MS:
        raise InvalidArgument(
            f"latency_ms: expected 0 to {MAX_LATENCY_MS} milliseconds, got {latency_ms!r}"
        )
    if not 0.0 <= error_ratio <= 1.0:
        raise InvalidArgument(f"error_ratio: expected a share from 0 to 1, got {error_ratio!r}")
    if latency_ms == 0 and error_ratio == 0:
        raise InvalidArgument(
            "latency_ms, error_ratio: both are 0, which degrades nothing; give at least one"
        )


def degrade_bridge(
    target: SandboxTarget,
    *,
    bridge: str = "bridge",
    latency_ms: float = 0.0,
    error_ratio: float = 0.0,
    ledger: Ledger | None = None,
) -> dict[str, Any]:
    """Add ``latency_ms`` to every bridge request and answer ``error_ratio`` of them with 500."""
    target.require_component(bridge, "bridge", BRIDGES)
    check_degradation(latency_ms, error_ratio)
    settings = {"latency_ms": float(latency_ms), "error_ratio": float(error_ratio)}
    return _set_faults(target, bridge, "degrade_bridge", settings, ledger)


def shrink_bridge_capacity(
    target: SandboxTarget,
    *,
    bridge: str = "bridge",
    capacity: int = 0,
    ledger: Ledger | None = None,
) -> dict[str, Any]:
    """Let the bridge hold at most ``capacity`` participants; joins beyond it fail."""
    target.require_component(bridge, "bridge", BRIDGES)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
        raise InvalidArgument(f"capacity: expected a whole number of at least 0, got {capacity!r}")
    return _set_faults(target, bridge, "shrink_bridge_capacity", {"capacity": capacity}, ledger)


def _set_faults(
    target: SandboxTarget,
    bridge: str,
    kind: str,
    settings: dict[str, Any],
    ledger: Ledger | None,
) -> dict[str, Any]:
    _running_pid(target, bridge)
    client = target.admin(bridge)
    current = client.get_faults()  # before touching: also proves the admin API answers
    before = {key: current.get(key) for key in settings}

    def apply() -> dict[str, Any]:
        client.put_faults(settings)
        matched, after = client.wait_for_faults(settings)
        if not matched:
            raise FaultError(f"{bridge} reads back {after} after setting {settings}")
        return {
            "component": bridge,
            "before": before,
            "after": {key: after.get(key) for key in settings},
        }

    return inject(
        ledger or Ledger(),
        kind=kind,
        target={"component": bridge, "url": client.origin, "sandbox_dir": str(target.directory)},
        action={"settings": settings},
        undo={
            "op": "set_faults",
            "sandbox_dir": str(target.directory),
            "component": bridge,
            "url": client.origin,
            "settings": before,
        },
        apply=apply,
    )


def restore_bridge(
    target: SandboxTarget, *, bridge: str = "bridge", ledger: Ledger | None = None
) -> dict[str, Any]:
    """Bring the bridge back: revert its recorded faults, start or resume it, clear its faults."""
    target.require_component(bridge, "bridge", BRIDGES)
    directory = str(target.directory)

    def select(entry: FaultEntry) -> bool:
        return (
            entry.target.get("sandbox_dir") == directory and entry.target.get("component") == bridge
        )

    report = recover(ledger, select=select, verify_sandboxes=False)
    started = resumed = False
    pid = target.pid_of(bridge)
    if pid is None:
        target.supervisor.start_component(bridge)
        started = True
    elif processes.is_paused(pid):
        os.kill(pid, signal.SIGCONT)
        resumed = True
    client = target.admin(bridge)
    faults = client.get_faults()
    cleared = {
        k: faults.get(k)
        for k in FAULT_KEYS
        if k in faults and faults[k] not in (None, 0, 0.0, False)
    }
    if cleared:
        faults = client.clear_faults()
    if report.failed:
        raise FaultError("; ".join(str(f["error"]) for f in report.failed))
    return {
        "component": bridge,
        "reverted": [r["id"] for r in report.reverted],
        "started": started,
        "resumed": resumed,
        "cleared_unrecorded": cleared,
        "faults": faults,
    }
