"""Can a class meet? The primary video bridge, or else the backup one."""

from __future__ import annotations

import time
import uuid
from typing import Any

from entdrill.bbb import JoinResult, create_and_join


def _join(url: str, secret: str, timeout_s: float) -> JoinResult:
    return create_and_join(
        url, secret, meeting_id=f"class-{uuid.uuid4().hex[:8]}", timeout_s=timeout_s
    )


def _shown(result: JoinResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"ok": result.ok, "seconds": round(result.seconds, 4), "error": result.error}


def class_can_meet(
    primary: tuple[str, str],
    backup: tuple[str, str] | None,
    *,
    timeout_s: float = 5.0,
) -> dict[str, Any]:
    """Create and join a class on the primary bridge; when that fails, on the backup.

    ``primary`` and ``backup`` are ``(api_url, shared_secret)``. Returns ``ok``, ``bridge``
    (``primary``, ``backup`` or None), ``seconds`` (until a class was joined, or both failed),
    and each attempt.
    """
    started = time.monotonic()
    first = _join(primary[0], primary[1], timeout_s)
    second = None
    if not first.ok and backup is not None:
        second = _join(backup[0], backup[1], timeout_s)
    used = "primary" if first.ok else ("backup" if second is not None and second.ok else None)
    return {
        "ok": used is not None,
        "bridge": used,
        "seconds": round(time.monotonic() - started, 4),
        "primary": _shown(first),
        "backup": _shown(second),
    }
