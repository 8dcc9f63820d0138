"""Video-bridge failures on the sandbox: down, hung, degraded, shrunk; and restored.

Every action records its fault in the ledger before injecting it, verifies it took effect and
returns what it did; the staging control reverts whatever is left when the experiment ends.
"""

from actions.types import Configuration, JsonObject, Secrets
from entdrill.faults import video
from entdrill.faults.activity import run_fault

__all__ = [
    "bridge_down",
    "bridge_hang",
    "degrade_bridge",
    "restore_bridge",
    "shrink_bridge_capacity",
]


def bridge_down(
    bridge: str = "bridge", configuration: Configuration = None, secrets: Secrets = None
) -> JsonObject:
    """Take a video bridge down: its process stops, joins meet a refused connection.

    bridge: `bridge` (the primary) or `backup-bridge`.
    Returns the pid stopped, the signal it took, and the port now refusing connections.
    """
    return run_fault(video.bridge_down, configuration, bridge=bridge)


def bridge_hang(
    bridge: str = "bridge",
    method: str = "sigstop",
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Hang a video bridge: connections are accepted but nothing answers.

    bridge: `bridge` or `backup-bridge`.
    method: `sigstop` (the process is paused) or `fault` (every request is held).
    Returns the pid paused, or the fault settings before and after.
    """
    return run_fault(video.bridge_hang, configuration, bridge=bridge, method=method)


def degrade_bridge(
    latency_ms: float = 500.0,
    error_ratio: float = 0.0,
    bridge: str = "bridge",
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Slow a video bridge down and make it fail some requests.

    latency_ms: added to every API call, in milliseconds (0 to 600000).
    error_ratio: share of calls answered HTTP 500 (0 to 1).
    bridge: `bridge` or `backup-bridge`.
    Returns the settings before and after.
    """
    return run_fault(
        video.degrade_bridge,
        configuration,
        bridge=bridge,
        latency_ms=latency_ms,
        error_ratio=error_ratio,
    )


def shrink_bridge_capacity(
    capacity: int = 0,
    bridge: str = "bridge",
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Let a video bridge hold only `capacity` participants; joins beyond fail.

    capacity: participants the bridge holds (0 refuses every join).
    bridge: `bridge` or `backup-bridge`.
    Returns the capacity before and after.
    """
    return run_fault(video.shrink_bridge_capacity, configuration, bridge=bridge, capacity=capacity)


def restore_bridge(
    bridge: str = "bridge", configuration: Configuration = None, secrets: Secrets = None
) -> JsonObject:
    """Bring a video bridge back: its recorded faults reverted, its process running, no fault left.

    bridge: `bridge` or `backup-bridge`.
    Returns the faults reverted and whether the bridge was restarted or resumed.
    """
    return run_fault(video.restore_bridge, configuration, bridge=bridge)
