"""Small shared pieces of the sandbox's JSON APIs: bearer tokens, JSON errors, bodies, times."""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

_ERRORS: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest,
    401: web.HTTPUnauthorized,
    403: web.HTTPForbidden,
    404: web.HTTPNotFound,
}


def error(status: int, message: str) -> web.HTTPException:
    """An HTTP error (400, 401, 403 or 404) whose body is ``{"error": message}``, to raise."""
    return _ERRORS[status](text=json.dumps({"error": message}), content_type="application/json")


def require_bearer(request: web.Request, token: str, who: str) -> None:
    """Raise 401 unless the request carries ``Authorization: Bearer <token>``."""
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise error(401, f"{who} token missing or wrong (expected Authorization: Bearer ...)")


async def read_object(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body, or 400."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise error(400, "the request body must be a JSON object")
    return body


def iso(seconds: float) -> str:
    """``2024-04-06T07:45:00.123Z``: UTC, milliseconds."""
    stamp = datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")
