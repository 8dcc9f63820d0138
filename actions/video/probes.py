"""Probes of the video bridges: can a class be created and joined, on which bridge."""

import logging
import uuid

from chaoslib.exceptions import ActivityFailed

from actions.types import Configuration, JsonObject, Secrets
from entdrill.bbb import create_and_join
from entdrill.probes.meeting import class_can_meet as meet

__all__ = ["backup_bridge_join", "bridge_join", "class_can_meet"]
logger = logging.getLogger("chaostoolkit")


def _bridge(configuration: JsonObject, prefix: str) -> tuple[str, str]:
    url, secret = configuration.get(f"{prefix}_url"), configuration.get(f"{prefix}_secret")
    if not (url and secret):
        raise ActivityFailed(f"No {prefix}_url or {prefix}_secret in the configuration.")
    return str(url), str(secret)


def bridge_join(
    backup: bool = False,
    timeout_s: float = 5.0,
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Create a class on the video bridge and join it through the BigBlueButton API.

    backup: use the backup bridge instead of the primary one.
    timeout_s: the limit for each API call.
    Returns `{"ok", "seconds", "bridge", "error"}`.
    """
    url, secret = _bridge(configuration or {}, "backup_bridge" if backup else "bridge")
    result = create_and_join(
        url, secret, meeting_id=f"probe-{uuid.uuid4().hex[:8]}", timeout_s=timeout_s
    )
    logger.info("Join on %s: ok=%s in %.3fs %s", url, result.ok, result.seconds, result.error)
    return {"ok": result.ok, "seconds": result.seconds, "bridge": url, "error": result.error}


def backup_bridge_join(
    timeout_s: float = 5.0, configuration: Configuration = None, secrets: Secrets = None
) -> JsonObject:
    """Create a class on the backup video bridge and join it.

    timeout_s: the limit for each API call.
    Returns `{"ok", "seconds", "bridge", "error"}`.
    """
    return bridge_join(True, timeout_s, configuration, secrets)


def class_can_meet(
    timeout_s: float = 5.0, configuration: Configuration = None, secrets: Secrets = None
) -> JsonObject:
    """Can a class meet: created and joined on the primary bridge, or else on the backup.

    timeout_s: the limit for each API call on each bridge.
    Returns `{"ok", "bridge": "primary" | "backup" | null, "seconds", "primary", "backup"}`.
    """
    configuration = configuration or {}
    primary = _bridge(configuration, "bridge")
    backup = (
        _bridge(configuration, "backup_bridge") if configuration.get("backup_bridge_url") else None
    )
    result = meet(primary, backup, timeout_s=timeout_s)
    logger.info(
        "A class can meet: %s on %s in %.3fs", result["ok"], result["bridge"], result["seconds"]
    )
    return result
