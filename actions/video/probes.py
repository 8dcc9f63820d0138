"""Probes of the video bridge: can a class be created and joined."""

import logging
import uuid

from chaoslib.exceptions import ActivityFailed

from entdrill.bbb import create_and_join

__all__ = ["bridge_join"]
logger = logging.getLogger("chaostoolkit")


def bridge_join(
    backup: bool = False,
    timeout_s: float = 5.0,
    configuration: dict = None,
    secrets: dict = None,
) -> dict:
    """Create a class on the video bridge and join it through the BigBlueButton API.

    backup: use the backup bridge instead of the primary one.
    timeout_s: the limit for each API call.
    Returns `{"ok", "seconds", "bridge", "error"}`.
    """
    configuration = configuration or {}
    prefix = "backup_bridge" if backup else "bridge"
    url, secret = configuration.get(f"{prefix}_url"), configuration.get(f"{prefix}_secret")
    if not (url and secret):
        raise ActivityFailed(f"No {prefix}_url or {prefix}_secret in the configuration.")
    result = create_and_join(
        url, secret, meeting_id=f"probe-{uuid.uuid4().hex[:8]}", timeout_s=timeout_s
    )
    logger.info("Join on %s: ok=%s in %.3fs %s", url, result.ok, result.seconds, result.error)
    return {"ok": result.ok, "seconds": result.seconds, "bridge": url, "error": result.error}
