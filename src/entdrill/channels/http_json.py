"""Small JSON-over-HTTP calls for the channels (SMS gateway, status page), stdlib only.

Every call has a timeout and a bearer token; a token never appears in an error. Failures raise
:class:`HttpFailure` saying whether the request certainly did not take effect (``refused``:
connection refused, or a 429/503 the server answered before doing anything), so a caller knows
when a retry cannot duplicate a side effect.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from entdrill import redact
from entdrill.errors import ChannelError


class HttpFailure(ChannelError):
    """An HTTP call failed; ``cause`` is a sentence without secrets."""

    def __init__(self, cause: str, *, status: int = 0, refused: bool = False) -> None:
        super().__init__(cause)
        self.cause = cause
        self.status = status
        self.refused = refused  # certainly not carried out: safe to retry


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any  # parsed JSON, or the text when not JSON


def call(
    method: str,
    url: str,
    *,
    token: str = "",
    body: Any = None,
    timeout_s: float = 10.0,
    what: str = "the server",
) -> Reply:
    """One request; a 2xx answer is returned, anything else raises :class:`HttpFailure`."""
    if not url.lower().startswith(("http://", "https://")):
        raise HttpFailure(f"{what} has no http(s) URL: {url[:80]!r}")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - checked above
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return Reply(response.status, _parse(response.read()))
    except urllib.error.HTTPError as error:
        detail = _parse(error.read())
        if isinstance(detail, dict) and "error" in detail:
            detail = detail["error"]
        cause = f"{what} answered HTTP {error.code}: {str(detail)[:200]}"
        raise HttpFailure(
            redact.redact(cause), status=error.code, refused=error.code in (429, 503)
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        refused = isinstance(reason, ConnectionRefusedError)
        raise HttpFailure(redact.redact(f"{what} unreachable: {reason}"), refused=refused) from None


def get_text(url: str, *, timeout_s: float = 10.0, what: str = "the page") -> str:
    """The text of a public page (raises :class:`HttpFailure`)."""
    reply = call("GET", url, timeout_s=timeout_s, what=what)
    return reply.body if isinstance(reply.body, str) else json.dumps(reply.body)


def _parse(raw: bytes) -> Any:
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
